/**
 * The HTTP client shared by SaaS sources and sinks: base URL + Bearer token, per-request timeout,
 * keep-alive (fetch's pooled connections), a client-side rate limiter that also follows the server's
 * x-rate-limit-remaining / -reset and 429 Retry-After, and retries with backoff (retry.ts). Logs carry
 * method, path, status, attempt and wait — never the token, the query string or bodies (G5/G6).
 */
import type { Logger } from 'pino';
import type { ErrorCode } from '../../engine/errors.ts';
import { realClock, type Clock } from './clock.ts';
import { RateLimiter } from './rate-limiter.ts';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, type RetryOptions } from './retry.ts';
import { describeFailure, HttpError, isTransientStatus, parseApiError } from './errors.ts';

export interface HttpClientOptions {
  /** e.g. `https://acme.smarthr.jp/api`; request paths are appended to it. */
  baseUrl: string;
  token: string;
  /** Client-side limit in requests per second. */
  rateLimit: number;
  timeoutMs: number;
  retry?: Partial<RetryOptions>;
  logger: Logger;
  /** Aborts every request (the run's signal). */
  signal?: AbortSignal;
  /** Error code for failures: `SOURCE_HTTP` (default) or `SINK_HTTP`. */
  errorCode?: ErrorCode;
  clock?: Clock;
  random?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under the base URL (`/v1/crews`), or an absolute URL on the same origin (a Link rel=next). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** What this request is, for logs and error messages: `GET /v1/crews page 3`. */
  label?: string;
  /** Cancels this request (e.g. the other pages of a read that failed). */
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> { status: number; headers: Headers; data: T; attempts: number }

export class HttpClient {
  readonly limiter: RateLimiter;
  private readonly retry: RetryOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly origin: string;
  private readonly base: string;
  /** Requests sent and not yet answered (they will spend server quota too). */
  private inflight = 0;

  constructor(private readonly o: HttpClientOptions) {
    this.clock = o.clock ?? realClock;
    this.random = o.random ?? Math.random;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.limiter = new RateLimiter({ rate: o.rateLimit, clock: this.clock });
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.base).origin;
  }

