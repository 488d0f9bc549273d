/**
 * What every sandbox server shares, whatever API it speaks: the server-side rate limit, seeded fault
 * injection (500, 502, 503 maintenance, slow, connection reset mid-body, truncated JSON), added
 * latency, request statistics and listening on 127.0.0.1. A sandbox brings its routes and its
 * dialect: how the API words the errors the kit sends for it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type Fault, type FaultBurst } from './faults.ts';
import { SandboxStats } from './stats.ts';
import { ServerRateLimit } from './rate-limit.ts';
import { sendText } from './http.ts';

/** An API's own wording of the replies the kit makes for it. */
export interface Dialect {
  error(kind: 'rate_limited' | 'internal' | 'maintenance', message: string): { status: number; body: string };
  /** The refusal of a request made in the API's closed hours (an API that has them). */
  closed?(): { status: number; body: string };
}

/** A route's answer. */
export interface Reply { status: number; body: string | Buffer | Buffer[]; headers?: Record<string, string> }

export interface KitOptions {
  /** Server limit in requests per second (token bucket of that size); 0 = unlimited. */
  rateLimit?: number;
  /** Send x-rate-limit-* headers (default true); false = a limit clients learn of only from 429s. */
  rateLimitHeaders?: boolean;
  /** Probability that a request meets an injected fault. */
  failRate?: number;
  /** Added to every response, in ms. */
  latencyMs?: number;
  /** Delay of an injected slow response, in ms (default 1500). */
  slowMs?: number;
  /** Seed of the fault sequence. */
  seed: string | number;
  /** Scripted fault bursts (faults.ts), on top of the random ones. */
  faults?: readonly FaultBurst[];
  /** Told of every request admitted past the rate limit, before its fault, and awaited (tests: kill a client mid-run). */
  onAdmit?: (req: { method: string; path: string }) => void | Promise<void>;
  dialect: Dialect;
}

/** The fault and latency options every sandbox takes, passed on to its kit as they are. */
export type FaultOptions = Pick<KitOptions, 'failRate' | 'latencyMs' | 'slowMs' | 'faults' | 'onAdmit'>;

/** Picks {@link FaultOptions} out of a sandbox's options. */
export const faultOptions = (o: FaultOptions): FaultOptions => ({ failRate: o.failRate, latencyMs: o.latencyMs, slowMs: o.slowMs, faults: o.faults, onAdmit: o.onAdmit });

/** Admission of one request: headers to add to its reply, and the fault drawn for it. */
export interface Admitted { headers: Record<string, string>; fault: Fault | null }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SandboxKit {
  readonly faults: FaultInjector;
  readonly stats: SandboxStats;
  private readonly limiter: ServerRateLimit;

  constructor(private readonly o: KitOptions) {
    this.faults = new FaultInjector(o.failRate ?? 0, o.seed, o.faults);
    this.stats = new SandboxStats(this.faults.counts);
    this.limiter = new ServerRateLimit(o.rateLimit ?? 0, undefined, o.rateLimitHeaders !== false);
  }

  /** Counts the request, then applies the rate limit and the faults that answer instead of the route (null: answered). */
  async admit(req: http.IncomingMessage, res: http.ServerResponse): Promise<Admitted | null> {
    const method = req.method ?? 'GET';
    const limit = this.limiter.take();
    if (!limit.ok) {
      this.stats.tooMany++;
      const e = this.o.dialect.error('rate_limited', 'リクエスト数が上限を超えました (rate limit exceeded)');
      sendText(res, e.status, e.body, limit.headers);
      return null;
    }
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    await this.o.onAdmit?.({ method, path });
    const fault = this.faults.draw(method, path);
    if (this.o.latencyMs) await sleep(this.o.latencyMs);
    if (fault === 'http429') {
      // The API's own rate-limit refusal in a storm: its window said used up and resetting now.
      this.stats.tooMany++;
      const e = this.o.dialect.error('rate_limited', 'リクエスト数が上限を超えました (rate limit exceeded)');
      const headers: Record<string, string> = this.o.rateLimitHeaders === false ? {} : { 'x-rate-limit-limit': String(this.o.rateLimit || 10), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '0' };
      sendText(res, e.status, e.body, headers);
      return null;
    }
    if (fault === 'closed') {
      if (!this.o.dialect.closed) throw new Error('this API has no closed hours: a closed fault cannot be injected');
      const e = this.o.dialect.closed();
      sendText(res, e.status, e.body, limit.headers);
      return null;
    }
    if (fault === 'slow') await sleep(this.o.slowMs ?? 1500);
    if (fault === 'http500') {
      const e = this.o.dialect.error('internal', 'Internal Server Error');
      sendText(res, e.status, e.body, limit.headers);
      return null;
    }
    if (fault === 'http502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return null;
    }
    if (fault === 'maintenance') {
      const e = this.o.dialect.error('maintenance', 'メンテナンス中です');
      sendText(res, e.status, e.body, { ...limit.headers, 'retry-after': '1' });
      return null;
    }
    return { headers: limit.headers, fault };
  }

  /** Sends a route's reply, cut short when the request drew a reset or truncation fault. */
  send(res: http.ServerResponse, reply: Reply, admitted: Admitted): void {
    const headers = { ...admitted.headers, ...reply.headers };
    const fault = admitted.fault;
    if (res.req.method !== 'GET') this.stats.writeLog.push({ method: res.req.method ?? '', path: new URL(res.req.url ?? '/', 'http://sandbox').pathname, status: reply.status });
    if (fault === 'short') {
      // A list page with fewer records than its total promises: valid JSON, the tail missing.
      const text = typeof reply.body === 'string' ? reply.body : (Array.isArray(reply.body) ? Buffer.concat(reply.body) : reply.body).toString('utf8');
      const list: unknown = JSON.parse(text);
      if (Array.isArray(list) && list.length > 0) return sendText(res, reply.status, JSON.stringify(list.slice(0, Math.floor(list.length / 2))), headers);
      return sendText(res, reply.status, text, headers);
    }
    if (fault === 'reset' || fault === 'truncated') {
      const buf = typeof reply.body === 'string' ? Buffer.from(reply.body) : Array.isArray(reply.body) ? Buffer.concat(reply.body) : reply.body;
      const cut = buf.subarray(0, Math.floor(buf.length / 2));
      if (fault === 'truncated') return sendText(res, reply.status, cut, headers);
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(buf.length), ...headers });
      res.write(cut);
      res.socket?.destroy();
      return;
    }
    sendText(res, reply.status, reply.body, headers);
  }
}

export interface Listening { port: number; close(): Promise<void> }

/**
 * Listens on 127.0.0.1 (`port` 0: any free port). Every request is counted in `stats` while it is
 * answered; a handler's exception becomes `onError`'s reply (or a destroyed socket once headers went).
 */
export async function listen(port: number, stats: SandboxStats, handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  onError: (res: http.ServerResponse, e: unknown) => void): Promise<Listening> {
  const server = http.createServer((req, res) => {
    stats.arrived();
    res.once('close', () => stats.left());
    stats.handling++;
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      onError(res, e);
    }).finally(() => { stats.handling--; });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
