/**
 * A virtual clock for the HTTP layer: sleeping advances time at once, so waits (backoff, rate limits,
 * closed hours) cost nothing real. Its wall time starts at `startWall` and moves with it.
 */
import type { Clock } from '../../connections/http/clock.ts';

export interface VirtualClock extends Clock {
  wall(): number;
  /** Every sleep asked for, in ms. */
  sleeps: number[];
}

export function virtualClock(startWall: number): VirtualClock {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    wall: () => startWall + t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      t += Math.max(0, ms);
    },
  };
}

/** Epoch ms of a Tokyo wall time on 2026-04-01 (UTC+9): `tokyo('08:29:59')`. */
export function tokyo(hms: string, day = '2026-04-01'): number {
  return Date.parse(`${day}T${hms}+09:00`);
}
