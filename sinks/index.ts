/** Registries of sink types and error-sink types: add each component here explicitly. */
import type { ErrorSinkComponent, SinkComponent } from '../engine/types.ts';
import { errorCsvSink } from './error-csv.ts';

export const sinks: SinkComponent[] = [];
export const errorSinks: ErrorSinkComponent[] = [errorCsvSink];
