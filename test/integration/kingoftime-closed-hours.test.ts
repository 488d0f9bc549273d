/**
 * K9 end to end: the shipped kingoftime-to-smarthr pipeline over real HTTP between the KING OF TIME
 * and SmartHR sandboxes, on a virtual clock the KOT client sleeps on and the KOT sandbox reads its
 * closed hours from. Also the KOT profile's own answers: 403/104 waited out, 303 throttling backed
 * off, an IP-restricted token refused with a clear message, and https_proxy tunnelling.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline, type LoadedPipeline } from '../../config/load.ts';
import { components } from '../../config/registry.ts';
import { runPipeline } from '../../engine/runner.ts';
import { makeCtx } from '../../engine/context.ts';
import type { Clock } from '../../connections/http/clock.ts';
import { kingoftimeSources } from '../../sources/kingoftime-lists.ts';
import { kingoftimeEmployeesSinkWith } from '../../sinks/kingoftime-employees.ts';
import { startKingoftimeSandbox, type KingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { ROOT } from '../helpers/cli.ts';
import { tokyo, virtualClock, type VirtualClock } from '../helpers/virtual-clock.ts';
import { farClosedWindow } from '../../sandbox/kingoftime/far-window.ts';

const SEED = 'k9';
let sh: SmarthrSandbox;
let dir: string;
beforeAll(async () => {
  sh = await startSmarthrSandbox({ employees: 30, seed: SEED, rateLimit: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-kot-k9-'));
});
afterAll(async () => { await sh.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

/** The shipped pipeline with its KOT components on the virtual clock. */
function load(file: string, kot: KingoftimeSandbox, params: string[], clock: Clock): LoadedPipeline {
  const env = { KOT_URL: kot.url, KOT_TOKEN: kot.token, KOT_RATE_LIMIT: '100', SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token, SMARTHR_RATE_LIMIT: '100', RENKEI_ERRORS_DIR: dir };
  const loaded = loadPipeline(path.join(ROOT, 'pipelines', file), { env, params });
  const src = kingoftimeSources(clock);
  const sink = kingoftimeEmployeesSinkWith(clock);
  loaded.components = {
    ...components,
    createSource: (cfg, ctx) => (cfg.type === src.employees.type ? src.employees.create(cfg, ctx) : components.createSource(cfg, ctx)),
    createSink: (cfg, ctx) => (cfg.type === sink.type ? sink.create(cfg, ctx) : components.createSink(cfg, ctx)),
  };
  return loaded;
}

const run = (loaded: LoadedPipeline, clock: VirtualClock) => runPipeline(loaded, {
  logger: pino({ level: 'silent' }), now: () => new Date(clock.wall()), recordRun: false, errorsDir: dir,
  db: async () => { throw new Error('this test uses no database'); },
});
const office = () => sh.state.biz_establishments[0].id;

