/**
 * Tenant-runs per minute on pg-boss workers (issue 15): N companies, each on its own SmartHR sandbox
 * with its own token and rate limit, synced (plan + guards + apply) by 1, 2 and 4 `renkei worker`
 * processes of the same machine, against the ideal the per-token limits set. Numbers only.
 *
 *   node bin/run-ts.js bench/tenant-runs.ts [--tenants N] [--workers 1,2,4] [--concurrency C]
 *
 * Per level: a fresh database, fresh sandboxes (in this process), every company enqueued, then the
 * workers started. The time is the span from the first job's start to the last job's end (the
 * attempts ledger), so process start-up is left out; the CPU of each worker is read from /proc
 * when it is done. The ideal: each job needs (requests ÷ rate) seconds at its token's limit, and
 * `workers × concurrency` jobs run at a time (distinct tokens never wait for each other).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSmarthrSandbox, type SmarthrSandbox } from '../sandbox/smarthr/server.ts';
import { generateTenant } from '../sandbox/generate/tenant.ts';
import { loadTenants } from '../config/tenants.ts';
import { openBoss, queueTimings } from '../jobs/queue.ts';
import { enqueueTenants } from '../jobs/enqueue.ts';
import { ensureLedger } from '../jobs/ledger.ts';
import { ensureRunsTable } from '../db/runs.ts';
import { createScratchDatabase } from '../db/scratch.ts';
import { isEntry, withBenchDb } from './entry.ts';
import { crewsSyncPipeline } from '../sandbox/smarthr/crews-sync.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIELDS = ['emp_code', 'last_name', 'first_name', 'gender', 'email'];

export interface TenantRunsOptions { url: string; tenants?: number; employees?: number; rate?: number; latencyMs?: number; workers?: number[]; concurrency?: number; log?: (s: string) => void }
export interface TenantRunsLevel {
  workers: number; concurrency: number; tenants: number; seconds: number; runs_per_min: number;
  ideal_runs_per_min: number; pct_of_ideal: number; requests_per_run: number; server_429: number;
  cpu_s_per_worker: number[]; failed: number;
  /** CPU of this process meanwhile: the sandboxes of every company answering. */
  sandboxes_cpu_s: number;
  load_avg: number;
}
export interface TenantRunsResult { tenants: number; employees: number; rate: number; latency_ms: number; levels: TenantRunsLevel[]; note: string }

const pipelineYaml = crewsSyncPipeline({ fields: FIELDS });

