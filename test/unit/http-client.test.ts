/** HttpClient against small local servers on 127.0.0.1 (port 0) scripted per test. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { HttpClient } from '../../connections/http/client.ts';
import { HttpError } from '../../connections/http/errors.ts';
import type { Clock } from '../../connections/http/clock.ts';
import { smarthrProfile } from '../../connections/smarthr/profile.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
const servers: http.Server[] = [];
afterEach(async () => { for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); } });

async function serve(handler: Handler): Promise<{ url: string; count: () => number }> {
  let n = 0;
  const s = http.createServer((req, res) => { n++; req.resume(); handler(req, res, n); });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/api`, count: () => n };
}

/** Virtual time for the waits (the HTTP itself is real). */
function fakeClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; } };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function client(url: string, clock = fakeClock(), extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ baseUrl: url, profile: smarthrProfile, token: 'sekret-token', rateLimit: 1000, timeoutMs: 2000, logger: pino({ level: 'silent' }), clock, retry: { baseMs: 200, attempts: 4 }, ...extra });
}

describe('HttpClient', () => {
  it('Retry-After: 0 on 429 waits at least half a backoff step each time (no hot loop), then succeeds', async () => {
    const srv = await serve((_q, res, n) => (n <= 3 ? json(res, 429, { code: 6, type: 'too_many_requests', message: 'x', errors: null }, { 'retry-after': '0' }) : json(res, 200, [1])));
    const clock = fakeClock();
    const res = await client(srv.url, clock).request({ method: 'GET', path: '/v1/x' });
    expect(res.data).toEqual([1]);
    expect(srv.count()).toBe(4);
    const waits = clock.sleeps.filter((ms) => ms >= 1);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(100);
  });

  it('sends the Bearer token and follows Retry-After seconds on 503 service_maintenance', async () => {
    const seen: string[] = [];
    const srv = await serve((req, res, n) => {
      seen.push(req.headers.authorization ?? '');
      if (n === 1) json(res, 503, { code: 9, type: 'service_maintenance', message: 'maint', errors: null }, { 'retry-after': '5' });
      else json(res, 200, { ok: true });
    });
    const clock = fakeClock();
    await client(srv.url, clock).request({ method: 'GET', path: '/v1/x' });
    expect(seen).toEqual(['Bearer sekret-token', 'Bearer sekret-token']);
    expect(Math.max(...clock.sleeps)).toBeGreaterThanOrEqual(5000);
  });

  it('waits for x-rate-limit-reset (or the intensive bucket\'s) when remaining is used up, before the next request', async () => {
    const srv = await serve((_q, res, n) => json(res, 200, [n], n === 1
      ? { 'x-rate-limit-remaining': '3', 'x-rate-limit-reset': '1', 'x-intensive-rate-limit-remaining': '0', 'x-intensive-rate-limit-reset': '7' }
      : { 'x-rate-limit-remaining': '2', 'x-rate-limit-reset': '1' }));
    const clock = fakeClock();
    const c = client(srv.url, clock);
    await c.request({ method: 'GET', path: '/v1/x' });
    expect(clock.sleeps).toEqual([]);
    await c.request({ method: 'GET', path: '/v1/x' });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7000);
    expect(srv.count()).toBe(2);
  });

  it('400/401/403/404 are not retried and carry the SmartHR body', async () => {
    for (const [status, type, code] of [[400, 'bad_request', 1], [401, 'unauthorized_token', 2], [403, 'forbidden', 3], [404, 'not_found', 4]] as const) {
      const srv = await serve((_q, res) => json(res, status, { code, type, message: 'nope', errors: null }));
      const err = await client(srv.url).request({ method: 'GET', path: '/v1/x', label: 'GET /v1/x page 1' }).catch((e: unknown) => e) as HttpError;
      expect(err).toBeInstanceOf(HttpError);
      expect(err.code).toBe('SOURCE_HTTP');
      expect(err.transient).toBe(false);
      expect(err.status).toBe(status);
      expect(err.api).toMatchObject({ code, type });
      expect(err.message).toContain(`GET /v1/x page 1: HTTP ${status} ${type} (code ${code}): nope`);
      expect(srv.count()).toBe(1);
    }
  });

  it('gives up after the attempt limit with a transient error; the error code follows the client (SINK_HTTP)', async () => {
    const srv = await serve((_q, res) => json(res, 500, { code: 5, type: 'internal_server_error', message: 'boom', errors: null }));
    const err = await client(srv.url, fakeClock(), { errorCode: 'SINK_HTTP' }).request({ method: 'PATCH', path: '/v1/crews/1', body: {} }).catch((e: unknown) => e) as HttpError;
    expect(err.code).toBe('SINK_HTTP');
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/gave up after 4 attempts/);
    expect(srv.count()).toBe(4);
  });

  it('bounds retries by total time as well', async () => {
    const srv = await serve((_q, res) => json(res, 502, {}));
    const err = await client(srv.url, fakeClock(), { retry: { attempts: 100, baseMs: 1000, maxElapsedMs: 5000 } }).request({ method: 'GET', path: '/v1/x' }).catch((e: unknown) => e) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(srv.count()).toBeLessThan(6);
  });

  it('POST is not retried on a 500 (it may have been applied) but is on 503', async () => {
    const a = await serve((_q, res) => json(res, 500, { code: 5, type: 'internal_server_error', message: 'x', errors: null }));
    await expect(client(a.url).request({ method: 'POST', path: '/v1/crews', body: {} })).rejects.toThrow(/HTTP 500/);
    expect(a.count()).toBe(1);
    const b = await serve((_q, res, n) => (n === 1 ? json(res, 503, { code: 9, type: 'service_maintenance', message: 'x', errors: null }) : json(res, 201, { id: 'c1' })));
    const res = await client(b.url).request({ method: 'POST', path: '/v1/crews', body: {} });
    expect(res.status).toBe(201);
    expect(b.count()).toBe(2);
  });

  it('retries a timeout and a connection reset', async () => {
    const srv = await serve((_q, res, n) => {
      if (n === 1) return; // never answers: the client times out
      if (n === 2) { res.writeHead(200, { 'content-length': '100' }); res.write('[1,'); res.socket?.destroy(); return; }
      json(res, 200, [1, 2]);
    });
    const res = await client(srv.url, fakeClock(), { timeoutMs: 300 }).request({ method: 'GET', path: '/v1/x' });
    expect(res.data).toEqual([1, 2]);
    expect(srv.count()).toBe(3);
  });

  it('G5: never sends the token to another origin named in a Link header', async () => {
    const srv = await serve((_q, res) => json(res, 200, []));
    const err = await client(srv.url).request({ method: 'GET', path: 'http://127.0.0.2:9/api/v1/crews?page=2' }).catch((e: unknown) => e) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toMatch(/another origin/);
    expect(srv.count()).toBe(0);
  });
});
