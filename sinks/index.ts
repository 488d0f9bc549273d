/** Registries of sink types and error-sink types: add each component here explicitly. */
import type { ErrorSinkComponent, SinkComponent } from '../engine/types.ts';
import { errorCsvSink } from './error-csv.ts';
import { postgresSink } from './postgres.ts';

export const sinks: SinkComponent[] = [postgresSink];
export const errorSinks: ErrorSinkComponent[] = [errorCsvSink];
