/**
 * Client-side rate limiter: a token bucket of one token in its virtual-scheduling form. Grants are
 * spaced `1000 / rate` ms apart on an exact schedule (a late timer does not slow the rate down, and an
 * idle period does not save up a burst), FIFO across concurrent callers: a one-second window holds
 * `rate` grants (+1 at a window edge, + a few after an event-loop stall above 20/s; see tolerance). The server can push the schedule back:
 * `pauseFor(ms)` on 429 Retry-After or when x-rate-limit-remaining reaches 0.
 */
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';

export interface RateLimiterOptions {
  /** Requests per second. */
  rate: number;
  clock?: Clock;
}

export class RateLimiter {
  private readonly interval: number;
  private readonly tolerance: number;
  private readonly clock: Clock;
  /** Scheduled time of the next grant. */
  private next: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(opts: RateLimiterOptions) {
    if (!(opts.rate > 0)) throw new RangeError('rate must be > 0');
    this.interval = 1000 / opts.rate;
    // A grant that is late keeps its slot (the next one is not pushed back) when the lateness is what
    // a busy event loop causes — half an interval, or up to 25 ms (a JSON.parse of a page, a GC) —
    // so stalls do not slowly eat the rate. Later than that the caller was idle and the schedule
    // restarts from now: no burst builds up. Any second thus holds at most rate + 1 grants, or
    // rate × 1.025 + 1 above 20 requests/s.
    this.tolerance = Math.max(this.interval / 2, Math.min(this.interval * 5, 25));
    this.clock = opts.clock ?? realClock;
    this.next = this.clock.now();
  }

  /** Waits for this caller's turn. Callers are served in arrival order. */
  acquire(signal?: AbortSignal): Promise<void> {
    const mine = this.queue.catch(() => undefined).then(() => this.take(signal));
    this.queue = mine;
    return mine;
  }

  /** Delay every grant until at least `ms` from now (server asked us to wait). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + Math.max(0, ms));
  }

  /** Milliseconds until the next grant could happen (for logs). */
  get pendingMs(): number {
    return Math.max(0, Math.max(this.next, this.pausedUntil) - this.clock.now());
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const at = Math.max(this.next, this.pausedUntil);
      if (now >= at) {
        this.next = (now - at <= this.tolerance ? at : now) + this.interval;
        return;
      }
      await this.clock.sleep(at - now, signal);
    }
  }
}
