/** Time as the HTTP layer sees it; tests inject a fake to drive the limiter, retries and closed hours. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Wall-clock time in epoch ms: closed hours are wall-clock times in a time zone. Optional: a clock
   * without it is read as the wall time at creation moved along by `now()` (see {@link wallTime}).
   */
  wall?(): number;
}

export const realClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = (): void => { signal?.removeEventListener('abort', onAbort); resolve(); };
    const t = setTimeout(done, Math.max(0, ms));
    const onAbort = (): void => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  }),
};

/**
 * The clock's wall time. A clock that only knows monotonic time (a test's virtual clock) gets one
 * derived from it, so sleeping on that clock also moves its wall time — a wait for a window to end
 * must end on the same clock that slept.
 */
export function wallTime(clock: Clock): () => number {
  if (clock.wall) return () => clock.wall!();
  const offset = Date.now() - clock.now();
  return () => offset + clock.now();
}
