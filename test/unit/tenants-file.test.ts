/** The tenants file (issue 15): validation with file:line and key path, connections resolved per worker, failure kinds. */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTenants, tenantEnv, tenantsJsonSchema } from '../../config/tenants.ts';
import { ConfigError, RenkeiError } from '../../engine/errors.ts';
import { classifyFailure } from '../../jobs/failure.ts';
import { runMain } from '../helpers/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-tenants-'));
fs.writeFileSync(path.join(dir, 'p.yaml'), 'name: p\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
const problems = (f: string): string => { try { loadTenants(f); } catch (e) { expect(e).toBeInstanceOf(ConfigError); return (e as Error).message; } throw new Error('no error'); };

describe('tenants file', () => {
  it('applies the defaults: pipelines, schedule in Asia/Tokyo, mode run; ids default to the file name', () => {
    const f = write('ok.yaml', `defaults:
  pipelines: [{ file: p.yaml, params: { date: 2026-04-01 } }]
  schedule: { cron: "0 2 * * *" }
tenants:
  - id: acme
    name: 株式会社アクメ
    connections: { smarthr: { url: "https://acme.smarthr.jp/api", token: "\${ACME_TOKEN}", rate_limit: 5 } }
  - { id: beta, name: Beta, mode: plan, schedule: { cron: "30 3 * * 1-5", time_zone: UTC } }
`);
    const tf = loadTenants(f);
    expect(tf.tenants.map((t) => [t.id, t.mode, t.schedule, t.pipelines.map((p) => p.id)])).toEqual([
      ['acme', 'run', { cron: '0 2 * * *', time_zone: 'Asia/Tokyo' }, ['p']],
      ['beta', 'plan', { cron: '30 3 * * 1-5', time_zone: 'UTC' }, ['p']],
    ]);
  });

  it('problems name the file, the line and the key path, all at once', () => {
    const f = write('bad.yaml', `tenants:
  - id: acme
    name: A
    pipelines: [{ file: p.yaml }]
    schedule: { cron: "every night", time_zone: Mars/Olympus }
  - id: b
    name: B
    pipelines: [{ file: p.yaml }]
    conections: {}
`);
    const m = problems(f);
    expect(m).toContain(`${f}:5: tenants[0].schedule.cron: expected a 5-field cron expression`);
    expect(m).toContain(`${f}:5: tenants[0].schedule.time_zone: not an IANA time zone`);
    expect(m).toMatch(new RegExp(`${f}:9: tenants\\[1\\]\\.conections: unknown key; valid here: .*connections`));
  });

  it('a duplicated id, a missing pipeline file and a company without pipelines are problems', () => {
    const f = write('dup.yaml', `tenants:
  - { id: a, name: A, pipelines: [{ file: p.yaml }] }
  - { id: a, name: A2, pipelines: [{ file: nope.yaml }] }
  - { id: c, name: C }
`);
    const m = problems(f);
    expect(m).toContain(`${f}:3: tenants[1].id: a is already the id of the company at ${f}:2`);
    expect(m).toContain(`tenants[1].pipelines[0].file: no such file: ${path.join(dir, 'nope.yaml')}`);
    expect(m).toContain('tenants[2].pipelines: none listed here nor under defaults.pipelines');
  });

  it('connections become the variables the pipelines read, tokens from ${ENV} or a secret file; a missing variable names the entry', () => {
    write('secrets.yaml', 'kot: kot-secret-1234\n');
    const f = write('conn.yaml', `tenants:
  - id: acme
    name: A
    pipelines: [{ file: p.yaml }]
    connections:
      smarthr: { url: "\${SH_URL:-https://acme.smarthr.jp/api}", token: "\${ACME_TOKEN}", rate_limit: 5 }
      kingoftime: { url: "https://api.kingtime.jp/v1.0", token: { secret_file: secrets.yaml, key: kot } }
    env: { HR_MASTER: /data/acme.csv }
`);
    const tf = loadTenants(f);
    const r = tenantEnv(tf.tenants[0], tf.baseDir, { ACME_TOKEN: 'sh-secret-5678' });
    expect(r.env).toMatchObject({ SMARTHR_URL: 'https://acme.smarthr.jp/api', SMARTHR_TOKEN: 'sh-secret-5678', SMARTHR_RATE_LIMIT: '5', KOT_TOKEN: 'kot-secret-1234', HR_MASTER: '/data/acme.csv' });
    expect([...r.secrets].sort()).toEqual(['kot-secret-1234', 'sh-secret-5678']);
    expect(r.tokens.map((t) => t.digest).join()).not.toContain('secret');
    expect(() => tenantEnv(tf.tenants[0], tf.baseDir, {})).toThrow(/conn\.yaml:2: tenant acme: connections\.smarthr\.token: environment variable \$\{ACME_TOKEN\} is not set/);
  });

  it('renkei enqueue exits 2 on a bad tenants file; renkei schema --tenants prints its JSON Schema', async () => {
    const r = await runMain(['enqueue', 'bad.yaml'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:5: tenants[0].schedule.cron');
    const s = await runMain(['schema', '--tenants'], {}, dir);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ title: 'renkei tenants file', properties: { tenants: { type: 'array' } } });
    expect(tenantsJsonSchema()).toBeTruthy();
  });
});

describe('job failures', () => {
  it('configuration, 401, expired linkage and stale plans are terminal; a guard refusal is refused; the rest transient', () => {
    expect(classifyFailure(new ConfigError('bad')).kind).toBe('terminal');
    expect(classifyFailure({ code: 'SOURCE_HTTP', message: 'GET /crews: HTTP 401 unauthorized_token' })).toMatchObject({ kind: 'terminal', code: 'AUTH' });
    expect(classifyFailure({ code: 'LINKAGE_EXPIRED', message: 'expired' }).kind).toBe('terminal');
    expect(classifyFailure(new RenkeiError('GUARD_REFUSED', 'refusing to apply')).kind).toBe('refused');
    expect(classifyFailure({ code: 'SOURCE_HTTP', message: 'GET /crews: HTTP 503 (gave up after 6 attempts)' }).kind).toBe('transient');
    expect(classifyFailure(new RenkeiError('SINK_HTTP', 'POST /crews: HTTP 429', { transient: false })).kind).toBe('transient');
    expect(classifyFailure(new RenkeiError('DB', 'connection lost', { transient: true })).kind).toBe('transient');
  });
});
