/**
 * Soak: SmartHR → KING OF TIME employees (`pipelines/smarthr-to-kingoftime.yaml`, the shipped
 * pipeline) synced again and again between the two sandboxes with faults on, for `--minutes`.
 *
 *   npm run soak -- --minutes 5                        # 100,000 employees, 5% faults
 *   npm run soak -- --minutes 3 --employees 20000 --fail-rate 0.1 --change 0.02
 *
 * Both sandboxes run in this process on 127.0.0.1 (same seed: the same people by employee number,
 * KOT with its deliberate differences), with seeded fault injection (500, 502, 503 maintenance, resets
 * mid-body, truncated JSON and slow replies on reads; maintenance and slow on writes) and a server rate
 * limit high enough not to be the bottleneck. Each round is `node bin/renkei.js run` as its own process
 * (as a scheduler starts it), then `renkei plan` as a second process to check convergence. Between
 * rounds a share (`--change`) of the SmartHR employees employed on the reference date get a new last
 * name or email, as people editing SmartHR would.
 *
 * Checked per round (any failure: exit 1):
 * - conservation (G1): the run's report says read = written + unchanged + filtered + rejected;
 * - convergence: every edit of the round is in KING OF TIME afterwards, and the check plan finds
 *   0 new and 0 changed employees (only write failures the run rejected may be left, and the next
 *   round must take them);
 * - memory: the peak RSS of the run's process (VmHWM from /proc, polled) — the last round's may be at
 *   most `--rss-bound` (1.2) × the second round's (the first writes the initial differences).
 * The table and summary are printed and written to `bench/out/soak-<time>.json`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startSmarthrSandbox } from '../sandbox/smarthr/server.ts';
import { startKingoftimeSandbox } from '../sandbox/kingoftime/server.ts';
import { createRng } from '../sandbox/generate/prng.ts';
import { newPool } from '../db/connect.ts';
import { withBenchDb } from './entry.ts';
import { cliFlavour } from './cli-process.ts';
import { farClosedWindow } from '../sandbox/kingoftime/far-window.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PIPELINE = path.join(ROOT, 'pipelines', 'smarthr-to-kingoftime.yaml');

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    employees: { type: 'string', default: '100000' },
    'fail-rate': { type: 'string', default: '0.05' },
    change: { type: 'string', default: '0.01' },
    'rate-limit': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '8' },
    'rss-bound': { type: 'string', default: '1.2' },
    'min-rounds': { type: 'string', default: '3' },
    seed: { type: 'string', default: 'soak' },
  },
});
const num = (name: keyof typeof opt, min: number, max: number): number => {
  const n = Number(opt[name]);
  if (!Number.isFinite(n) || n < min || n > max) { console.error(`--${name} must be a number from ${min} to ${max}, not ${opt[name]}`); process.exit(2); }
  return n;
};
const MINUTES = num('minutes', 0, 24 * 60);
const EMPLOYEES = Math.round(num('employees', 10, 2_000_000));
const FAIL_RATE = num('fail-rate', 0, 0.5);
const CHANGE = num('change', 0, 1);
const RATE = Math.round(num('rate-limit', 0, 1e6));
const CONCURRENCY = Math.round(num('concurrency', 1, 16));
const RSS_BOUND = num('rss-bound', 1, 10);
const MIN_ROUNDS = Math.round(num('min-rounds', 1, 1000));

// The reference date: today in Tokyo (K2 allows it); the sandbox's wall clock is that day's noon, so
// its closed hours never answer, and the client's closed windows are one minute twelve hours away.
const D = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const NOON = Date.parse(`${D}T12:00:00+09:00`);
const AWAY = farClosedWindow();
const PARAMS = ['--param', 'division=1000', '--param', 'working_type=1', '--param', `date=${D}`,
  '--set', `transforms[2].target.closed_windows=${AWAY}`, '--set', `sinks[0].closed_windows=${AWAY}`];

interface Proc { code: number; stderr: string; seconds: number; peakRssMb: number }

/** Runs `node bin/renkei.js ARGS`, polling the child's peak RSS (VmHWM) until it exits. */
function renkei(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'renkei.js'), ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    const status = `/proc/${p.pid}/status`;
    const poll = (): void => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(status, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch { /* exited */ }
    };
    const timer = setInterval(poll, 100);
    p.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
    p.on('error', (e) => { clearInterval(timer); reject(e); });
    p.on('exit', () => poll());
    p.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? -1, stderr, seconds: (performance.now() - t0) / 1000, peakRssMb: Math.round(peakKb / 1024) });
    });
  });
}

