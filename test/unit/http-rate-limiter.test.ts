import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../connections/http/rate-limiter.ts';
import { realClock, type Clock } from '../../connections/http/clock.ts';

/** A virtual clock: sleeping advances time instantly, optionally oversleeping like a busy event loop. */
function fakeClock(overshoot = 0): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 1_000_000, sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => { c.sleeps.push(ms); c.t += ms + overshoot; },
  };
  return c;
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('RateLimiter', () => {
  it('spaces grants evenly: at most `rate` in any one-second window', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ rate: 10, clock });
    const times: number[] = [];
    await Promise.all(Array.from({ length: 50 }, () => rl.acquire().then(() => times.push(clock.t))));
    expect(times).toHaveLength(50);
    expect(maxInWindow(times, 1000)).toBe(10);
    expect(times.at(-1)! - times[0]).toBe(4900);
  });

  it('keeps the schedule when timers fire late (no slow drift, no catch-up burst)', async () => {
    const clock = fakeClock(3); // every sleep overshoots by 3 ms of a 10 ms interval
    const rl = new RateLimiter({ rate: 100, clock });
    const times: number[] = [];
    for (let i = 0; i < 300; i++) { await rl.acquire(); times.push(clock.t); }
    // 300 grants at 100/s take ~2.99 s of schedule; lateness does not add up across grants.
    expect(times.at(-1)! - times[0]).toBeLessThan(3000 + 10);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(5);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(101);
  });

  it('catches up after event-loop stalls of up to 25 ms at high rates, bounded per second', async () => {
    let n = 0;
    const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => { clock.t += ms + (++n % 50 === 0 ? 20 : 0); } };
    const rl = new RateLimiter({ rate: 200, clock });
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) { await rl.acquire(); times.push(clock.t); }
    // 1000 grants on a 5 ms grid: the stalls (20 ms every 50th wait) are made up, not lost.
    expect(times.at(-1)! - times[0]).toBeLessThanOrEqual(999 * 5 + 20);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(Math.ceil(200 * 1.025) + 1);
  });

  it('does not save up a burst while idle', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ rate: 10, clock });
    await rl.acquire();
    clock.t += 10_000;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) { await rl.acquire(); times.push(clock.t); }
    expect(times.map((t) => t - times[0])).toEqual([0, 100, 200, 300, 400]);
  });

  it('pauseFor (server said wait) holds every caller until then', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ rate: 1000, clock });
    await rl.acquire();
    const start = clock.t;
    rl.pauseFor(2000);
    await rl.acquire();
    expect(clock.t - start).toBeGreaterThanOrEqual(2000);
  });

  it('an aborted caller does not block the queue', async () => {
    const rl = new RateLimiter({ rate: 2, clock: realClock });
    await rl.acquire();
    const ac = new AbortController();
    const aborted = rl.acquire(ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await rl.acquire();
  });
});
