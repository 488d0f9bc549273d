/** Registries of sink types and error-sink types: add each component here explicitly. */
import type { ErrorSinkComponent, SinkComponent } from '../engine/types.ts';
import { errorCsvSink } from './error-csv.ts';
import { postgresSink } from './postgres.ts';
import { smarthrCrewsSink } from './smarthr-crews.ts';
import { smarthrDepartmentsSink } from './smarthr-departments.ts';
import { kingoftimeEmployeesSink } from './kingoftime-employees.ts';

export const sinks: SinkComponent[] = [postgresSink, smarthrCrewsSink, smarthrDepartmentsSink, kingoftimeEmployeesSink];
export const errorSinks: ErrorSinkComponent[] = [errorCsvSink];
