/**
 * How the postgres sink reads server errors: which ones belong to a row (refuse that row, keep the
 * others) and which end the run, and how a refused row is described in the error file.
 */
import { reject, type Drop, type Rec } from '../engine/types.ts';
import type { CopyColumn } from './pg-copy-text.ts';

/** The fields node-postgres copies from an ErrorResponse. */
export interface PgError extends Error { code?: string; detail?: string; where?: string; column?: string; constraint?: string }

/** Data exceptions (22…) and integrity violations (23…) are about the rows sent, not the run. */
export function isRowError(e: unknown): boolean {
  const code = (e as PgError | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Connection failures: class 08, the backend terminated (57P01-03), or the socket gone. */
export function isConnectionError(e: unknown): boolean {
  const code = (e as PgError | undefined)?.code ?? '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  return /Connection terminated|not queryable|ECONNRESET|EPIPE|ECONNREFUSED/.test((e as Error | undefined)?.message ?? '');
}

/** 1-based line of the COPY data the server stopped at (`COPY t, line 12, column x: …`), if given. */
export function copyLine(e: unknown): number | undefined {
  const m = /, line (\d+)(?:, column |: |$)/.exec((e as PgError).where ?? '');
  return m ? Number(m[1]) : undefined;
}

function errorColumn(e: PgError): string | undefined {
  return e.column ?? /, line \d+, column (.+?): /.exec(e.where ?? '')?.[1];
}

/** A refused row as a Drop: the server's message and detail, and the column when the server names one. */
export function refuse(rec: Rec, e: unknown, columns: readonly CopyColumn[]): Drop {
  const err = e as PgError;
  const column = errorColumn(err);
  const parts = [err.message];
  if (err.detail) parts.push(err.detail);
  if (column) parts.push(`column "${column}"`);
  else if (err.constraint) parts.push(`constraint "${err.constraint}"`);
  const field = column === undefined ? undefined : columns.find((c) => c.name === column)?.from ?? column;
  return reject(rec, 'SINK_PG_ROW', parts.join('; '), field);
}
