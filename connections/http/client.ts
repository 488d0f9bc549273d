/**
 * The HTTP client shared by SaaS sources and sinks: base URL + Bearer token, per-request timeout,
 * keep-alive connections (node:http agent), a client-side rate limiter that also follows the server's
 * x-rate-limit-remaining / -reset and 429 Retry-After, and retries with backoff (retry.ts). Logs carry
 * method, path, status, attempt and wait — never the token, the query string or bodies (G5/G6).
 */
import http from 'node:http';
import https from 'node:https';
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
  // Idle connections are dropped after 4 s, before servers and proxies commonly close them (5-75 s):
  // reusing a connection the server just closed would fail a POST, which is not retried.
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32, timeout: 4000 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, timeout: 4000 });

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
        const sent = this.clock.now();
        let res: Awaited<ReturnType<HttpClient['once']>>;
        try { res = await this.once(url, req, signal); } finally { this.inflight--; }
        const ms = Math.round(this.clock.now() - sent);
        this.observeLimits(res.headers, log);
        if (res.status < 300) {
          const data = (res.text === '' ? null : JSON.parse(res.text)) as T;
          this.o.logger.debug({ ...log, status: res.status, attempt, ms }, 'http ok');
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

  /**
   * One attempt over node:http(s) with a keep-alive agent (about 1 ms less CPU per 265 KB page than
   * fetch's web streams). Rejects on timeout, abort, or a connection closed before the body ended.
   */
  private once(url: URL, req: HttpRequest, outer: AbortSignal | undefined): Promise<{ status: number; headers: Headers; text: string }> {
    return new Promise((resolve, reject) => {
      if (outer?.aborted) return reject(outer.reason);
      const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
      const headers: Record<string, string> = { authorization: `Bearer ${this.o.token}`, accept: 'application/json' };
      if (body) { headers['content-type'] = 'application/json'; headers['content-length'] = String(body.length); }
      let settled = false;
      const done = (e: unknown, v?: { status: number; headers: Headers; text: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
        if (e) reject(e); else resolve(v!);
      };
      const r = (url.protocol === 'https:' ? https : http).request(url, { method: req.method, headers, agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => done(e));
        res.on('close', () => {
          if (!res.complete) return done(new Error('connection closed before the response body ended'));
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          done(null, { status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const timer = setTimeout(() => r.destroy(new Error(`timed out after ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
      const onAbort = (): void => { r.destroy(outer!.reason as Error); };
      outer?.addEventListener('abort', onAbort, { once: true });
      r.on('error', (e) => done(e));
      r.end(body);
    });
  }

  /** Closes idle keep-alive connections (the process can exit without it; this frees them early). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * x-rate-limit-reset in ms when the server's window is used up — counting the requests of ours
   * still in flight, which will spend what remains. SmartHR also sends an `x-intensive-rate-limit-*`
   * family for a second bucket; whichever is used up, the longer wait wins.
   */
  private resetMs(h: Headers): number | undefined {
    let ms: number | undefined;
    for (const prefix of ['x-rate-limit', 'x-intensive-rate-limit']) {
      const remaining = h.get(`${prefix}-remaining`);
      const reset = h.get(`${prefix}-reset`);
      if (remaining === null || reset === null || Number(remaining) > this.inflight) continue;
      const s = Number(reset);
      if (Number.isFinite(s) && s >= 0) ms = Math.max(ms ?? 0, s * 1000);
    }
    return ms;
  }

  /** Follow the server's own count: when it says the window is used up, wait for its reset. */
  private observeLimits(h: Headers, log: Record<string, unknown>): void {
    const ms = this.resetMs(h);
    if (ms === undefined) return;
    if (ms > this.limiter.pendingMs) this.o.logger.info({ ...log, wait_ms: Math.round(ms), remaining: Number(h.get('x-rate-limit-remaining')) }, 'rate limit window used up: waiting for its reset');
    this.limiter.pauseFor(ms);
  }
}
