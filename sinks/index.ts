/** Registries of sink types and error-sink types: add each component here explicitly. */
import type { ErrorSinkComponent, SinkComponent } from '../engine/types.ts';
import { errorCsvSink } from './error-csv.ts';
import { postgresSink } from './postgres.ts';
import { smarthrCrewsSink } from './smarthr-crews.ts';
import { smarthrDepartmentsSink } from './smarthr-departments.ts';
import { kingoftimeEmployeesSink } from './kingoftime-employees.ts';
import { mikiwameDepartmentsSink } from './mikiwame-departments.ts';
import { mikiwameEmployeesSink } from './mikiwame-employees.ts';
import { mikiwameResultsSink } from './mikiwame-results.ts';

export const sinks: SinkComponent[] = [postgresSink, smarthrCrewsSink, smarthrDepartmentsSink, mikiwameDepartmentsSink, mikiwameEmployeesSink, mikiwameResultsSink, kingoftimeEmployeesSink];
export const errorSinks: ErrorSinkComponent[] = [errorCsvSink];
