/**
 * SmartHR's error body `{code, type, message, errors: null | [{message, resource?, field?}]}`
 * (e.g. `{code: 6, type: "too_many_requests"}` with a 429) read into the HTTP layer's ApiError. The
 * status decides what is transient; the body adds the field a refusal is about.
 */
import { jsonOf, type ApiError } from '../http/errors.ts';

export function parseSmarthrError(text: string): ApiError | undefined {
  const v = jsonOf(text);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const b = v as Record<string, unknown>;
  if (!('type' in b || 'code' in b || 'message' in b)) return undefined;
  const items = Array.isArray(b.errors) ? b.errors : [];
  const fieldOf = (e: unknown): unknown => (e && typeof e === 'object' ? (e as Record<string, unknown>).field : undefined);
  const field = items.map(fieldOf).find((f): f is string => typeof f === 'string' && f !== '');
  return {
    code: typeof b.code === 'number' || typeof b.code === 'string' ? b.code : undefined,
    type: typeof b.type === 'string' ? b.type : undefined,
    message: typeof b.message === 'string' ? b.message : undefined,
    field,
    details: items.map((e) => (e && typeof e === 'object' ? [fieldOf(e), (e as Record<string, unknown>).message].filter(Boolean).join(': ') : String(e))),
  };
}
