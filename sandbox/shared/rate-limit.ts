/**
 * A sandbox's server-side limit: a token bucket holding `rate` tokens, refilled at `rate` per second.
 * Each decision carries the rate-limit headers in the `x-rate-limit-limit / -remaining / -reset`
 * style (seconds) that SmartHR uses and the other modelled APIs copy, and, when the bucket is empty,
 * Retry-After; a sandbox of an API that sends no such headers leaves them out (`headers: false`).
 */
export interface LimitDecision {
  ok: boolean;
  headers: Record<string, string>;
}

export class ServerRateLimit {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly now: () => number = () => performance.now(), private readonly withHeaders = true) {
    this.tokens = rate;
    this.last = now();
  }

  take(): LimitDecision {
    if (!(this.rate > 0) || !Number.isFinite(this.rate)) return { ok: true, headers: {} };
    const t = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    const ok = this.tokens >= 1;
    if (ok) this.tokens -= 1;
    const remaining = Math.floor(this.tokens);
    const headers: Record<string, string> = {
      'x-rate-limit-limit': String(this.rate),
      'x-rate-limit-remaining': String(remaining),
      'x-rate-limit-reset': String(Math.ceil((this.rate - this.tokens) / this.rate)),
    };
    if (!this.withHeaders) for (const h of Object.keys(headers)) delete headers[h];
    if (!ok) headers['retry-after'] = String(Math.ceil((1 - this.tokens) / this.rate));
    return { ok, headers };
  }
}