describe('KING OF TIME closed hours (K9)', () => {
  it('K9: a run started at 08:45 JST with on_closed=wait sends its first request at 10:00 and none inside the window', async () => {
    const clock = virtualClock(tokyo('08:45:00'));
    const kot = await startKingoftimeSandbox({ employees: 30, seed: SEED, rateLimit: 0, now: clock.wall });
    try {
      const report = await run(load('kingoftime-to-smarthr.yaml', kot, [`office=${office()}`, 'date=2026-04-01'], clock), clock);
      expect(report.error).toBeNull();
      expect(report.status).toBe('succeeded');
      expect(kot.requests.length).toBeGreaterThan(0);
      expect(kot.requests[0].wall).toBe(tokyo('10:00:00'));
      expect(kot.requests.every((r) => r.status !== 403)).toBe(true);
    } finally { await kot.stop(); }
  });

  it('K9: with on_closed=fail at 08:45 JST the run fails having sent nothing, and names the window', async () => {
    const clock = virtualClock(tokyo('08:45:00'));
    const kot = await startKingoftimeSandbox({ employees: 30, seed: SEED, rateLimit: 0, now: clock.wall });
    const writes = sh.stats.writes;
    try {
      const report = await run(load('kingoftime-to-smarthr.yaml', kot, [`office=${office()}`, 'date=2026-04-01', 'on_closed=fail'], clock), clock);
      expect(report.status).toBe('failed');
      expect(report.error!.message).toMatch(/KING OF TIME takes no requests during 08:30–10:00, 17:30–18:30 Asia\/Tokyo/);
      expect(kot.requests).toEqual([]);
      expect(sh.stats.writes).toBe(writes);
    } finally { await kot.stop(); }
  });

  it('K9: the evening window 17:30–18:30 is kept by the KOT sink too (smarthr→kingoftime waits, then writes)', async () => {
    const clock = virtualClock(tokyo('17:59:00'));
    const kot = await startKingoftimeSandbox({ employees: 30, seed: SEED, rateLimit: 0, now: clock.wall });
    try {
      const report = await run(load('smarthr-to-kingoftime.yaml', kot, ['division=1000', 'working_type=1', 'date=2026-04-01'], clock), clock);
      expect(report.error).toBeNull();
      expect(kot.requests.filter((r) => r.method !== 'GET').length).toBeGreaterThan(0);
      expect(kot.requests.every((r) => r.status !== 403 && r.wall >= tokyo('18:30:00'))).toBe(true);
    } finally { await kot.stop(); }
  });

  it('K9: a 403 with errors[0].code 104 from the server (its hours differ from ours) is waited out, never a hard failure', async () => {
    const clock = virtualClock(tokyo('07:59:00'));
    // The older published hours: the server closes at 08:00; the client expects the newer 08:30.
    const kot = await startKingoftimeSandbox({ employees: 30, seed: SEED, rateLimit: 0, now: clock.wall, closedHours: ['08:00-10:00'] });
    try {
      const src = kingoftimeSources(clock).employees;
      const ctx = makeCtx({ now: () => new Date(clock.wall()) });
      clock.sleeps.length = 0;
      await clock.sleep(60_000);
      const source = src.create(src.schema.parse({ type: 'kingoftime.employees', base_url: kot.url, token: kot.token, rate_limit: 100, closed_windows: ['12:00-12:30'] }), ctx);
      let n = 0;
      for await (const b of source.read()) n += b.length;
      expect(n).toBeGreaterThan(0);
      expect(kot.requests.filter((r) => r.status === 403).length).toBeGreaterThan(0);
      expect(kot.requests.at(-1)).toMatchObject({ status: 200 });
      expect(kot.requests.at(-1)!.wall).toBeGreaterThanOrEqual(tokyo('10:00:00'));
    } finally { await kot.stop(); }
  });

  it('K9: closed_windows replaces the default hours (the older 08:00–10:00 page)', async () => {
    const clock = virtualClock(tokyo('08:15:00'));
    const kot = await startKingoftimeSandbox({ employees: 30, seed: SEED, rateLimit: 0, now: clock.wall, closedHours: ['08:00-10:00'] });
    try {
      const src = kingoftimeSources(clock).employees;
      const ctx = makeCtx({ now: () => new Date(clock.wall()) });
      const source = src.create(src.schema.parse({ type: 'kingoftime.employees', base_url: kot.url, token: kot.token, closed_windows: ['08:00-10:00', '17:30-18:30'], closed_hours: 'fail' }), ctx);
      await expect((async () => { for await (const _ of source.read()) { /* read */ } })()).rejects.toThrow(/08:00–10:00/);
      expect(kot.requests).toEqual([]);
    } finally { await kot.stop(); }
  });
});

/** One closed minute twelve hours from now: these tests read on the real clock, whatever time they run at. */
const AWAY = [farClosedWindow().slice(1, -1)];

describe('KING OF TIME profile: throttling, IP restriction, proxy', () => {
  it('backs off 429 {"code":"303"} throttling and still reads the whole list', async () => {
    const kot = await startKingoftimeSandbox({ employees: 30, seed: SEED, rateLimit: 1, now: () => tokyo('12:00:00') });
    try {
      const src = kingoftimeSources().employees;
      const o = src.schema.parse({ type: 'kingoftime.employees', base_url: kot.url, token: kot.token, rate_limit: 1000, retry_base_ms: 5, closed_windows: AWAY });
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        let n = 0;
        for await (const b of src.create(o, makeCtx()).read()) n += b.length;
        counts.push(n);
      }
      expect(kot.stats.tooMany).toBeGreaterThan(0);
      expect(new Set(counts).size).toBe(1);
      expect(counts[0]).toBe(kot.state.employees.filter((e) => !e.resignationDate || e.resignationDate >= '2026-04-01').length);
    } finally { await kot.stop(); }
  });

  it('an IP-restricted token: the run fails with a message naming the permitted addresses and https_proxy', async () => {
    const kot = await startKingoftimeSandbox({ employees: 5, seed: SEED, rateLimit: 0, refuseIp: true, now: () => tokyo('12:00:00') });
    try {
      const src = kingoftimeSources().employees;
      const source = src.create(src.schema.parse({ type: 'kingoftime.employees', base_url: kot.url, token: kot.token, closed_windows: AWAY }), makeCtx());
      await expect((async () => { for await (const _ of source.read()) { /* read */ } })()).rejects.toThrow(/HTTP 403 .*code 105.*permitted IP addresses.*https_proxy/);
    } finally { await kot.stop(); }
  });

  it('https_proxy: every request goes through the proxy tunnel (CONNECT), and the read is complete', async () => {
    const kot = await startKingoftimeSandbox({ employees: 10, seed: SEED, rateLimit: 0, now: () => tokyo('12:00:00') });
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => { res.writeHead(405); res.end(); });
    proxy.on('connect', (req, client, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const src = kingoftimeSources().employees;
      const port = (proxy.address() as net.AddressInfo).port;
      const source = src.create(src.schema.parse({ type: 'kingoftime.employees', base_url: kot.url, token: kot.token, https_proxy: `http://127.0.0.1:${port}`, closed_windows: AWAY }), makeCtx());
      let n = 0;
      for await (const b of source.read()) n += b.length;
      expect(n).toBeGreaterThan(0);
      expect(tunnels).toEqual([new URL(kot.url).host]);
      expect(kot.requests).toHaveLength(1);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
      await kot.stop();
    }
  });
});
