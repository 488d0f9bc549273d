/**
 * Rate-limit response headers, read per API: when the server says its window is used up, how long
 * until it resets. The client then holds every request back for that long (no 429 needed).
 */

/** The server's window is used up: wait `waitMs`; `remaining` is what it said was left (for logs). */
export interface RateWindow { waitMs: number; remaining: number }

/**
 * Reads one response's headers. `inflight` is the number of our requests sent and not yet answered:
 * they will spend what remains, so "3 left" with 3 in flight means used up.
 */
export type RateHeaderReader = (headers: Headers, inflight: number) => RateWindow | undefined;

/**
 * Header families `<prefix>-remaining` / `<prefix>-reset` (reset in seconds from now), e.g.
 * `x-rate-limit`. With several families (several buckets), whichever is used up waits, and the longer
 * wait wins.
 */
export function resetHeaders(prefixes: readonly string[]): RateHeaderReader {
  return (h, inflight) => {
    let out: RateWindow | undefined;
    for (const prefix of prefixes) {
      const remaining = h.get(`${prefix}-remaining`);
      const reset = h.get(`${prefix}-reset`);
      if (remaining === null || reset === null || Number(remaining) > inflight) continue;
      const s = Number(reset);
      if (Number.isFinite(s) && s >= 0 && s * 1000 >= (out?.waitMs ?? 0)) out = { waitMs: s * 1000, remaining: Number(remaining) };
    }
    return out;
  };
}

/** An API that sends no rate-limit headers: only 429s (and its throttle bodies) slow the client down. */
export const noRateHeaders: RateHeaderReader = () => undefined;
