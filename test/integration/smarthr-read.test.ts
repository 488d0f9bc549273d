/**
 * smarthr.crews against the sandbox over real HTTP (127.0.0.1, port 0): complete, ordered reads with
 * concurrency, under injected faults, through a 429 storm, and the failures that must stop a read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { smarthrCrewsSource } from '../../sources/smarthr-lists.ts';
import { makeCtx } from '../../engine/context.ts';
import { Drop, type Rec } from '../../engine/types.ts';
import { RenkeiError } from '../../engine/errors.ts';

function capture(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => { raw.push(s); } });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>), text: () => raw.join('') };
}

async function readAll(sb: SmarthrSandbox, opts: Record<string, unknown>, logger = pino({ level: 'silent' })): Promise<Rec[]> {
  const cfg = smarthrCrewsSource.schema.parse({ type: 'smarthr.crews', base_url: sb.url, token: sb.token, ...opts });
  const src = smarthrCrewsSource.create(cfg, makeCtx({ logger }));
  const out: Rec[] = [];
  for await (const batch of src.read()) {
    for (const r of batch) {
      if (r instanceof Drop) throw new Error(`unexpected drop ${r.code} at ${r.origin}`);
      out.push(r);
    }
  }
  return out;
}

const state = generateTenant({ employees: 25_000, seed: 'read-test' });
const expectedIds = state.crews.map((c) => c.id);

describe('smarthr.crews over HTTP', () => {
  let clean: SmarthrSandbox;
  beforeAll(async () => { clean = await startSmarthrSandbox({ state, rateLimit: 0, latencyMs: 0 }); });
  afterAll(async () => { await clean.stop(); });

  it('reads 25,000 crews in order, no duplicates, no gaps (per_page 100, concurrency 4)', async () => {
    const recs = await readAll(clean, { per_page: 100, concurrency: 4, rate_limit: 1000 });
    expect(recs.map((r) => r.data.id)).toEqual(expectedIds);
    expect(recs[0].origin).toBe('GET /v1/crews page 1 #1');
    expect(recs[17 + 2 * 100 - 1].origin).toBe('GET /v1/crews page 3 #17');
    expect(recs.at(-1)!.origin).toBe('GET /v1/crews page 250 #100');
    expect(clean.stats.tooMany).toBe(0);
  });

  it('G6: sends fields= when the pipeline lists fields, and keeps id', async () => {
    const recs = await readAll(clean, { fields: ['emp_code', 'departments'], emp_status: 'retired', per_page: 100, rate_limit: 1000 });
    const retired = state.crews.filter((c) => c.emp_status === 'retired').map((c) => c.id);
    expect(recs.map((r) => r.data.id)).toEqual(retired);
    for (const r of recs) expect(Object.keys(r.data).sort()).toEqual(['departments', 'emp_code', 'id']);
  });

  it('tolerates departments[] with null items and keys hidden by the token scope', async () => {
    const hidden = await startSmarthrSandbox({ state, rateLimit: 0, hiddenFields: ['birth_at', 'email'] });
    try {
      const recs = await readAll(hidden, { per_page: 100, concurrency: 2, rate_limit: 1000 });
      expect(recs).toHaveLength(state.crews.length);
      expect(recs.some((r) => (r.data.departments as unknown[]).includes(null))).toBe(true);
      expect(recs.every((r) => !('email' in r.data) && !('birth_at' in r.data))).toBe(true);
    } finally { await hidden.stop(); }
  });

  it('walks Link rel=next with paging: link, same records in the same order', async () => {
    const recs = await readAll(clean, { per_page: 100, paging: 'link', rate_limit: 1000, entered_at_from: '2020-01-01' });
    const want = state.crews.filter((c) => (c.entered_at as string) >= '2020-01-01').map((c) => c.id);
    expect(want.length).toBeGreaterThan(100);
    expect(recs.map((r) => r.data.id)).toEqual(want);
  });

  it('reads every record exactly once with fail-rate 0.05 (500/502/503, resets, truncated bodies), and logs the retries', async () => {
    const faulty = await startSmarthrSandbox({ state, rateLimit: 0, failRate: 0.05, slowMs: 300, seed: 4 });
    const log = capture();
    try {
      const recs = await readAll(faulty, { per_page: 100, concurrency: 4, rate_limit: 1000, retry_base_ms: 20, retry_attempts: 8 }, log.logger);
      expect(recs.map((r) => r.data.id)).toEqual(expectedIds);
      expect(faulty.stats.faults.reset).toBeGreaterThan(0);
      expect(faulty.stats.faults.truncated + faulty.stats.faults.http500 + faulty.stats.faults.http502 + faulty.stats.faults.maintenance).toBeGreaterThan(0);
      const retries = log.lines().filter((l) => l.msg === 'http retry');
      const injected = Object.entries(faulty.stats.faults).filter(([k]) => k !== 'slow').reduce((a, [, n]) => a + n, 0);
      expect(retries).toHaveLength(injected);
      for (const r of retries) {
        expect(r).toMatchObject({ method: 'GET', path: '/api/v1/crews', stage: 'smarthr.crews' });
        expect(typeof r.attempt).toBe('number');
        expect(typeof r.wait_ms).toBe('number');
      }
      expect(log.text()).not.toContain(faulty.token); // G5
    } finally { await faulty.stop(); }
  });
});

describe('rate limits and failures', () => {
  it('survives a 429 storm by waiting, never by dropping', async () => {
    const small = generateTenant({ employees: 200, seed: 'storm' });
    // No x-rate-limit-* headers: the client learns of the limit only from 429 + Retry-After.
    const sb = await startSmarthrSandbox({ state: small, rateLimit: 4, rateLimitHeaders: false });
    try {
      const recs = await readAll(sb, { per_page: 10, concurrency: 4, rate_limit: 50, retry_base_ms: 50 });
      expect(sb.stats.tooMany).toBeGreaterThan(0);
      expect(recs.map((r) => r.data.id)).toEqual(small.crews.map((c) => c.id));
    } finally { await sb.stop(); }
  });

  it('obeys x-rate-limit-remaining / -reset: a client faster than the server gets no 429 when the server announces its limit', async () => {
    const small = generateTenant({ employees: 120, seed: 'headers' });
    const sb = await startSmarthrSandbox({ state: small, rateLimit: 4 });
    try {
      const recs = await readAll(sb, { per_page: 10, concurrency: 1, rate_limit: 50, paging: 'link' });
      expect(recs.map((r) => r.data.id)).toEqual(small.crews.map((c) => c.id));
      expect(sb.stats.requests).toBe(12);
      expect(sb.stats.tooMany).toBe(0);
    } finally { await sb.stop(); }
  });

  it('never sends more than the configured rate (requests per second counted in the sandbox)', async () => {
    const small = generateTenant({ employees: 250, seed: 'rate' });
    const sb = await startSmarthrSandbox({ state: small, rateLimit: 0 });
    try {
      const recs = await readAll(sb, { per_page: 10, concurrency: 4, rate_limit: 8 });
      expect(recs).toHaveLength(250);
      const perSecond = sb.stats.perSecond();
      expect(perSecond.length).toBeGreaterThanOrEqual(3);
      // Grants sit on an exact 125 ms grid; one landing a few ms late across a second boundary is
      // the only way a wall-clock second can see one more than the rate.
      expect(Math.max(...perSecond)).toBeLessThanOrEqual(8 + 1);
      expect(perSecond.slice(1, -1).every((n) => n <= 9)).toBe(true);
    } finally { await sb.stop(); }
  });

  it('a wrong token fails fast: SOURCE_HTTP, not transient, naming unauthorized_token, one request', async () => {
    const sb = await startSmarthrSandbox({ employees: 50, rateLimit: 0 });
    try {
      const err = await readAll({ ...sb, token: 'not-the-token' } as SmarthrSandbox, { per_page: 10 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenkeiError);
      expect((err as RenkeiError).code).toBe('SOURCE_HTTP');
      expect((err as RenkeiError).transient).toBe(false);
      expect((err as RenkeiError).message).toMatch(/HTTP 401 unauthorized_token \(code 2\)/);
      expect((err as RenkeiError).message).not.toContain(sb.token);
      expect(sb.stats.requests).toBe(1);
    } finally { await sb.stop(); }
  });

  it('a page failing after all retries fails the source, naming the page (no silent early end)', async () => {
    const sb = await startSmarthrSandbox({ employees: 1000, rateLimit: 0, brokenPages: [3] });
    const seen: number[] = [];
    try {
      const cfg = smarthrCrewsSource.schema.parse({ type: 'smarthr.crews', base_url: sb.url, token: sb.token, per_page: 100, rate_limit: 1000, retry_attempts: 3, retry_base_ms: 10 });
      const src = smarthrCrewsSource.create(cfg, makeCtx());
      const err = await (async () => { for await (const b of src.read()) seen.push(b.length); })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenkeiError);
      expect((err as RenkeiError).code).toBe('SOURCE_HTTP');
      expect((err as RenkeiError).message).toContain('GET /v1/crews page 3');
      expect((err as RenkeiError).message).toMatch(/gave up after 3 attempts/);
      expect(seen).toEqual([100, 100]);
    } finally { await sb.stop(); }
  });
});
