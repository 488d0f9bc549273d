/**
 * Issue 15, "Done when": 3 worker processes against one PostgreSQL run a sync for 50 companies, each
 * on its own SmartHR sandbox with its own token and rate limit. One worker is SIGKILLed in the middle
 * of a run; everything still converges to what a clean sequential run gives, no company's runs
 * overlap, no sandbox ever refused a request for its rate, the killed run is `abandoned` and its job's
 * retry succeeded. The two other workers then drain on SIGTERM and exit 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { ROOT, cliEnv, runMain } from '../helpers/cli.ts';
import { jobsStatus } from '../../jobs/status.ts';
import { crewsSyncPipeline } from '../../sandbox/smarthr/crews-sync.ts';

const N = 50;
const FIELDS = ['emp_code', 'last_name', 'first_name', 'gender', 'birth_at', 'email'];
type Row = Record<string, unknown>;
const pick = (c: Row): Row => Object.fromEntries(FIELDS.map((f) => [f, c[f] ?? null]));
const id = (i: number) => `t${String(i).padStart(2, '0')}`;
/** The company whose sandbox answers slowly: its run is the one caught mid-way by the SIGKILL. */
const SLOW = 0;

const PIPELINE = crewsSyncPipeline({ fields: FIELDS, dates: ['birth_at'], concurrency: 2 });

const states = Array.from({ length: N }, (_, i) => generateTenant({ employees: 5, seed: `jobs-${i}` }));
const rate = (i: number) => 4 + (i % 4) * 3;
/** Per company: its 5 crews with one email changed, and two new people. */
const input = (i: number): Row[] => {
  const rows = states[i].crews.map((c) => pick(c as unknown as Row));
  rows[0].email = `moved-${i}@example.jp`;
  return [...rows, ...[1, 2].map((k) => ({ emp_code: `N${i}-${k}`, last_name: '新井', first_name: `${k}郎`, gender: 'male', birth_at: '1991-04-01', email: `n${i}-${k}@example.jp` }))];
};

let db: TestDb;
let cleanDb: TestDb;
let dir: string;
let work: SmarthrSandbox[] = [];
let clean: SmarthrSandbox[] = [];
let env: NodeJS.ProcessEnv;
const workers: Array<{ p: ChildProcess; out: string[]; exit: Promise<number | null> }> = [];

const tenantsYaml = (boxes: SmarthrSandbox[]) => `defaults:
  pipelines: [{ file: crews-sync.yaml, id: crews }]
tenants:
${boxes.map((b, i) => `  - id: ${id(i)}
    name: 会社${i}
    connections:
      smarthr: { url: "${b.url}", token: "\${${id(i).toUpperCase()}_TOKEN}", rate_limit: ${rate(i)} }
    env: { HR_MASTER: "${path.join(dir, `in-${i}.json`)}" }`).join('\n')}
`;

function startWorker(): void {
  const out: string[] = [];
  const p = spawn(process.execPath, [path.join(ROOT, 'bin/renkei.js'), 'worker', '--concurrency', '2', '--log-format', 'json', '--log-level', 'info', '--drain-seconds', '30'], { cwd: dir, env: cliEnv(env) });
  let buf = '';
  p.stderr!.on('data', (d) => { buf += d; const lines = buf.split('\n'); buf = lines.pop()!; out.push(...lines); });
  p.stdout!.on('data', () => {});
  workers.push({ p, out, exit: new Promise((r) => p.on('exit', (code) => r(code))) });
}

const crewsOf = (b: SmarthrSandbox) => b.state.crews.map((c) => pick(c as unknown as Row)).sort((a, b2) => String(a.emp_code).localeCompare(String(b2.emp_code)));

beforeAll(async () => {
  db = await freshDb();
  cleanDb = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-jobs-'));
  const tokens = (i: number) => `tok-${i}-${'x'.repeat(20)}`;
  work = await Promise.all(states.map((s, i) => startSmarthrSandbox({ state: structuredClone(s), token: tokens(i), rateLimit: rate(i), latencyMs: i === SLOW ? 400 : 0 })));
  clean = await Promise.all(states.map((s, i) => startSmarthrSandbox({ state: structuredClone(s), token: tokens(i), rateLimit: rate(i) })));
  fs.writeFileSync(path.join(dir, 'crews-sync.yaml'), PIPELINE);
  states.forEach((_, i) => fs.writeFileSync(path.join(dir, `in-${i}.json`), JSON.stringify(input(i))));
  fs.writeFileSync(path.join(dir, 'tenants.yaml'), tenantsYaml(work));
  fs.writeFileSync(path.join(dir, 'clean.yaml'), tenantsYaml(clean));
  env = {
    DATABASE_URL: db.url, USER: 'tester', HOME: dir, RENKEI_HOME: path.join(dir, '.renkei'),
    RENKEI_JOB_LEASE_SECONDS: '6', RENKEI_JOB_MAINTENANCE_SECONDS: '1', RENKEI_JOB_RETRY_DELAY_SECONDS: '1', RENKEI_JOB_POLL_SECONDS: '0.5',
    ...Object.fromEntries(states.map((_, i) => [`${id(i).toUpperCase()}_TOKEN`, tokens(i)])),
  };
});

afterAll(async () => {
  for (const w of workers) if (w.p.exitCode === null) w.p.kill('SIGKILL');
  await Promise.all([...work, ...clean].map((b) => b.stop()));
});

