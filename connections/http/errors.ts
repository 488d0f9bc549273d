/**
 * HTTP failures as RenkeiErrors: stable code (`SOURCE_HTTP` for reads, `SINK_HTTP` for writes), the
 * `transient` flag, and the API's own error as its profile read it ({@link ApiError}).
 */
import { RenkeiError, type ErrorCode } from '../../engine/errors.ts';

/**
 * An API's error body, read by the API profile's parser (bodies differ per API: SmartHR sends
 * `{code, type, message, errors}`, KING OF TIME `{errors: [{message, code}]}`).
 */
export interface ApiError {
  /** The API's own code (SmartHR `6`, KING OF TIME `"303"`). */
  code?: string | number;
  /** The code's name, where the API sends one (SmartHR `too_many_requests`). */
  type?: string;
  message?: string;
  /**
   * What the body says about trying again. `true`: the API refused without acting on the request and
   * a later try may succeed (throttled, maintenance, closed hours), so even a create may be resent;
   * `false`: never retry; absent: the HTTP status decides.
   */
  transient?: boolean;
  /** The body says the client was throttled, whatever the status: waited out like a 429. */
  rateLimited?: boolean;
  /**
   * The body says the API is in its closed hours (KING OF TIME 403 / code 104) although the client's
   * own windows did not expect it: waited out (policy `wait`, polling) or failed (policy `fail`).
   */
  closedHours?: boolean;
  /** The record field the error is about, when the API names one (the first of several). */
  field?: string;
  /** Per-item details for the message: `emp_code: is invalid`. */
  details?: string[];
}

/** Reads an error response body; undefined when it is not the API's error shape (a proxy's HTML page). */
export type ErrorBodyParser = (text: string, status: number) => ApiError | undefined;

export class HttpError extends RenkeiError {
  /** Requests sent before this error, when the client knows (a caller reporting deliveries needs it). */
  readonly attempts: number | undefined;
  /**
   * Refused by the client itself, not the server: the API is in its closed hours and the policy is
   * `fail`. Nothing can be sent until the window ends, so a sink stops the run instead of rejecting
   * record after record.
   */
  readonly closedHours: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number | undefined,
    readonly api: ApiError | undefined,
    opts: { transient: boolean; cause?: unknown; attempts?: number; closedHours?: boolean },
  ) {
    super(code, message, opts);
    this.name = 'HttpError';
    this.attempts = opts.attempts;
    this.closedHours = opts.closedHours ?? false;
  }
}

/** Statuses worth another try: rate limited, timeouts, server and gateway errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** JSON text as a value, or undefined when it is not JSON. */
export function jsonOf(text: string): unknown {
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}

/**
 * An error body of the `{"errors": [{"message", "code"}, …]}` shape (KING OF TIME and APIs like it):
 * the first entry's code and message, the others as details; undefined for any other shape.
 */
export function errorsListBody(v: unknown): { code?: string | number; message?: string; details: string[] } | undefined {
  if (!v || typeof v !== 'object' || !Array.isArray((v as { errors?: unknown }).errors)) return undefined;
  const items = ((v as { errors: unknown[] }).errors).filter((e): e is { message?: unknown; code?: unknown } => !!e && typeof e === 'object');
  const first = items[0];
  return {
    code: typeof first?.code === 'number' || typeof first?.code === 'string' ? first.code : undefined,
    message: typeof first?.message === 'string' ? first.message : undefined,
    details: items.slice(1).map((e) => `${String(e.message)} (code ${String(e.code)})`),
  };
}

/**
 * `GET /v1/crews page 2: HTTP 400 bad_request (code 1): invalid [emp_code: is invalid] — hint`.
 * `hints` (per status) come from the API profile: what to check when that status comes back.
 */
export function describeFailure(what: string, status: number, api: ApiError | undefined, text: string, hints: Readonly<Record<number, string>> = {}): string {
  const detail = api
    ? `${api.type ?? 'error'}${api.code !== undefined ? ` (code ${api.code})` : ''}${api.message ? `: ${api.message}` : ''}`
    : text.replace(/\s+/g, ' ').slice(0, 120);
  const errs = api?.details?.length ? ` [${api.details.join('; ')}]` : '';
  const hint = hints[status] ? ` — ${hints[status]}` : '';
  return `${what}: HTTP ${status} ${detail}${errs}${hint}`;
}
