/**
 * HTTP failures as RenkeiErrors: stable code (`SOURCE_HTTP` for reads, `SINK_HTTP` for writes), the
 * `transient` flag, and the API's own error body (SmartHR: `{code, type, message, errors}`).
 */
import { RenkeiError, type ErrorCode } from '../../engine/errors.ts';

export interface ApiErrorBody { code?: number; type?: string; message?: string; errors?: unknown }

export class HttpError extends RenkeiError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number | undefined,
    readonly api: ApiErrorBody | undefined,
    opts: { transient: boolean; cause?: unknown },
  ) {
    super(code, message, opts);
    this.name = 'HttpError';
  }
}

/** Statuses worth another try: rate limited, timeouts, server and gateway errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** The error body when it has SmartHR's shape, else undefined. */
export function parseApiError(text: string): ApiErrorBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && ('type' in v || 'code' in v || 'message' in v)) return v as ApiErrorBody;
  } catch { /* not JSON (a proxy's HTML page) */ }
  return undefined;
}

const HINTS: Record<number, string> = {
  401: 'the access token was refused: check the connection token',
  403: "the token's scope does not allow this resource",
  404: 'check base_url (it should end in /api) and the resource id',
};

export function describeFailure(what: string, status: number, api: ApiErrorBody | undefined, text: string): string {
  const detail = api
    ? `${api.type ?? 'error'}${api.code !== undefined ? ` (code ${api.code})` : ''}${api.message ? `: ${api.message}` : ''}`
    : text.replace(/\s+/g, ' ').slice(0, 120);
  const errs = api && Array.isArray(api.errors) && api.errors.length
    ? ` [${api.errors.map((e) => (e && typeof e === 'object' ? [(e as Record<string, unknown>).field, (e as Record<string, unknown>).message].filter(Boolean).join(': ') : String(e))).join('; ')}]`
    : '';
  const hint = HINTS[status] ? ` — ${HINTS[status]}` : '';
  return `${what}: HTTP ${status} ${detail}${errs}${hint}`;
}