describe('issue 15: scheduled multi-tenant runs on pg-boss workers', () => {
  it('3 workers, 50 companies, one worker SIGKILLed mid-run: converges like a clean sequential run, no overlap, no rate exceeded, the killed run abandoned and retried', async () => {
    const q = await runMain(['enqueue', 'tenants.yaml', '--log-level', 'warn'], env, dir);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toContain(`queued ${N} run(s)`);
    for (let k = 0; k < 3; k++) startWorker();
    // Meanwhile the clean reference: each company on its twin sandbox, one after the other, with
    // renkei run in this process (its own database).
    const reference = (async () => {
      for (let i = 0; i < N; i++) {
        const r = await runMain(['run', 'crews-sync.yaml', '--log-level', 'silent'], { ...env, DATABASE_URL: cleanDb.url, RENKEI_HOME: path.join(dir, '.clean'), HR_MASTER: path.join(dir, `in-${i}.json`), SMARTHR_URL: clean[i].url, SMARTHR_TOKEN: clean[i].token, SMARTHR_RATE_LIMIT: String(rate(i)) }, dir);
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
    })();

    // SIGKILL the worker that is running the slow company's run, while it runs.
    let killedRun: string | undefined;
    for (let t = 0; t < 600 && !killedRun; t++) {
      const r = await db.pool.query<{ id: string; pid: number }>(`SELECT id, pid FROM renkei_runs WHERE pipeline = $1 AND status = 'running'`, [`${id(SLOW)}.crews`]).catch(() => ({ rows: [] as Array<{ id: string; pid: number }> }));
      if (r.rows[0]) {
        killedRun = r.rows[0].id;
        const w = workers.find((x) => x.p.pid === r.rows[0].pid);
        expect(w, 'the run is in one of the worker processes').toBeDefined();
        w!.p.kill('SIGKILL');
      } else await new Promise((res) => setTimeout(res, 50));
    }
    expect(killedRun).toBeDefined();

    // Wait until every job has ended.
    let st = await jobsStatus(db.pool, { failures: 10, workersSeenSeconds: 120 });
    for (let t = 0; t < 400; t++) {
      st = await jobsStatus(db.pool, { failures: 10, workersSeenSeconds: 120 });
      const p = st.pipelines[0];
      if (p && p.completed + p.failed === N && p.active + p.queued + p.retry === 0) break;
      await new Promise((res) => setTimeout(res, 150));
    }
    expect(st.pipelines).toEqual([expect.objectContaining({ pipeline: 'crews', completed: N, failed: 0, active: 0, queued: 0, retry: 0 })]);

    await reference;
    // No token ever reached the job table.
    const stored = (await db.pool.query<{ t: string }>(`SELECT string_agg(data::text || coalesce(output::text, ''), ' ') AS t FROM pgboss.job`)).rows[0].t;
    expect(stored).toContain('"tenant"');
    for (let i = 0; i < N; i++) expect(stored).not.toContain(work[i].token);
    // Every company's target equals the clean sequential run's.
    for (let i = 0; i < N; i++) expect(crewsOf(work[i]), id(i)).toEqual(crewsOf(clean[i]));
    // No sandbox refused a request for its rate limit (429): no token went over its rate.
    expect(work.map((b) => b.stats.tooMany)).toEqual(work.map(() => 0));

    // The killed run is abandoned; its job's retry succeeded.
    const killed = await db.pool.query(`SELECT status FROM renkei_runs WHERE id = $1`, [killedRun]);
    expect(killed.rows[0].status).toBe('abandoned');
    const attempts = await db.pool.query<{ outcome: string; run_ids: string[] }>(`SELECT outcome, run_ids FROM renkei_job_attempts WHERE $1 = ANY(run_ids) OR job_id IN (SELECT job_id FROM renkei_job_attempts WHERE $1 = ANY(run_ids)) ORDER BY id`, [killedRun]);
    const outcomes = attempts.rows.map((a) => a.outcome);
    // (On a very busy machine a retry may outlive its own lease once more; it is then queued again.)
    expect(outcomes[0]).toBe('abandoned');
    expect(outcomes.at(-1)).toBe('succeeded');
    expect(outcomes).not.toContain('failed');
    const retried = await db.pool.query(`SELECT status FROM renkei_runs WHERE id = ANY($1)`, [attempts.rows.at(-1)!.run_ids]);
    expect(retried.rows.map((r) => r.status)).toEqual(retried.rows.map(() => 'succeeded'));

    // No two runs of one company overlapped (plan and apply of a job follow each other).
    const runs = await db.pool.query<{ pipeline: string; started_at: Date; finished_at: Date }>(`SELECT pipeline, started_at, finished_at FROM renkei_runs ORDER BY pipeline, started_at`);
    for (let k = 1; k < runs.rows.length; k++) {
      const [a, b] = [runs.rows[k - 1], runs.rows[k]];
      if (a.pipeline === b.pipeline) expect(a.finished_at.getTime(), `${a.pipeline}`).toBeLessThanOrEqual(b.started_at.getTime());
    }

    // The two live workers drain on SIGTERM and exit 0; every log line of a run names tenant, job, pipeline and run.
    const live = workers.filter((w) => w.p.exitCode === null && w.p.signalCode === null);
    expect(live).toHaveLength(2);
    for (const w of live) w.p.kill('SIGTERM');
    expect(await Promise.all(live.map((w) => w.exit))).toEqual([0, 0]);
    const lines = workers.flatMap((w) => w.out).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofJobs = lines.filter((l) => 'job_id' in l && 'tenant' in l);
    expect(ofJobs.length).toBeGreaterThan(N);
    for (const l of lines.filter((x) => 'run_id' in x || 'tenant' in x)) {
      expect(Object.keys(l), JSON.stringify(l)).toEqual(expect.arrayContaining(['tenant', 'pipeline', 'run_id', 'job_id']));
    }
    expect(lines.filter((l) => l.event === 'run.finished').length).toBeGreaterThanOrEqual(2 * N);
  });
});
