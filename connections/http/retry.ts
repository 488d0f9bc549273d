/**
 * Retry policy: exponential backoff with jitter, bounded by an attempt count (for failures) and a
 * total time (for everything, including waiting out 429s, which do not use up attempts).
 */
export interface RetryOptions {
  /** Attempts in all for a request that keeps failing (5xx, timeouts, resets); 1 = no retry. */
  attempts: number;
  /** Give up when the next wait would end later than this many ms after the first attempt. */
  maxElapsedMs: number;
  /** First backoff step in ms; doubles each attempt. */
  baseMs: number;
  /** Ceiling of one backoff step in ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, maxElapsedMs: 300_000, baseMs: 500, maxDelayMs: 30_000 };

/**
 * Backoff before retry number `attempt` (1-based): "equal jitter", half fixed and half random, so a
 * wait is never near zero (no hot loop) and concurrent clients spread out.
 */
export function backoffMs(attempt: number, o: Pick<RetryOptions, 'baseMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const step = Math.min(o.maxDelayMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}