  url(req: HttpRequest): URL {
    const u = /^https?:\/\//.test(req.path) ? new URL(req.path) : new URL(this.base + req.path);
    // Never send the token to another host, whatever a Link header says.
    if (u.origin !== this.origin) throw this.fail(`${req.method} ${u.pathname}`, `refusing to follow a URL on another origin (${u.origin})`, undefined, false);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  private fail(what: string, message: string, status: number | undefined, transient: boolean, api?: ReturnType<typeof parseApiError>, cause?: unknown): HttpError {
    return new HttpError(this.o.errorCode ?? 'SOURCE_HTTP', status === undefined ? `${what}: ${message}` : message, status, api, { transient, cause });
  }

  /** Sends one request, retrying transient failures; resolves with parsed JSON (or null for 204). */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const url = this.url(req);
    const what = req.label ?? `${req.method} ${url.pathname}`;
    const log = { method: req.method, path: url.pathname, page: url.searchParams.get('page') ?? undefined };
    // POST is not idempotent: retry it only where the server says it did nothing (429, 503).
    const idempotent = req.method !== 'POST';
    const start = this.clock.now();
    const signal = req.signal && this.o.signal ? AbortSignal.any([req.signal, this.o.signal]) : req.signal ?? this.o.signal;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(signal);
      let wait: number;
      let err: HttpError;
      try {
        this.inflight++;
        let res: Awaited<ReturnType<HttpClient['once']>>;
        try { res = await this.once(url, req, signal); } finally { this.inflight--; }
        this.observeLimits(res.headers, log);
        if (res.status < 300) {
          const data = (res.text === '' ? null : JSON.parse(res.text)) as T;
          this.o.logger.debug({ ...log, status: res.status, attempt }, 'http ok');
          return { status: res.status, headers: res.headers, data, attempts: attempt };
        }
        const api = parseApiError(res.text);
        const transient = isTransientStatus(res.status) && (idempotent || res.status === 429 || res.status === 503);
        err = this.fail(what, describeFailure(what, res.status, api, res.text), res.status, transient, api);
        if (!transient) {
          this.o.logger.error({ ...log, status: res.status, attempt, api_code: api?.code, api_type: api?.type }, 'http failed');
          throw err;
        }
        const after = retryAfterMs(res.headers.get('retry-after'));
        if (res.status === 429) {
          // Waiting out a rate limit is not a failure; the floor keeps `Retry-After: 0` from spinning.
          wait = Math.max(after ?? 0, this.resetMs(res.headers) ?? 0, backoffMs(1, this.retry, this.random));
          this.limiter.pauseFor(wait);
        } else {
          failures++;
          wait = Math.max(after ?? 0, backoffMs(failures, this.retry, this.random));
        }
      } catch (e) {
        if (e instanceof HttpError) throw e;
        if (signal?.aborted) throw e;
        // Network error, timeout, reset mid-body, or a truncated/invalid JSON body.
        failures++;
        const reason = e instanceof Error ? (e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message) : String(e);
        err = this.fail(what, reason, undefined, idempotent, undefined, e);
        if (!idempotent) throw err;
        wait = backoffMs(failures, this.retry, this.random);
      }
      const elapsed = this.clock.now() - start;
      if (failures >= this.retry.attempts || elapsed + wait > this.retry.maxElapsedMs) {
        this.o.logger.error({ ...log, status: err.status, attempt, failures }, 'http giving up');
        throw new HttpError(err.code, `${err.message} (gave up after ${attempt} attempts in ${Math.round(elapsed)} ms)`, err.status, err.api, { transient: true, cause: err });
      }
      this.o.logger.warn({ ...log, status: err.status, attempt, wait_ms: Math.round(wait), reason: err.status ? undefined : err.message.slice(what.length + 2, what.length + 82) }, 'http retry');
      await this.clock.sleep(wait, signal);
    }
  }

  private async once(url: URL, req: HttpRequest, outer: AbortSignal | undefined): Promise<{ status: number; headers: Headers; text: string }> {
    // One controller per attempt, its timer and listener released as soon as the attempt ends
    // (AbortSignal.timeout/any would keep them for the whole timeout on a long-lived run signal).
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`timed out after ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    const onAbort = (): void => ac.abort(outer!.reason);
    if (outer?.aborted) onAbort(); else outer?.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.o.token}`, accept: 'application/json' };
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body), signal: ac.signal });
      // Buffer's UTF-8 decoding is about twice as fast as fetch's TextDecoder on Japanese-heavy bodies.
      const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
      return { status: res.status, headers: res.headers, text };
    } catch (e) {
      // Name the timeout rather than a bare "This operation was aborted".
      if (ac.signal.aborted && !outer?.aborted) throw ac.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * x-rate-limit-reset in ms when the server's window is used up — counting the requests of ours
   * still in flight, which will spend what remains.
   */
  private resetMs(h: Headers): number | undefined {
    const remaining = h.get('x-rate-limit-remaining');
    const reset = h.get('x-rate-limit-reset');
    if (remaining === null || reset === null || Number(remaining) > this.inflight) return undefined;
    const s = Number(reset);
    return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
  }

  /** Follow the server's own count: when it says the window is used up, wait for its reset. */
  private observeLimits(h: Headers, log: Record<string, unknown>): void {
    const ms = this.resetMs(h);
    if (ms === undefined) return;
    if (ms > this.limiter.pendingMs) this.o.logger.info({ ...log, wait_ms: Math.round(ms), remaining: Number(h.get('x-rate-limit-remaining')) }, 'rate limit window used up: waiting for its reset');
    this.limiter.pauseFor(ms);
  }
}
