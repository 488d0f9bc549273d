/**
 * Issue 15 job semantics, with a worker in this process (fast): K9 deferral, terminal failures kept
 * with their run id, guard refusals shown by status, transient failures retried, per-token
 * serialisation, plan-only schedules, handing jobs back on stop, and idempotent cron schedules.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type PgBoss from 'pg-boss';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { ROOT, runMain } from '../helpers/cli.ts';
import { tokyo } from '../helpers/virtual-clock.ts';
import { newPool } from '../../db/connect.ts';
import { loadTenants } from '../../config/tenants.ts';
import { Worker } from '../../jobs/worker.ts';
import { BOSS_SCHEMA, RUN_QUEUE, openBoss, type QueueTimings } from '../../jobs/queue.ts';
import { enqueueTenants } from '../../jobs/enqueue.ts';
import { syncSchedules, fireTick, type TickData } from '../../jobs/schedule.ts';
import { jobsStatus } from '../../jobs/status.ts';
import { verifySignature } from '../../engine/notify.ts';
import { crewsSyncPipeline } from '../../sandbox/smarthr/crews-sync.ts';

const FIELDS = ['emp_code', 'last_name', 'first_name', 'gender', 'email'];
const PIPELINE = crewsSyncPipeline({ fields: FIELDS, rateDefault: 50, guards: '{ min_source_ratio: 0.5 }' });
const T: QueueTimings = { leaseSeconds: 30, retryLimit: 2, retryDelaySeconds: 1, maintenanceSeconds: 1, pollingSeconds: 0.5 };

let db: TestDb;
let dir: string;
let boss: PgBoss;
const boxes: SmarthrSandbox[] = [];
const logLines: Array<Record<string, unknown>> = [];
const env: NodeJS.ProcessEnv = {};

const people = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => ({ emp_code: `${prefix}${k}`, last_name: '林', first_name: `${k}`, gender: 'male', email: `${prefix.toLowerCase()}${k}@example.jp` }));
async function box(o: Parameters<typeof startSmarthrSandbox>[0] = {}): Promise<SmarthrSandbox> {
  const b = await startSmarthrSandbox({ state: generateTenant({ employees: 2, seed: `sem-${boxes.length}` }), rateLimit: 0, ...o });
  boxes.push(b);
  return b;
}
function tenantsFile(name: string, yaml: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, yaml);
  return f;
}
const smarthr = (b: SmarthrSandbox, tokenVar: string) => `{ url: "${b.url}", token: "\${${tokenVar}}" }`;

const started: Worker[] = [];
function worker(o: { now?: () => Date; concurrency?: number; drainMs?: number } = {}): Worker {
  const sink = new Writable({ write(c, _e, cb) { for (const l of String(c).split('\n')) if (l) logLines.push(JSON.parse(l)); cb(); } });
  const logger = pino({ level: 'info' }, sink);
  const w = new Worker({ db: { pool: newPool(db.url, 6), url: db.url, close: async () => {} }, logger, secrets: new Set(), env, home: path.join(dir, '.renkei'), errorsDir: path.join(dir, 'errors'), concurrency: o.concurrency ?? 2, timings: T, drainMs: o.drainMs ?? 5000, now: o.now });
  started.push(w);
  return w;
}
async function settle(pred: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) { if (await pred()) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`timed out waiting for ${what}`);
}
const jobs = async (tenant: string) => (await db.pool.query<{ id: string; state: string; retry_count: number; output: Record<string, unknown> | null; start_after: Date }>(
  `SELECT id, state::text, retry_count, output, start_after FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND data->>'tenant' = $2 ORDER BY created_on`, [RUN_QUEUE, tenant])).rows;
const attempts = async (tenant: string) => (await db.pool.query<{ outcome: string; code: string | null; run_ids: string[]; message: string | null }>(`SELECT outcome, code, run_ids, message FROM renkei_job_attempts WHERE tenant = $1 ORDER BY id`, [tenant])).rows;

beforeAll(async () => {
  db = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-jobsem-'));
  fs.writeFileSync(path.join(dir, 'crews-sync.yaml'), PIPELINE);
  boss = await openBoss(db.url, 'control', T, () => {});
});
// A test that failed half-way must not leave its worker taking the next test's jobs.
afterEach(async () => { for (const w of started.splice(0)) await w.stop({ now: true }); });
afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 1000 });
  await Promise.all(boxes.map((b) => b.stop()));
});

describe('issue 15: job semantics', () => {
  it('K9: a KING OF TIME job taken at 08:45 JST is deferred to 10:00 JST, having sent nothing', async () => {
    const f = tenantsFile('k9.yaml', `tenants:
  - id: kot1
    name: KOT 社
    connections:
      kingoftime: { url: "http://127.0.0.1:9/v1.0", token: "\${KOT1_TOKEN}" }
      smarthr: { url: "http://127.0.0.1:9/api", token: "\${KOT1_TOKEN}" }
    pipelines: [{ file: ${path.join(ROOT, 'pipelines/kingoftime-to-smarthr.yaml')}, params: { office: o1 } }]
`);
    env.KOT1_TOKEN = 'kot-secret-token-1';
    await enqueueTenants(boss, loadTenants(f), { origin: 'test' });
    const w = worker({ now: () => new Date(tokyo('08:45:00', '2030-04-01')) });
    await w.start();
    await settle(async () => (await jobs('kot1')).some((j) => j.state === 'completed'), 'the deferral');
    await w.stop();
    const [first, again] = await jobs('kot1');
    expect(first.output).toEqual({ deferred_until: new Date(tokyo('10:00:00', '2030-04-01')).toISOString() });
    expect(again.state).toBe('created');
    expect(again.start_after.toISOString()).toBe(new Date(tokyo('10:00:00', '2030-04-01')).toISOString());
    expect((await attempts('kot1')).map((a) => [a.outcome, a.code, a.run_ids.length])).toEqual([['deferred', 'CLOSED_HOURS', 0]]);
    const st = await jobsStatus(db.pool, { failures: 10, workersSeenSeconds: 60 });
    expect(st.pipelines.find((p) => p.pipeline === 'kingoftime-to-smarthr')).toMatchObject({ deferred: 1, completed: 1, failed: 0 });
    await boss.cancel(RUN_QUEUE, again.id);
  });

  it('a refused token (401) fails the job at once, kept with its code and run id; a refused connection is retried; a guard refusal fails and status says refused', async () => {
    const good = await box();
    const revoked = await box();
    revoked.revokeToken();
    fs.writeFileSync(path.join(dir, 'in-a.json'), JSON.stringify(people('A', 4)));
    fs.writeFileSync(path.join(dir, 'in-g.json'), JSON.stringify(people('G', 10)));
    env.A_TOKEN = revoked.token; env.G_TOKEN = good.token; env.F_TOKEN = 'flaky-token-123';
    const f = tenantsFile('fail.yaml', `defaults:
  pipelines: [{ file: crews-sync.yaml, id: crews }]
tenants:
  - { id: auth, name: A, connections: { smarthr: ${smarthr(revoked, 'A_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, 'in-a.json')}" } }
  - { id: guard, name: G, connections: { smarthr: ${smarthr(good, 'G_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, 'in-g.json')}" } }
  - id: flaky
    name: F
    connections: { smarthr: { url: "http://127.0.0.1:9/api", token: "\${F_TOKEN}" } }
    env: { HR_MASTER: "${path.join(dir, 'in-a.json')}" }
    pipelines: [{ file: crews-sync.yaml, id: crews, set: ["transforms[0].target.retry_attempts=1"] }]
`);
    const tf = loadTenants(f);
    const w = worker();
    await w.start();
    await enqueueTenants(boss, tf, { origin: 'test' });
    await settle(async () => (await jobs('auth'))[0]?.state === 'failed' && (await jobs('guard'))[0]?.state === 'completed' && (await jobs('flaky'))[0]?.retry_count >= 1, 'the first round');
    // The guard tenant's source shrinks to 3 of 10 people: the next apply is refused.
    fs.writeFileSync(path.join(dir, 'in-g.json'), JSON.stringify(people('G', 3)));
    await enqueueTenants(boss, tf, { tenant: 'guard', origin: 'test' });
    await settle(async () => (await jobs('guard'))[1]?.state === 'failed', 'the guard refusal');
    await w.stop({ now: true });

    const [auth] = await jobs('auth');
    expect(auth.retry_count).toBe(0);
    const a = await attempts('auth');
    expect(a.map((x) => [x.outcome, x.code])).toEqual([['failed', 'AUTH']]);
    expect(a[0].run_ids).toHaveLength(1);
    expect(a[0].message).toContain('HTTP 401');
    const run = await db.pool.query(`SELECT status, pipeline FROM renkei_runs WHERE id = $1`, [a[0].run_ids[0]]);
    expect(run.rows[0]).toEqual({ status: 'failed', pipeline: 'auth.crews' });

    expect((await attempts('flaky'))[0]).toMatchObject({ outcome: 'retrying' });
    const g = await attempts('guard');
    expect(g.map((x) => [x.outcome, x.code])).toEqual([['succeeded', null], ['refused', 'GUARD_REFUSED']]);
    expect((await jobs('guard'))[1].retry_count).toBe(0);
    // The refused apply is recorded under the run id the job was told (plan, then apply).
    const refusedRuns = await db.pool.query(`SELECT kind, status, message FROM renkei_runs WHERE id = ANY($1) ORDER BY started_at`, [g[1].run_ids]);
    expect(refusedRuns.rows.map((r) => [r.kind, r.status])).toEqual([['plan', 'succeeded'], ['apply', 'failed']]);
    expect(refusedRuns.rows[1].message).toContain('GUARD_REFUSED');
    expect(good.state.crews.filter((c) => String(c.emp_code).startsWith('G'))).toHaveLength(10);

    const r = await runMain(['status', '--json', '--log-level', 'silent'], { DATABASE_URL: db.url }, dir);
    expect(r.code, r.stderr).toBe(0);
    const st = JSON.parse(r.stdout);
    expect(st.failures).toEqual(expect.arrayContaining([
      expect.objectContaining({ tenant: 'guard', pipeline: 'crews', outcome: 'refused', code: 'GUARD_REFUSED', run_ids: g[1].run_ids }),
      expect.objectContaining({ tenant: 'auth', outcome: 'failed', code: 'AUTH', run_ids: a[0].run_ids }),
    ]));
    const text = await runMain(['status', '--log-level', 'silent'], { DATABASE_URL: db.url }, dir);
    expect(text.stdout).toMatch(/guard crews {2}refused GUARD_REFUSED {2}run \S+/);
    // G5: no token in the logs.
    const all = JSON.stringify(logLines);
    for (const t of [good.token, revoked.token, 'flaky-token-123']) expect(all).not.toContain(t);
    for (const id of (await jobs('flaky')).map((j) => j.id)) await boss.cancel(RUN_QUEUE, id);
  });

  it('jobs sharing a connection token never run at the same time, across workers', async () => {
    const shared = await box({ latencyMs: 60 });
    env.S_TOKEN = shared.token;
    const f = tenantsFile('shared.yaml', `defaults:
  pipelines: [{ file: crews-sync.yaml, id: crews }]
tenants:
${[1, 2, 3, 4].map((k) => `  - { id: s${k}, name: S${k}, connections: { smarthr: ${smarthr(shared, 'S_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, `in-s${k}.json`)}" } }`).join('\n')}
`);
    for (const k of [1, 2, 3, 4]) fs.writeFileSync(path.join(dir, `in-s${k}.json`), JSON.stringify(people(`S${k}-`, 3)));
    const ws = [worker({ concurrency: 2 }), worker({ concurrency: 2 })];
    for (const w of ws) await w.start();
    await enqueueTenants(boss, loadTenants(f), { origin: 'test' });
    await settle(async () => (await Promise.all([1, 2, 3, 4].map((k) => jobs(`s${k}`)))).every((j) => j[0]?.state === 'completed'), 'the shared-token jobs');
    for (const w of ws) await w.stop();
    const runs = (await db.pool.query<{ started_at: Date; finished_at: Date; pipeline: string }>(`SELECT started_at, finished_at, pipeline FROM renkei_runs WHERE pipeline LIKE 's_.crews' ORDER BY started_at`)).rows;
    expect(runs).toHaveLength(8);
    for (let k = 1; k < runs.length; k++) expect(runs[k - 1].finished_at.getTime()).toBeLessThanOrEqual(runs[k].started_at.getTime());
    expect(logLines.some((l) => l.msg === 'job waiting for a lock')).toBe(true);
    expect(shared.state.crews.filter((c) => String(c.emp_code).startsWith('S'))).toHaveLength(12);
  });

  it('a company whose run is still active gets its next job queued again, and holds up no other company', async () => {
    const slow = await box({ latencyMs: 1500 });
    const fast = await box();
    env.L_TOKEN = slow.token; env.O_TOKEN = fast.token;
    fs.writeFileSync(path.join(dir, 'in-l.json'), JSON.stringify(people('L', 3)));
    const f = tenantsFile('busy.yaml', `defaults:
  pipelines: [{ file: crews-sync.yaml, id: crews }]
tenants:
  - { id: long, name: L, connections: { smarthr: ${smarthr(slow, 'L_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, 'in-l.json')}" } }
  - { id: other, name: O, connections: { smarthr: ${smarthr(fast, 'O_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, 'in-l.json')}" } }
`);
    const tf = loadTenants(f);
    const w = worker({ concurrency: 3 });
    await w.start();
    await enqueueTenants(boss, tf, { tenant: 'long', origin: 'test' });
    await settle(async () => (await attempts('long'))[0]?.run_ids.length === 1, 'the long run to start');
    // While it runs: the schedule fires again for it, then another company is queued.
    expect((await enqueueTenants(boss, tf, { tenant: 'long', origin: 'test' })).queued).toHaveLength(1);
    expect((await enqueueTenants(boss, tf, { tenant: 'long', origin: 'test' })).already).toHaveLength(1);
    await enqueueTenants(boss, tf, { tenant: 'other', origin: 'test' });
    await settle(async () => (await jobs('other'))[0]?.state === 'completed', 'the other company');
    await settle(async () => (await attempts('long')).some((a) => a.outcome === 'deferred') && (await jobs('long')).every((j) => j.state === 'completed' || j.state === 'created'), 'the long company');
    await settle(async () => (await attempts('long')).filter((a) => a.outcome === 'succeeded').length === 2, 'its second run');
    await w.stop();
    expect((await attempts('long')).map((a) => [a.outcome, a.code])).toEqual(expect.arrayContaining([['deferred', 'RUN_ACTIVE'], ['succeeded', null]]));
    // The other company's job ran and ended while the long run was still going.
    const ends = (await db.pool.query<{ tenant: string; finished_at: Date }>(`SELECT tenant, finished_at FROM renkei_job_attempts WHERE tenant IN ('long', 'other') AND outcome = 'succeeded' ORDER BY finished_at`)).rows;
    expect(ends[0].tenant).toBe('other');
    const runs = (await db.pool.query<{ started_at: Date; finished_at: Date }>(`SELECT started_at, finished_at FROM renkei_runs WHERE pipeline = 'long.crews' ORDER BY started_at`)).rows;
    expect(runs).toHaveLength(4);
    for (let k = 1; k < runs.length; k++) expect(runs[k - 1].finished_at.getTime()).toBeLessThanOrEqual(runs[k].started_at.getTime());
  });

  it('mode: plan saves a plan and its review page and writes nothing', async () => {
    const b = await box();
    env.P_TOKEN = b.token;
    fs.writeFileSync(path.join(dir, 'in-p.json'), JSON.stringify(people('P', 3)));
    const f = tenantsFile('plan.yaml', `tenants:
  - { id: pl, name: P, mode: plan, pipelines: [{ file: crews-sync.yaml }], connections: { smarthr: ${smarthr(b, 'P_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, 'in-p.json')}" } }
`);
    const w = worker();
    await w.start();
    await enqueueTenants(boss, loadTenants(f), { origin: 'test' });
    await settle(async () => (await jobs('pl'))[0]?.state === 'completed', 'the plan job');
    await w.stop();
    const out = (await jobs('pl'))[0].output as { plan_file: string; run_ids: string[] };
    expect(fs.existsSync(out.plan_file)).toBe(true);
    expect(fs.existsSync(out.plan_file.replace(/\.json$/, '.html'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(out.plan_file, 'utf8')).counts.new).toBe(3);
    expect(b.stats.writes).toBe(0);
    const runs = await db.pool.query(`SELECT kind, status FROM renkei_runs WHERE id = ANY($1)`, [out.run_ids]);
    expect(runs.rows).toEqual([{ kind: 'plan', status: 'succeeded' }]);
  });

  it('a stopped worker interrupts its current job after the drain time and hands it back: run interrupted, job retried', async () => {
    const slow = await box({ latencyMs: 1500 });
    env.H_TOKEN = slow.token;
    fs.writeFileSync(path.join(dir, 'in-h.json'), JSON.stringify(people('H', 2)));
    const f = tenantsFile('handback.yaml', `tenants:
  - { id: hb, name: H, pipelines: [{ file: crews-sync.yaml }], connections: { smarthr: ${smarthr(slow, 'H_TOKEN')} }, env: { HR_MASTER: "${path.join(dir, 'in-h.json')}" } }
`);
    const w = worker({ drainMs: 100 });
    await w.start();
    await enqueueTenants(boss, loadTenants(f), { origin: 'test' });
    await settle(async () => (await attempts('hb'))[0]?.run_ids.length === 1, 'the run to start');
    await w.stop();
    const [a] = await attempts('hb');
    expect(a.outcome).toBe('handed_back');
    expect((await db.pool.query(`SELECT status FROM renkei_runs WHERE id = $1`, [a.run_ids[0]])).rows[0].status).toBe('interrupted');
    expect((await jobs('hb'))[0]).toMatchObject({ state: 'retry', retry_count: 0 });
    for (const j of await jobs('hb')) await boss.cancel(RUN_QUEUE, j.id);
  });

  it('renkei schedule is idempotent and removes the schedules of companies no longer in the file; a tick queues their runs', async () => {
    const yaml = (tenants: string[], cron = '0 2 * * *') => `defaults:
  pipelines: [{ file: crews-sync.yaml, id: crews }]
  schedule: { cron: "${cron}" }
tenants:
${tenants.map((t) => `  - { id: ${t}, name: ${t} }`).join('\n')}
  - { id: night, name: night, schedule: { cron: "30 23 * * *", time_zone: UTC } }
`;
    const f = tenantsFile('sched.yaml', yaml(['c1', 'c2']));
    const ours = async () => (await boss.getSchedules()).filter((s) => s.name.startsWith('renkei-cron-')).map((s) => ({ cron: s.cron, tz: s.options && (s as unknown as { timezone: string }).timezone, tenants: (s.data as TickData).tenants })).sort((x, y) => x.cron.localeCompare(y.cron));
    const first = await runMain(['schedule', 'sched.yaml', '--log-level', 'silent'], { DATABASE_URL: db.url }, dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('scheduled 0 2 * * * (Asia/Tokyo): c1, c2');
    const once = await ours();
    expect(once.map((s) => [s.cron, s.tenants])).toEqual([['0 2 * * *', ['c1', 'c2']], ['30 23 * * *', ['night']]]);
    await runMain(['schedule', 'sched.yaml', '--log-level', 'silent'], { DATABASE_URL: db.url }, dir);
    expect(await ours()).toEqual(once);
    fs.writeFileSync(f, yaml(['c2'], '15 3 * * *'));
    const again = await runMain(['schedule', 'sched.yaml', '--log-level', 'silent'], { DATABASE_URL: db.url }, dir);
    expect(again.stdout).toContain('removed 1 schedule(s)');
    expect((await ours()).map((s) => [s.cron, s.tenants])).toEqual([['15 3 * * *', ['c2']], ['30 23 * * *', ['night']]]);
    const tick = (await boss.getSchedules()).find((s) => s.cron === '15 3 * * *')!;
    const r = await fireTick(boss, tick.data as TickData);
    expect(r.queued.map((q) => `${q.tenant}/${q.pipeline}`)).toEqual(['c2/crews']);
    // Fired again while that run is still queued: nothing piles up.
    expect((await fireTick(boss, tick.data as TickData)).already).toHaveLength(1);
    for (const j of await jobs('c2')) await boss.cancel(RUN_QUEUE, j.id);
    expect((await syncSchedules(boss, loadTenants(f))).removed).toEqual([]);
    // A worker takes the ticks of the cron queues (as pg-boss's clock sends them) and queues the runs.
    const w = worker();
    await w.start();
    await boss.send(tick.name, tick.data as object);
    await settle(async () => (await jobs('c2')).some((j) => j.state !== 'cancelled'), 'the tick to queue c2');
    await w.stop({ now: true });
    for (const j of await jobs('c2')) await boss.cancel(RUN_QUEUE, j.id);
  });

  it('renkei status --daily counts each company\'s jobs by how they ended, and posts the summary signed to a webhook', async () => {
    const got: Array<{ body: string; sig: string | undefined; event: string | undefined }> = [];
    const srv = http.createServer((req, res) => { let b = ''; req.on('data', (d) => (b += d)); req.on('end', () => { got.push({ body: b, sig: req.headers['x-renkei-signature'] as string | undefined, event: req.headers['x-renkei-event'] as string | undefined }); res.end('ok'); }); });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`;
    try {
      const r = await runMain(['status', '--daily', '--json', '--webhook', url, '--log-level', 'silent'], { DATABASE_URL: db.url, RENKEI_WEBHOOK_SECRET: 'daily-secret' }, dir);
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout);
      const row = (t: string) => d.tenants.find((x: { tenant: string }) => x.tenant === t);
      expect(row('auth')).toEqual({ tenant: 'auth', succeeded: 0, failed: 1, refused: 0, skipped: 0, pending: 0 });
      expect(row('guard')).toEqual({ tenant: 'guard', succeeded: 1, failed: 0, refused: 1, skipped: 0, pending: 0 });
      expect(row('kot1')).toMatchObject({ skipped: 1 });
      expect(row('flaky')).toMatchObject({ pending: 1 });
      expect(got).toHaveLength(1);
      expect(got[0].event).toBe('jobs.daily');
      expect(verifySignature(got[0].body, got[0].sig, 'daily-secret')).toBe(true);
      expect(JSON.parse(got[0].body)).toEqual(d);
      const text = await runMain(['status', '--daily', '--log-level', 'silent'], { DATABASE_URL: db.url }, dir);
      expect(text.stdout).toMatch(/^guard +1 +0 +1 +0 +0$/m);
    } finally {
      srv.close();
    }
  });
});
