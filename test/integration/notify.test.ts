/**
 * K11 webhook against real HTTP servers on 127.0.0.1: signature, retries, dead and hanging
 * receivers, and no secret in the logs (G5).
 */
import { describe, it, expect, afterAll } from 'vitest';
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { notifyRunFinished, notifySchema, verifySignature, type RunSummary } from '../../engine/notify.ts';

const SECRET = 'whsec-test-9f8e7d6c5b4a';
const URL_TOKEN = 'T0K3N-in-the-path-42';

// A plain pino logger without redaction: the test must see whatever notify.ts logs.
const lines: string[] = [];
const logger = pino({ level: 'debug' }, new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
const events = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

interface Received { headers: http.IncomingHttpHeaders; body: string }
const servers: http.Server[] = [];
async function server(respond: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const got: Received[] = [];
  const s = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      respond(got.length, req, res);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/hooks/${URL_TOKEN}`;
  return { got, url };
}
afterAll(async () => {
  for (const s of servers) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

const SUMMARY: RunSummary & { stages: unknown[] } = {
  run_id: '20260401T000000Z-abc123', pipeline: 'smarthr-to-kot', status: 'succeeded', kind: 'apply',
  counts: { read: 10, written: 7, unchanged: 2, filtered: 0, rejected: 1 },
  started_at: '2026-04-01T00:00:00.000Z', finished_at: '2026-04-01T00:00:05.000Z',
  errors_file: 'errors/20260401T000000Z-abc123.csv', error: null,
  stages: [{ stage: 'source', name: '山田太郎' }],
};
const opts = (url: string, over: object = {}) => notifySchema.parse({ webhook_url: url, secret: SECRET, backoff_ms: 10, ...over });

describe('webhook notifier (K11)', () => {
  it('K11: POSTs the JSON summary signed with HMAC-SHA256 of the exact body', async () => {
    const { got, url } = await server((_n, _req, res) => res.writeHead(204).end());
    const r = await notifyRunFinished(SUMMARY, opts(url), logger);
    expect(r).toEqual({ delivered: true, attempts: 1, status: 204 });
    expect(got).toHaveLength(1);
    const { headers, body } = got[0]!;
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    const expected = 'sha256=' + crypto.createHmac('sha256', SECRET).update(body).digest('hex');
    expect(headers['x-renkei-signature']).toBe(expected);
    expect(verifySignature(body, headers['x-renkei-signature'] as string, SECRET)).toBe(true);
    expect(verifySignature(body + ' ', headers['x-renkei-signature'] as string, SECRET)).toBe(false);
    expect(verifySignature(body, headers['x-renkei-signature'] as string, 'other-secret')).toBe(false);
    expect(Number(headers['x-renkei-timestamp'])).toBeGreaterThan(1_700_000_000);
    expect(JSON.parse(body)).toEqual({
      event: 'run.finished', run_id: SUMMARY.run_id, pipeline: 'smarthr-to-kot', kind: 'apply', direction: null,
      status: 'succeeded', counts: SUMMARY.counts, started_at: SUMMARY.started_at, finished_at: SUMMARY.finished_at,
      duration_ms: 5000, errors_file: SUMMARY.errors_file, error: null,
    });
    // Only the documented fields travel: nothing else from the caller's object (G6).
    expect(body).not.toContain('山田');
    expect(events().some((e) => e.event === 'notify.delivered' && e.attempt === 1)).toBe(true);
  });

  it('K11: a receiver failing twice then succeeding gets 3 deliveries, same body and delivery id', async () => {
    const { got, url } = await server((n, _req, res) => res.writeHead(n <= 2 ? 503 : 200).end('ok'));
    const r = await notifyRunFinished(SUMMARY, opts(url), logger);
    expect(r).toEqual({ delivered: true, attempts: 3, status: 200 });
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    expect(new Set(got.map((g) => g.headers['x-renkei-delivery'])).size).toBe(1);
    expect(events().filter((e) => e.event === 'notify.retry' && e.reason === 'HTTP 503').length).toBeGreaterThanOrEqual(2);
  });

  it('K11: a dead URL resolves without throwing and logs a warning', async () => {
    const dead = await server(() => {});
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const before = lines.length;
    const r = await notifyRunFinished(SUMMARY, opts(dead.url, { attempts: 2 }), logger);
    expect(r).toEqual({ delivered: false, attempts: 2, status: null });
    const warn = events().slice(before).find((e) => e.event === 'notify.undelivered');
    expect(warn).toMatchObject({ level: 40, attempts: 2, target: new URL(dead.url).origin });
    expect(String(warn!.reason)).toContain('ECONNREFUSED');
  });

  it('K11: a hanging receiver times out per attempt; a refusing (4xx) receiver is not retried', async () => {
    const hang = await server(() => { /* never answers */ });
    const r = await notifyRunFinished(SUMMARY, opts(hang.url, { attempts: 2, timeout_ms: 200 }), logger);
    expect(r).toEqual({ delivered: false, attempts: 2, status: null });
    expect(hang.got).toHaveLength(2);

    const refuse = await server((_n, _req, res) => res.writeHead(401).end('bad signature'));
    const r2 = await notifyRunFinished(SUMMARY, opts(refuse.url), logger);
    expect(r2).toEqual({ delivered: false, attempts: 1, status: 401 });
    expect(refuse.got).toHaveLength(1);
  });

  it('K11: no webhook configured sends nothing; the schema validates its options', async () => {
    expect(await notifyRunFinished(SUMMARY, notifySchema.parse({}), logger)).toEqual({ delivered: false, attempts: 0, status: null });
    expect(await notifyRunFinished(SUMMARY, undefined, logger)).toEqual({ delivered: false, attempts: 0, status: null });
    expect(notifySchema.parse({})).toEqual({ timeout_ms: 5000, attempts: 4, backoff_ms: 1000 });
    expect(notifySchema.safeParse({ webhook_url: 'ftp://example.com/x' }).success).toBe(false);
    expect(notifySchema.safeParse({ webhook_url: 'not a url' }).success).toBe(false);
    expect(notifySchema.safeParse({ webhook_url: 'https://example.com/x', extra: 1 }).success).toBe(false);
    expect(notifySchema.safeParse({ attempts: 0 }).success).toBe(false);
  });

  it('G5: neither the secret nor the webhook URL path appears in any log line', () => {
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) {
      expect(l).not.toContain(SECRET);
      expect(l).not.toContain(URL_TOKEN);
    }
  });
});
