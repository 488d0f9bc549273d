/**
 * The sandboxes' scripted faults (sandbox/shared/faults.ts), which the fault suite (test/faults/)
 * drives: bursts by request index per kind, method and path, and what each fault looks like on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../sandbox/shared/faults.ts';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { startKingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runSmarthrSandbox } from '../../cli/commands/sandbox.ts';
import { renkeiIn } from '../helpers/in-process.ts';

describe('FaultInjector: scripted bursts', () => {
  it('hits the from-th … (from+count-1)-th matching request, counted per burst, by kind, method and path', () => {
    const f = new FaultInjector(0, 's', [
      { fault: 'http429', from: 2, count: 2 },
      { fault: 'reset', from: 1, on: 'write', method: 'POST', path: '/v1/crews' },
    ]);
    const got = [
      f.draw('GET', '/v1/crews'), f.draw('PATCH', '/v1/crews/1'), f.draw('GET', '/v1/crews'), f.draw('POST', '/v1/departments'),
      f.draw('POST', '/v1/crews'), f.draw('GET', '/v1/crews'), f.draw('GET', '/v1/crews'), f.draw('POST', '/v1/crews'),
    ];
    expect(got).toEqual([null, null, 'http429', null, 'reset', 'http429', null, null]);
    expect(f.counts).toMatchObject({ http429: 2, reset: 1 });
  });

  it('a scripted burst wins over the random draw; without a plan the seeded random draw is unchanged', () => {
    const a = new FaultInjector(0.5, 'seed');
    const b = new FaultInjector(0.5, 'seed', [{ fault: 'short', from: 1, count: 1 }]);
    const ra = Array.from({ length: 20 }, () => a.draw('GET'));
    const rb = Array.from({ length: 20 }, () => b.draw('GET'));
    expect(rb[0]).toBe('short');
    expect(ra.filter((x) => x !== null).length).toBeGreaterThan(0);
    expect(ra.every((x) => x === null || ['http500', 'http502', 'maintenance', 'reset', 'truncated', 'slow'].includes(x))).toBe(true);
  });
});

describe('faults on the wire', () => {
  let sb: SmarthrSandbox;
  beforeAll(async () => {
    sb = await startSmarthrSandbox({ state: generateTenant({ employees: 30, seed: 'wire' }), rateLimit: 0, faults: [{ fault: 'http429', from: 1 }, { fault: 'short', from: 2 }] });
  });
  afterAll(async () => { await sb.stop(); });
  const get = (p: string) => fetch(sb.url + p, { headers: { authorization: `Bearer ${sb.token}` } });

  it('http429: SmartHR\'s own refusal (code 6) with its window said used up; short: a valid page with fewer records than x-total-count', async () => {
    const r1 = await get('/v1/crews?per_page=10');
    expect(r1.status).toBe(429);
    expect(await r1.json()).toMatchObject({ code: 6, type: 'too_many_requests' });
    expect(r1.headers.get('x-rate-limit-remaining')).toBe('0');
    const r2 = await get('/v1/crews?per_page=10');
    expect(r2.status).toBe(200);
    expect(r2.headers.get('x-total-count')).toBe('30');
    expect(await r2.json()).toHaveLength(5);
    expect(await (await get('/v1/crews?per_page=10')).json()).toHaveLength(10);
  });

  it('closed: KING OF TIME\'s closed-hours refusal, 403 with errors[0].code 104', async () => {
    const kot = await startKingoftimeSandbox({ employees: 5, seed: 'wire', rateLimit: 0, now: () => Date.parse('2026-04-01T12:00:00+09:00'), faults: [{ fault: 'closed', from: 1 }] });
    try {
      const r = await fetch(`${kot.url}/employees`, { headers: { authorization: `Bearer ${kot.token}` } });
      expect(r.status).toBe(403);
      expect((await r.json()).errors[0].code).toBe(104);
      expect((await fetch(`${kot.url}/employees`, { headers: { authorization: `Bearer ${kot.token}` } })).status).toBe(200);
    } finally { await kot.stop(); }
  });
});

describe('renkei sandbox … --faults (rehearsing a pipeline under scripted faults)', () => {
  const io = (out: string[], cwd: string) => ({
    stdout: new Writable({ write(c, _e, cb) { out.push(String(c)); cb(); } }),
    stderr: new Writable({ write(_c, _e, cb) { cb(); } }),
    env: {}, cwd,
  });

  it('inline JSON or a file: the bursts hit the requests they name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-faults-cli-'));
    fs.writeFileSync(path.join(dir, 'faults.json'), JSON.stringify([{ fault: 'maintenance', from: 1, path: '/v1/departments' }]));
    for (const spec of ['[{"fault":"http429","from":2,"count":2,"on":"read"}]', 'faults.json']) {
      const out: string[] = [];
      let statuses: number[] = [];
      const code = await runSmarthrSandbox(['--employees', '5', '--rate-limit', '0', '--faults', spec], io(out, dir), async () => {
        await new Promise((r) => setImmediate(r)); // the sandbox prints its address after starting to wait
        const { url, token } = JSON.parse(out.join('').trim().split('\n')[0]) as { url: string; token: string };
        const get = (p: string) => fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
        statuses = [await get('/v1/crews'), await get('/v1/crews'), await get('/v1/departments'), await get('/v1/crews')];
      });
      expect(code).toBe(0);
      expect(statuses, spec).toEqual(spec === 'faults.json' ? [200, 200, 503, 200] : [200, 429, 429, 200]);
    }
  });

  it('a spec that is not a list of bursts is a usage error naming the place (exit 2), before anything listens', async () => {
    const cases: Array<[string, RegExp]> = [
      ['[{"fault":"teapot","from":1}]', /--faults: \[0\]\.fault: /],
      ['[{"fault":"http500","from":0}]', /--faults: \[0\]\.from: /],
      ['[{"fault":"http500","from":1,"extra":true}]', /--faults: \[0\]: .*extra/],
      ['[{"fault":', /--faults: not JSON/],
      ['missing.json', /--faults missing\.json: cannot read it \(ENOENT\)/],
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-faults-cli-'));
    for (const [spec, msg] of cases) {
      const r = await renkeiIn(['sandbox', 'smarthr', '--faults', spec], {}, dir);
      expect(r.code, spec).toBe(2);
      expect(r.stderr, spec).toMatch(msg);
      expect(r.stdout, spec).toBe('');
    }
  });
});