interface Round {
  round: number; edited: number; status: string; read: number; new: number; changed: number; unchanged: number; filtered: number; rejected: number; written: number;
  conservation: boolean; edits_in_target: number; plan_new: number; plan_changed: number; converged: boolean;
  run_seconds: number; run_peak_rss_mb: number; plan_seconds: number; plan_peak_rss_mb: number; requests: number; faults: number; too_many: number;
}

const pad = (v: unknown, w: number) => String(v).padStart(w);
const HEAD = ['round', 'edited', 'read', 'new', 'changed', 'unchanged', 'filtered', 'rejected', 'written', 'G1', 'edits ok', 'plan new/chg', 'converged', 'run s', 'run RSS MB', 'plan s', 'plan RSS MB', 'requests', 'faults', '429s'];
const W = HEAD.map((h) => Math.max(h.length, 7));
const row = (cells: unknown[]) => cells.map((c, i) => pad(c, W[i]!)).join('  ');

async function soak(dbUrl: string): Promise<number> {
  const t0 = Date.now();
  console.log(`soak (${cliFlavour()} CLI): ${EMPLOYEES.toLocaleString()} employees, faults ${FAIL_RATE}, ${(CHANGE * 100).toFixed(1)}% edited per round, ${MINUTES} min (at least ${MIN_ROUNDS} rounds), reference date ${D}`);
  const tg = performance.now();
  const sh = await startSmarthrSandbox({ employees: EMPLOYEES, seed: opt.seed, rateLimit: RATE, failRate: FAIL_RATE, slowMs: 1500 });
  const kot = await startKingoftimeSandbox({ employees: EMPLOYEES, seed: opt.seed, rateLimit: RATE, failRate: FAIL_RATE, around: D, now: () => NOON });
  console.log(`sandboxes ready in ${((performance.now() - tg) / 1000).toFixed(1)} s: SmartHR ${sh.state.crews.length} crews, KING OF TIME ${kot.state.employees.length} employees`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-soak-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: dir, RENKEI_HOME: path.join(dir, '.renkei'), DATABASE_URL: dbUrl,
    SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token, SMARTHR_RATE_LIMIT: String(Math.min(RATE || 1000, 1000)),
    KOT_URL: kot.url, KOT_TOKEN: kot.token, KOT_RATE_LIMIT: String(Math.min(RATE || 1000, 1000)),
  };
  const rng = createRng(`soak-edits:${opt.seed}`);
  const pool = newPool(dbUrl, 2);
  const rounds: Round[] = [];
  const failures: string[] = [];
  console.log(row(HEAD));
  try {
    for (let n = 1; n === 1 || rounds.length < MIN_ROUNDS || Date.now() - t0 < MINUTES * 60_000; n++) {
      // Edits: a share of the people employed on D get a new last name or email in SmartHR.
      const edits = new Map<string, { field: 'lastName' | 'emailAddresses'; value: string }>();
      if (n > 1) {
        const employed = sh.state.crews.filter((c) => typeof c.emp_code === 'string' && c.entered_at && String(c.entered_at) <= D && (!c.resigned_at || String(c.resigned_at) >= D));
        const want = Math.round(employed.length * CHANGE);
        sh.edit(() => {
          while (edits.size < want) {
            const c = employed[Math.floor(rng.next() * employed.length)]!;
            if (edits.has(c.emp_code as string)) continue;
            if (rng.next() < 0.5) { c.last_name = `改${n}${String(c.last_name).slice(-2)}`; edits.set(c.emp_code as string, { field: 'lastName', value: c.last_name as string }); }
            else { c.email = `soak${n}.${c.emp_code}@example.jp`; edits.set(c.emp_code as string, { field: 'emailAddresses', value: c.email as string }); }
          }
        });
      }
      const before = { requests: sh.stats.requests + kot.stats.requests, faults: faultsOf(sh.stats.faults) + faultsOf(kot.stats.faults), tooMany: sh.stats.tooMany + kot.stats.tooMany };
      const report = path.join(dir, `run-${n}.json`);
      const run = await renkei(['run', PIPELINE, ...PARAMS, '--set', `sinks[0].concurrency=${CONCURRENCY}`, '--report-json', report, '--log-level', 'warn', '--log-format', 'json'], env, dir);
      const r = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined;
      if (!r) failures.push(`round ${n}: the run wrote no report (exit ${run.code}): ${run.stderr.slice(-600)}`);
      // `run` of a sync pipeline is a plan run then an apply run: G1 must hold for both, and the apply
      // must take every new and changed candidate of the plan.
      const zero: { read: number; written: number; unchanged: number; filtered: number; rejected: number } = { read: 0, written: 0, unchanged: 0, filtered: 0, rejected: 0 };
      const c: typeof zero = r?.counts ?? zero;
      const planRun = r?.plan_run_id ? (await pool.query('SELECT report FROM renkei_runs WHERE id = $1', [r.plan_run_id])).rows[0]?.report : undefined;
      const p: typeof zero = planRun?.counts ?? zero;
      const pc: { new: number; changed: number } = r?.plan_counts ?? { new: 0, changed: 0 };
      // A plan writes nothing: its report says would_write where an apply says written.
      // (`expanded`: records a 1→N stage added, e.g. the diff's target-only people; part of G1.)
      const g1 = (x: typeof zero & { would_write?: number }, expanded = 0) => x.read + expanded === (x.written ?? x.would_write ?? NaN) + x.unchanged + x.filtered + x.rejected;
      const conservation = Boolean(r && planRun) && g1(c, r.expanded) && g1(p, planRun.expanded) && c.read === pc.new + pc.changed;
      if (!conservation) failures.push(`round ${n}: conservation broken: plan ${JSON.stringify(p)} (${pc.new} new, ${pc.changed} changed), apply ${JSON.stringify(c)}`);
      if (run.code !== 0) failures.push(`round ${n}: run exited ${run.code} (${r?.status}): ${(r?.error ?? run.stderr).toString().slice(-600)}`);
      // The edits of this round are in KING OF TIME now.
      const byCode = new Map(kot.state.employees.map((e) => [e.code, e]));
      let editsOk = 0;
      for (const [code, e] of edits) {
        const k = byCode.get(code);
        const v = k && (e.field === 'emailAddresses' ? k.emailAddresses?.[0] : k.lastName);
        if (v === e.value) editsOk++;
      }
      // A second plan: nothing left to create or change (write failures the run rejected excepted).
      const planFile = path.join(dir, `plan-${n}.json`);
      const check = await renkei(['plan', PIPELINE, ...PARAMS, '--out', planFile, '--log-level', 'warn', '--log-format', 'json'], env, dir);
      let planNew = -1, planChanged = -1;
      if (check.code === 0 && fs.existsSync(planFile)) {
        const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as { candidates: Array<{ status: string }> };
        planNew = plan.candidates.filter((x) => x.status === 'new').length;
        planChanged = plan.candidates.filter((x) => x.status === 'changed').length;
        fs.rmSync(planFile);
      } else failures.push(`round ${n}: check plan exited ${check.code}: ${check.stderr.slice(-600)}`);
      const converged = planNew === 0 && planChanged === 0 && editsOk === edits.size;
      if (!converged) failures.push(`round ${n}: not converged: ${editsOk}/${edits.size} edits in KING OF TIME, check plan ${planNew} new, ${planChanged} changed`);
      const rd: Round = {
        round: n, edited: edits.size, status: r?.status ?? 'none', read: p.read, new: pc.new, changed: pc.changed, unchanged: p.unchanged, filtered: p.filtered,
        rejected: p.rejected + c.rejected, written: c.written,
        conservation, edits_in_target: editsOk, plan_new: planNew, plan_changed: planChanged, converged,
        run_seconds: +run.seconds.toFixed(1), run_peak_rss_mb: run.peakRssMb, plan_seconds: +check.seconds.toFixed(1), plan_peak_rss_mb: check.peakRssMb,
        requests: sh.stats.requests + kot.stats.requests - before.requests,
        faults: faultsOf(sh.stats.faults) + faultsOf(kot.stats.faults) - before.faults,
        too_many: sh.stats.tooMany + kot.stats.tooMany - before.tooMany,
      };
      rounds.push(rd);
      console.log(row([n, rd.edited, rd.read, rd.new, rd.changed, rd.unchanged, rd.filtered, rd.rejected, rd.written, conservation ? 'ok' : 'BROKEN', `${editsOk}/${edits.size}`, `${planNew}/${planChanged}`, converged ? 'yes' : 'NO', rd.run_seconds, rd.run_peak_rss_mb, rd.plan_seconds, rd.plan_peak_rss_mb, rd.requests, rd.faults, rd.too_many]));
      fs.rmSync(report, { force: true });
    }
  } finally {
    await pool.end();
    await sh.stop();
    await kot.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Memory: the last round's peak against the second's (the first writes the initial differences).
  const ref = rounds[1] ?? rounds[0]!;
  const last = rounds[rounds.length - 1]!;
  const rssRatio = +(last.run_peak_rss_mb / ref.run_peak_rss_mb).toFixed(3);
  const rssOk = rounds.length < 3 || rssRatio <= RSS_BOUND;
  if (!rssOk) failures.push(`peak RSS grew: last round ${last.run_peak_rss_mb} MB > ${RSS_BOUND} × round 2's ${ref.run_peak_rss_mb} MB`);
  const rss = rounds.map((x) => x.run_peak_rss_mb);
  const summary = {
    cli: cliFlavour(), employees: EMPLOYEES, fail_rate: FAIL_RATE, change: CHANGE, rate_limit: RATE, concurrency: CONCURRENCY, reference_date: D,
    minutes: +((Date.now() - t0) / 60_000).toFixed(2), rounds: rounds.length,
    edits: rounds.reduce((s, x) => s + x.edited, 0), written: rounds.reduce((s, x) => s + x.written, 0),
    requests: rounds.reduce((s, x) => s + x.requests, 0), faults: rounds.reduce((s, x) => s + x.faults, 0),
    conservation_held: rounds.every((x) => x.conservation), converged_every_round: rounds.every((x) => x.converged),
    run_peak_rss_mb: { min: Math.min(...rss), max: Math.max(...rss), round2: ref.run_peak_rss_mb, last: last.run_peak_rss_mb, ratio_last_to_round2: rssRatio, bound: RSS_BOUND, ok: rssOk },
    run_seconds_median: median(rounds.slice(1).map((x) => x.run_seconds)) ?? rounds[0]!.run_seconds,
    plan_seconds_median: median(rounds.map((x) => x.plan_seconds)),
    failures, ok: failures.length === 0,
  };
  console.log('\nsummary ' + JSON.stringify(summary, null, 2));
  const out = path.join(ROOT, 'bench', 'out');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ summary, rounds, machine: { cpus: os.cpus().length, load_end: os.loadavg(), node: process.version } }, null, 2) + '\n');
  console.log(`written ${path.relative(ROOT, file)}`);
  return failures.length === 0 ? 0 : 1;
}

function faultsOf(f: Readonly<Record<string, number>>): number {
  return Object.values(f).reduce((s, x) => s + x, 0);
}
function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

process.exitCode = await withBenchDb(soak);
