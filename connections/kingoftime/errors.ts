/**
 * KING OF TIME's error bodies read into the HTTP layer's ApiError:
 * - `{"errors":[{"message":"…","code":111}, …]}` — the first item is the error, the others details;
 *   `errors[0].code` 104 (利用可能時間外, outside available hours) is a refusal that did nothing:
 *   transient, so the request is sent again once the closed window ends (never a hard failure);
 * - `{"code":"303","message":"Too Many Requests"}` with no `errors` array — throttling, whatever the
 *   HTTP status: waited out like a 429.
 */
import { errorsListBody, jsonOf, type ApiError } from '../http/errors.ts';

/** `errors[0].code` of a request refused during closed hours. */
export const KOT_OUTSIDE_HOURS = 104;
/** `code` of a throttled request. */
export const KOT_THROTTLED = '303';

export function parseKingoftimeError(text: string): ApiError | undefined {
  const v = jsonOf(text);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const b = v as { code?: unknown; message?: unknown };
  const list = errorsListBody(v);
  if (list) {
    const closed = Number(list.code) === KOT_OUTSIDE_HOURS;
    return { ...list, type: closed ? 'outside_available_hours' : undefined, transient: closed ? true : undefined, closedHours: closed || undefined };
  }
  if (String(b.code) === KOT_THROTTLED) {
    return { code: KOT_THROTTLED, type: 'too_many_requests', message: typeof b.message === 'string' ? b.message : undefined, transient: true, rateLimited: true };
  }
  return undefined;
}
