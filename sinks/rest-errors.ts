/**
 * What a failed REST write means for the run. The target's own answer decides:
 * - 401 / 403: the token or its scope cannot do this at all → the error is thrown and the run fails
 *   (every other record would fail the same way; 403 also covers SmartHR's seat limit, code 7); so
 *   does a write refused by the client because the API is in its closed hours (policy `fail`);
 * - another 4xx (400, 404, 409, 422 …): the target refused this record → rejected `TARGET_REFUSED`
 *   with the target's type and message (as the API profile read its error body), and the run goes on;
 * - transient failures still failing after the shared HTTP layer's retries, or a create whose
 *   connection broke (POST is not retried) → rejected `SINK_HTTP`; the error budget stops a run in
 *   which everything fails;
 * - a body that does not fit the API's write schema (checked by the client before sending) →
 *   rejected `SINK_BODY_INVALID`.
 */
import { reject, type Drop, type Rec } from '../engine/types.ts';
import { RenkeiError } from '../engine/errors.ts';
import { HttpError } from '../connections/http/errors.ts';

export type WriteOp = 'create' | 'update';

/** Statuses that mean the whole run cannot work, not that one record is wrong. */
const FATAL = new Set([401, 403]);

/** Whole-run failures: the credential or scope is refused, or the API takes no requests now. */
const fatal = (e: HttpError): boolean => e.closedHours || (e.status !== undefined && FATAL.has(e.status));

/**
 * The Drop for a write that failed, or throws when the failure is not about this record (auth,
 * scope, abort, internal errors). `key` is the record's key text, put in the message (G2).
 */
export function writeFailure(rec: Rec, e: unknown, op: WriteOp, key: string, signal?: AbortSignal): Drop {
  if (signal?.aborted) throw e;
  const who = key ? `${key}: ` : '';
  if (e instanceof HttpError) {
    const status = e.status;
    if (fatal(e)) throw e;
    if (status !== undefined && status >= 400 && status < 500 && !e.transient && status !== 429) {
      return reject(rec, 'TARGET_REFUSED', `${who}the target refused the ${op}: ${e.message}`, e.api?.field);
    }
    // A create the server may have applied before failing (no answer, or a 5xx other than maintenance).
    const unsure = op === 'create' && (status === undefined || (status >= 500 && status !== 503))
      ? ' — the create may or may not have been applied; the next run\'s diff shows which'
      : '';
    return reject(rec, 'SINK_HTTP', `${who}${op} failed: ${e.message}${unsure}`);
  }
  if (e instanceof RenkeiError && !e.transient) {
    return reject(rec, 'SINK_BODY_INVALID', `${who}not sent: ${e.message}`);
  }
  throw e;
}

/** Thrown instead of a fatal HTTP error, with a hint on what to fix. */
export function fatalWriteError(e: unknown, signal?: AbortSignal): RenkeiError {
  if (signal?.aborted && !(e instanceof RenkeiError)) {
    return new RenkeiError('ABORTED', 'run interrupted while writing; what the target acknowledged stays written', { cause: e });
  }
  if (e instanceof HttpError && fatal(e)) {
    return new RenkeiError('SINK_HTTP', `${e.message}; the run stops (no further record could be written)`, { cause: e });
  }
  return e instanceof RenkeiError ? e : new RenkeiError('INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
}

/**
 * Checks what the diff stage left on the record: `new`, or `changed` with the target's identity
 * carried — the field the API profile names (`identity`: SmartHR `id`, KING OF TIME `key`). Returns
 * that identity for an update, `null` for a create, or a Drop naming the missing stage.
 */
export function diffTarget(rec: Rec, key: string, identity: string, fallback?: string): string | null | Drop {
  const who = key ? `${key}: ` : '';
  if (!rec.meta) return reject(rec, 'NO_DIFF', `${who}the record has no diff status: add a diff stage with carry: [${identity}] before this sink`);
  if (rec.meta.status === 'new') return null;
  const id = rec.meta.target?.[identity] ?? fallback;
  if (typeof id === 'string' && id !== '') return id;
  return reject(rec, 'NO_TARGET_ID', `${who}a changed record carries no target ${identity}: add a diff stage with carry: [${identity}] before this sink`);
}

/** A record field's value as a JSON API takes it: blank → null, dates as YYYY-MM-DD, arrays and objects as they are. */
export function apiValue(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return v;
}

/** A custom-field value: text or number (SmartHR's `custom_fields[].value`), blank → null. */
export function customValue(v: unknown): string | number | null {
  const a = apiValue(v);
  return a === null || typeof a === 'number' || typeof a === 'string' ? a : typeof a === 'object' ? JSON.stringify(a) : String(a);
}