/** CPU seconds (user + system) of a live process, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return Number.NaN; }
}

async function level(o: Required<Omit<TenantRunsOptions, 'workers' | 'log'>> & { workers: number; log: (s: string) => void }): Promise<TenantRunsLevel> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-tenants-'));
  const db = await createScratchDatabase(o.url, 'renkei_bench_');
  const boxes: SmarthrSandbox[] = [];
  const procs: ChildProcess[] = [];
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    for (let i = 0; i < o.tenants; i++) {
      const state = generateTenant({ employees: o.employees, seed: `bench-${i}` });
      boxes.push(await startSmarthrSandbox({ state, rateLimit: o.rate, latencyMs: o.latencyMs }));
      // Every company: a tenth of its people changed, five new.
      const rows = state.crews.map((c) => Object.fromEntries(FIELDS.map((f) => [f, (c as unknown as Record<string, unknown>)[f] ?? null])));
      rows.forEach((r, k) => { if (k % 10 === 0) r.email = `moved-${i}-${k}@example.jp`; });
      for (let k = 0; k < 5; k++) rows.push({ emp_code: `NEW${i}-${k}`, last_name: '新井', first_name: `${k}`, gender: 'male', email: `new${i}-${k}@example.jp` });
      fs.writeFileSync(path.join(dir, `in-${i}.json`), JSON.stringify(rows));
    }
    fs.writeFileSync(path.join(dir, 'crews-sync.yaml'), pipelineYaml);
    fs.writeFileSync(path.join(dir, 'tenants.yaml'), `defaults:\n  pipelines: [{ file: crews-sync.yaml, id: crews }]\ntenants:\n${boxes.map((b, i) => `  - { id: c${i}, name: C${i}, connections: { smarthr: { url: "${b.url}", token: "\${C${i}_TOKEN}", rate_limit: ${o.rate} } }, env: { HR_MASTER: "${path.join(dir, `in-${i}.json`)}" } }`).join('\n')}\n`);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, RENKEI_HOME: path.join(dir, '.renkei'), DATABASE_URL: db.url, RENKEI_JOB_POLL_SECONDS: '0.5', ...Object.fromEntries(boxes.map((b, i) => [`C${i}_TOKEN`, b.token])) };
    await ensureRunsTable(pool);
    await ensureLedger(pool);
    const boss = await openBoss(db.url, 'control', queueTimings(env), () => {});
    await enqueueTenants(boss, loadTenants(path.join(dir, 'tenants.yaml')), { origin: 'bench' });
    await boss.stop({ graceful: false, timeout: 1000 });
    const cpu0 = process.cpuUsage();
    for (let w = 0; w < o.workers; w++) {
      procs.push(spawn(process.execPath, [path.join(ROOT, 'bin/renkei.js'), 'worker', '--concurrency', String(o.concurrency), '--log-level', 'warn', '--log-format', 'json'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'ignore'] }));
    }
    let ended = 0;
    for (let t = 0; t < 6000 && ended < o.tenants; t++) {
      await new Promise((r) => setTimeout(r, 200));
      ended = Number((await pool.query(`SELECT count(*) FROM pgboss.job WHERE name = 'renkei-run' AND state IN ('completed', 'failed')`)).rows[0].count);
    }
    const cpu = procs.map((p) => cpuSeconds(p.pid!));
    const own = process.cpuUsage(cpu0);
    const span = (await pool.query<{ s: number; failed: number }>(`SELECT extract(epoch FROM max(finished_at) - min(started_at))::float AS s, count(*) FILTER (WHERE outcome <> 'succeeded')::int AS failed FROM renkei_job_attempts`)).rows[0];
    const requests = boxes.reduce((a, b) => a + b.stats.requests, 0) / o.tenants;
    const jobSeconds = requests / o.rate;
    const ideal = (Math.min(o.workers * o.concurrency, o.tenants) * 60) / jobSeconds;
    const runsPerMin = (o.tenants * 60) / span.s;
    const r: TenantRunsLevel = {
      workers: o.workers, concurrency: o.concurrency, tenants: o.tenants, seconds: span.s, runs_per_min: runsPerMin,
      ideal_runs_per_min: ideal, pct_of_ideal: (100 * runsPerMin) / ideal, requests_per_run: requests,
      server_429: boxes.reduce((a, b) => a + b.stats.tooMany, 0), cpu_s_per_worker: cpu, failed: span.failed,
      sandboxes_cpu_s: (own.user + own.system) / 1e6, load_avg: os.loadavg()[0],
    };
    const why = (await pool.query<{ outcome: string; code: string | null; message: string | null; n: number }>(
      `SELECT outcome, code, left(message, 200) AS message, count(*)::int AS n FROM renkei_job_attempts WHERE outcome <> 'succeeded' GROUP BY 1, 2, 3 ORDER BY n DESC LIMIT 5`)).rows;
    for (const w of why) o.log(`  not succeeded: ${w.n} × ${w.outcome} ${w.code ?? ''}: ${w.message ?? ''}`);
    o.log(`${o.workers} worker(s) × concurrency ${o.concurrency}: ${o.tenants} runs in ${span.s.toFixed(1)} s = ${runsPerMin.toFixed(0)} runs/min, ideal ${ideal.toFixed(0)} (${r.pct_of_ideal.toFixed(0)}%); ${requests.toFixed(0)} requests/run; CPU per worker ${cpu.map((c) => `${c.toFixed(1)} s`).join(', ')}, sandboxes ${r.sandboxes_cpu_s.toFixed(1)} s; load average ${r.load_avg.toFixed(1)}; ${r.server_429} × 429; ${span.failed} not succeeded`);
    return r;
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => { if (p.exitCode !== null) r(null); else { p.once('exit', r); setTimeout(() => { p.kill('SIGKILL'); r(null); }, 20_000).unref(); } })));
    await pool.end();
    await Promise.all(boxes.map((b) => b.stop()));
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTenantRuns(o: TenantRunsOptions): Promise<TenantRunsResult> {
  const base = { url: o.url, tenants: o.tenants ?? 60, employees: o.employees ?? 30, rate: o.rate ?? 10, latencyMs: o.latencyMs ?? 20, concurrency: o.concurrency ?? 4 };
  const log = o.log ?? ((s: string) => console.log(`  ${s}`));
  const levels: TenantRunsLevel[] = [];
  for (const w of o.workers ?? [1, 2, 4]) levels.push(await level({ ...base, workers: w, log }));
  const best = levels.reduce((a, b) => (b.runs_per_min > a.runs_per_min ? b : a));
  const cores = os.cpus().length;
  const workerCpu = best.cpu_s_per_worker.reduce((a, b) => a + b, 0);
  const cpuPerRun = workerCpu / best.tenants;
  const workerShare = workerCpu / (best.seconds * cores);
  const boxShare = best.sandboxes_cpu_s / (best.seconds * cores);
  const first = workerShare > 0.6 ? 'the workers\' CPU'
    : boxShare > 0.4 ? 'the sandboxes answering in the benchmark\'s own process'
      : `neither the workers (${(100 * workerShare).toFixed(0)}% of the cores) nor the sandboxes (${(100 * boxShare).toFixed(0)}%): PostgreSQL (each run records a plan and an apply) and the rest of a shared machine (load average ${best.load_avg.toFixed(1)} on ${cores} cores)`;
  const note = `1,000 companies of this size a night: about ${(1000 / best.runs_per_min).toFixed(0)} minutes at the best level (${best.workers} worker(s)); each run cost ${cpuPerRun.toFixed(2)} CPU-s in the workers (start-up included). Past ${best.workers} worker(s) more processes did not help: what saturated first here was ${first}. Real companies take longer per run (requests ÷ their token's limit: 60 requests at 5/s is 12 s), so there the jobs at a time (workers × concurrency) bound a night first, then PostgreSQL connections (up to concurrency + 15 per worker).`;
  log(note);
  return { tenants: base.tenants, employees: base.employees, rate: base.rate, latency_ms: base.latencyMs, levels, note };
}

if (isEntry(import.meta.url)) {
  const { values } = parseArgs({ options: { tenants: { type: 'string' }, workers: { type: 'string' }, concurrency: { type: 'string' } } });
  await withBenchDb((url) => benchTenantRuns({ url, tenants: values.tenants ? Number(values.tenants) : undefined, workers: values.workers?.split(',').map(Number), concurrency: values.concurrency ? Number(values.concurrency) : undefined }));
}
