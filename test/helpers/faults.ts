/**
 * The fault suite's harness (test/faults/): every shipped pipeline run against fresh sandboxes (and a
 * fresh target table) with scripted faults, then checked against a clean run of the same world.
 *
 * A **world** is the sandboxes and the Postgres target one pipeline needs, rebuilt identically from
 * seeds for every scenario, with the faults given to its sandboxes. `runInProcess` runs the shipped
 * pipeline through the runner with short timeouts and backoffs on every connection (`fastSets`) and,
 * for KING OF TIME, its components on a virtual clock (backoffs and closed hours cost nothing real).
 * `runChild` runs it as a real `renkei run` process (for SIGKILL).
 *
 * What every scenario proves (`expectConverged`): the target equals the clean run's (full snapshot,
 * generated ids and timestamps normalised away), no key is held twice and no create was repeated, every
 * run's counts add up (G1) and its error CSV holds exactly its rejected records (G2), and the final
 * run's rejected/excluded records are the clean run's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import pino from 'pino';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { beforeAll, expect, it } from 'vitest';
import { loadPipeline } from '../../config/load.ts';
import { components } from '../../config/registry.ts';
import { runPipeline } from '../../engine/runner.ts';
import { conservationProblem, type RunReport } from '../../engine/report.ts';
import type { Components } from '../../engine/types.ts';
import { kingoftimeSources } from '../../sources/kingoftime-lists.ts';
import { kingoftimeWorkingSources } from '../../sources/kingoftime-workings.ts';
import { kingoftimeEmployeesSinkWith } from '../../sinks/kingoftime-employees.ts';
import type { FaultBurst } from '../../sandbox/shared/faults.ts';
import type { SandboxStats } from '../../sandbox/shared/stats.ts';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import type { SmarthrState } from '../../sandbox/smarthr/state.ts';
import { startKingoftimeSandbox, type KingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { startMikiwameSandbox, type MikiwameSandbox } from '../../sandbox/mikiwame/server.ts';
import { linkageFrom, result } from '../../sandbox/mikiwame/generate.ts';
import type { MikiwameState } from '../../sandbox/mikiwame/state.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { createRng } from '../../sandbox/generate/prng.ts';
import { writeAttendanceCsv } from '../../sandbox/attendance-data.ts';
import { cliEnv, ROOT } from './cli.ts';
import type { TestDb } from './db.ts';
import { tokyo, virtualClock, type VirtualClock } from './virtual-clock.ts';

/** Client timeout of every connection in a faulted run, and the delay of an injected slow answer past it. */
export const TIMEOUT_MS = 2000;
export const SLOW_MS = 4500;
/** The reference date of the KING OF TIME worlds, and their virtual wall clock's start (noon in Tokyo). */
export const D = '2026-04-01';

type Hook = (req: { method: string; path: string }) => void | Promise<void>;
/** Faults (and hooks) per sandbox. */
export interface Faults {
  sh?: FaultBurst[]; kot?: FaultBurst[]; mw?: FaultBurst[];
  onSh?: Hook; onKot?: Hook; onMw?: Hook;
}

export interface World {
  /** Environment of the pipeline (sandbox URLs and tokens, files). */
  env: Record<string, string>;
  params: string[];
  /** Extra `--set`s for every run of this world (e.g. smaller batches). */
  set?: string[];
  dir: string;
  sh?: SmarthrSandbox; kot?: KingoftimeSandbox; mw?: MikiwameSandbox;
  /** The KING OF TIME components' (and sandbox's) clock. */
  clock?: VirtualClock;
  stop(): Promise<void>;
}

export interface PipelineCase {
  file: string;
  /** Builds the world (same seeds, same state every time) with these faults. */
  world(f: Faults, db: TestDb): Promise<World>;
  /** The target's full state, normalised (generated ids, timestamps and keys removed), sorted. */
  snapshot(w: World, db: TestDb): Promise<unknown>;
  /** Keys the target holds more than once (must be none). */
  duplicates(w: World, db: TestDb): Promise<string[]>;
  /** Paths of the writes that write records (default all; not e.g. the custom field templates a sink creates first). */
  recordPath?: RegExp;
}

// ---------- worlds ----------

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-faults-'));

function stops(...xs: Array<{ stop(): Promise<void> } | undefined>): () => Promise<void> {
  return async () => { for (const x of xs) await x?.stop(); };
}

const smarthr = (state: SmarthrState, f: Faults): Promise<SmarthrSandbox> =>
  startSmarthrSandbox({ state, rateLimit: 0, faults: f.sh, onAdmit: f.onSh, slowMs: SLOW_MS, seed: 'faults' });

/** A SmartHR tenant: 230 crews (3 pages of 100), departments 3 deep, the rule cases (rejects for G2). */
export const tenant = (employees = 230): SmarthrState => generateTenant({ employees, seed: 'faults', ruleCases: true });

export async function shWorld(f: Faults, db: TestDb, table?: string, employees?: number): Promise<World> {
  if (table) await db.pool.query(`DROP TABLE IF EXISTS ${table}`);
  const sh = await smarthr(tenant(employees), f);
  const dir = tmp();
  return { sh, dir, params: [], env: { SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token, DATABASE_URL: db.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors') }, stop: stops(sh) };
}

/** SmartHR and KING OF TIME mirroring it (same seed), the KOT side on a virtual clock at noon in Tokyo. */
export async function kotWorld(f: Faults, db: TestDb, opts: { table?: string; employees?: number; withSmarthr?: boolean } = {}): Promise<World> {
  if (opts.table) await db.pool.query(`DROP TABLE IF EXISTS ${opts.table}`);
  const clock = virtualClock(tokyo('12:00:00', D));
  const n = opts.employees ?? 60;
  const kot = await startKingoftimeSandbox({ employees: n, seed: 'faults', rateLimit: 0, around: D, now: clock.wall, faults: f.kot, onAdmit: f.onKot, slowMs: SLOW_MS });
  const sh = opts.withSmarthr === false ? undefined : await smarthr(generateTenant({ employees: n, seed: 'faults' }), f);
  const dir = tmp();
  const env: Record<string, string> = { KOT_URL: kot.url, KOT_TOKEN: kot.token, DATABASE_URL: db.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors') };
  if (sh) Object.assign(env, { SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token });
  return { sh, kot, clock, dir, params: [], env, stop: stops(sh, kot) };
}

/** SmartHR and Mikiwame. `mirror`: Mikiwame holds SmartHR's coded departments; `results`: people and results for SmartHR's first crews. */
export async function mwWorld(f: Faults, db: TestDb, opts: { mirror?: boolean; results?: boolean }): Promise<World> {
  const state = tenant(120);
  const now = new Date();   // the client judges the linkage (L1) on the real clock
  const mwState: MikiwameState = { departments: [], employees: [], personality_results: [], linkage: linkageFrom(now) };
  if (opts.mirror) {
    const byId = new Map(state.departments.map((d) => [d.id, d]));
    for (const d of state.departments) {
      if (!d.code) continue;
      const parent = d.parent_id ? byId.get(d.parent_id) : undefined;
      if (parent && !parent.code) continue;
      mwState.departments.push({ code: d.code, name: d.name, parent_code: parent?.code ?? null });
    }
  }
  if (opts.results) {
    const rng = createRng('faults:mw-results');
    state.crews.filter((c) => typeof c.email === 'string').slice(0, 50).forEach((c, i) => {
      const e = { id: rng.uuid(), email: c.email as string, emp_code: c.emp_code as string };
      mwState.employees.push({ ...e, last_name: '見極', first_name: `${i}郎`, last_name_kana: 'ミキワメ', first_name_kana: 'ロウ', gender: null, birth_date: null, department_code: null, position: null, hire_date: null, resign_date: null, employment_type: null, retired: false });
      for (let k = 0; k < 1 + (i % 3); k++) mwState.personality_results.push(result(rng.uuid(), e, `2025-0${1 + k}-1${i % 10}`, () => rng.int(25, 75), 'リーダー型'));
    });
    // Results for people SmartHR does not have (NO_MATCH, excluded: listed in the error CSV).
    for (let i = 0; i < 3; i++) {
      const e = { id: rng.uuid(), email: `nobody${i}@example.jp`, emp_code: `NX${i}` };
      mwState.employees.push({ ...e, last_name: '不在', first_name: `${i}`, last_name_kana: null, first_name_kana: null, gender: null, birth_date: null, department_code: null, position: null, hire_date: null, resign_date: null, employment_type: null, retired: false });
      mwState.personality_results.push(result(rng.uuid(), e, '2025-06-01', () => 50, 'バランス型'));
    }
  }
  const sh = await smarthr(state, f);
  const mw = await startMikiwameSandbox({ state: mwState, rateLimit: 0, now: () => now, faults: f.mw, onAdmit: f.onMw, slowMs: SLOW_MS, seed: 'faults' });
  const dir = tmp();
  return {
    sh, mw, dir, params: [], stop: stops(sh, mw),
    env: { SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token, MIKIWAME_URL: mw.url, MIKIWAME_TOKEN: mw.token, DATABASE_URL: db.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors') },
  };
}

/** A KING OF TIME-style attendance export (Shift_JIS, the shipped pipeline's 10 columns), 1 bad row in 500. */
export function kotAttendanceCsv(file: string, rows: number): string {
  const lines = ['従業員コード,氏名,日付,所属コード,出勤時刻,退勤時刻,休憩時間,労働時間,残業時間,深夜時間'];
  for (let i = 0; i < rows; i++) {
    const emp = String(1 + (i % 200)).padStart(6, '0');
    const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 200) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '/');
    const out = i % 7 === 0 ? '25:30' : '18:15';
    lines.push(i % 500 === 7 ? `${emp},社員 ${emp},${day},1000,,${out},1:00,8:15,0:15,0:00` : `${emp},社員 ${emp},${day},1000,09:00,${out},1:00,8:15,0:15,0:00`);
  }
  fs.writeFileSync(file, iconv.encode(lines.join('\r\n') + '\r\n', 'cp932'));
  return file;
}

export async function csvWorld(db: TestDb, table: string, kind: 'kot' | 'demo', rows: number): Promise<World> {
  await db.pool.query(`DROP TABLE IF EXISTS ${table}`);
  const dir = tmp();
  const file = path.join(dir, 'attendance.csv');
  if (kind === 'kot') kotAttendanceCsv(file, rows);
  else await writeAttendanceCsv(file, { rows, seed: 'faults', badEvery: 997 });
  return {
    dir, stop: async () => {},
    params: kind === 'kot' ? [`file=${file}`] : [],
    env: { DATABASE_URL: db.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors'), DEMO_FILE: file, DEMO_DIR: dir },
  };
}

// ---------- snapshots ----------

const byKey = <T>(rows: T[], key: (r: T) => string): T[] => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const omit = (o: Record<string, unknown>, keys: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/** SmartHR crews (custom fields by template name) and templates, without generated ids and times. */
export function smarthrSnapshot(sh: SmarthrSandbox): unknown {
  const name = new Map(sh.state.custom_field_templates.map((t) => [t.id, t.name]));
  const crews: Array<Record<string, unknown>> = sh.state.crews.map((c) => ({
    ...omit(c, ['id', 'created_at', 'updated_at', 'custom_fields']),
    custom_fields: byKey(c.custom_fields.map((f) => ({ template: name.get(f.template_id) ?? f.template_id, value: f.value })), (f) => f.template),
  }));
  return {
    crews: byKey(crews, (c) => `${String(c.emp_code)}|${String(c.email)}|${String(c.last_name)}`),
    templates: sh.state.custom_field_templates.map((t) => `${t.name}:${t.type}`).sort(),
    departments: sh.state.departments.map((d) => `${d.code}:${d.name}`).sort(),
  };
}

export function smarthrDuplicates(sh: SmarthrSandbox): string[] {
  return [
    ...dupes(sh.state.crews.map((c) => c.emp_code).filter((k) => k != null).map(String)).map((k) => `crew ${k}`),
    ...dupes(sh.state.custom_field_templates.map((t) => t.name)).map((k) => `template ${k}`),
  ];
}

export const kotSnapshot = (kot: KingoftimeSandbox): unknown => byKey(kot.state.employees.map((e) => omit(e as unknown as Record<string, unknown>, ['key'])), (e) => String(e.code));
export const kotDuplicates = (kot: KingoftimeSandbox): string[] => dupes(kot.state.employees.map((e) => e.code));

export const mwSnapshot = (mw: MikiwameSandbox): unknown => ({
  departments: byKey(mw.state.departments, (d) => d.code),
  employees: byKey(mw.state.employees.map((e) => omit(e as unknown as Record<string, unknown>, ['id'])), (e) => `${String(e.email)}|${String(e.emp_code)}`),
});
export const mwDuplicates = (mw: MikiwameSandbox): string[] => [
  ...dupes(mw.state.departments.map((d) => d.code)),
  ...dupes(mw.state.employees.map((e) => e.email).filter((x): x is string => x !== null)),
];

export async function tableSnapshot(db: TestDb, table: string, key: string[]): Promise<unknown[]> {
  const exists = (await db.pool.query('SELECT to_regclass($1) AS t', [table])).rows[0].t;
  if (!exists) return [];
  return (await db.pool.query(`SELECT * FROM ${table} ORDER BY ${key.join(', ')}`)).rows;
}

export async function tableDuplicates(db: TestDb, table: string, key: string[]): Promise<string[]> {
  const exists = (await db.pool.query('SELECT to_regclass($1) AS t', [table])).rows[0].t;
  if (!exists) return [];
  const k = key.join(', ');
  return (await db.pool.query(`SELECT concat_ws('|', ${k}) AS k FROM ${table} GROUP BY ${k} HAVING count(*) > 1`)).rows.map((r) => r.k as string);
}

function dupes(keys: string[]): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const k of keys) (seen.has(k) ? out : seen).add(k);
  return [...out];
}

// ---------- runs ----------

/**
 * `--set`s for every connection of the pipeline file (any mapping with a base_url, aliases skipped —
 * they share their anchor's mapping): short timeouts and backoffs, no client-side rate limit.
 */
export function fastSets(file: string, timeoutMs = TIMEOUT_MS): string[] {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { merge: true });
  const out: string[] = [];
  const walk = (node: unknown, at: Array<string | number>): void => {
    if (isAlias(node)) return;
    if (isMap(node)) {
      if (node.items.some((p) => isScalar(p.key) && p.key.value === 'base_url')) {
        const p = at.join('.');
        out.push(`${p}.timeout_ms=${timeoutMs}`, `${p}.retry_base_ms=5`, `${p}.rate_limit=1000`, `${p}.retry_attempts=8`);
      }
      for (const pair of node.items) if (isScalar(pair.key)) walk(pair.value, [...at, String(pair.key.value)]);
    } else if (isSeq(node)) {
      node.items.forEach((n, i) => walk(n as Node, [...at, i]));
    }
  };
  walk(doc.contents, []);
  return out;
}

/** The shipped components, KING OF TIME's on the world's virtual clock. */
function kotComponents(clock: VirtualClock): Components {
  const src = kingoftimeSources(clock);
  const work = kingoftimeWorkingSources(clock);
  const sink = kingoftimeEmployeesSinkWith(clock);
  const sources = [src.employees, src.divisions, src.workingTypes, work.daily];
  return {
    ...components,
    createSource: (cfg, ctx) => sources.find((s) => s.type === cfg.type)?.create(cfg as never, ctx) ?? components.createSource(cfg, ctx),
    createSink: (cfg, ctx) => (cfg.type === sink.type ? sink.create(cfg as never, ctx) : components.createSink(cfg, ctx)),
  };
}

export interface Run {
  report: RunReport;
  errors: Array<Record<string, string>>;
  /** Writes the sandboxes answered during the run, by status (2xx = applied). */
  applied: number;
}

const allStats = (w: World): SandboxStats[] => [w.sh?.stats, w.kot?.stats, w.mw?.stats].filter((s): s is SandboxStats => s !== undefined);
const appliedWrites = (w: World, only?: RegExp): number => allStats(w).reduce((n, s) => n + s.writeLog.filter((x) => x.status < 300 && (!only || only.test(x.path))).length, 0);

export function readErrors(file: string | null | undefined): Array<Record<string, string>> {
  if (!file || !fs.existsSync(file)) return [];
  return Papa.parse<Record<string, string>>(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
}

export const pipelineFile = (name: string): string => path.join(ROOT, 'pipelines', name);

/** Runs the shipped pipeline in this process against the world (fast connections unless `fast: false`). */
export async function runInProcess(c: PipelineCase, w: World, db: TestDb, opts: { fast?: boolean; set?: string[]; signal?: AbortSignal } = {}): Promise<Run> {
  const before = appliedWrites(w, c.recordPath);
  const set = [...(opts.fast === false ? [] : fastSets(c.file)), ...(w.set ?? []), ...(opts.set ?? [])];
  const loaded = loadPipeline(c.file, { env: w.env, params: w.params, set });
  if (w.clock) loaded.components = kotComponents(w.clock);
  const clock = w.clock;
  const report = await runPipeline(loaded, {
    logger: pino({ level: 'silent' }), db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }),
    errorsDir: w.env.RENKEI_ERRORS_DIR, signal: opts.signal, ...(clock ? { now: () => new Date(clock.wall()) } : {}),
  });
  for (const s of allStats(w)) await s.idle();
  return { report, errors: readErrors(report.errors_file), applied: appliedWrites(w, c.recordPath) - before };
}

/** A real `renkei run` process for the pipeline; `child` is there to be killed. */
export function runChild(c: PipelineCase, w: World, extra: string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; report?: RunReport }> } {
  const out = path.join(w.dir, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const args = ['run', c.file, ...w.params.flatMap((p) => ['--param', p]), ...[...fastSets(c.file), ...(w.set ?? [])].flatMap((s) => ['--set', s]), '--report-json', out, '--no-progress', ...extra];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'renkei.js'), ...args], { cwd: w.dir, env: cliEnv({ ...w.env, HOME: w.dir, RENKEI_HOME: path.join(w.dir, '.renkei'), USER: 'faults' }) });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; report?: RunReport }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr, report: fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) as RunReport : undefined }));
  });
  return { child, done };
}

/** Kills `child` with SIGKILL and waits until it is gone. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** Terminates the postgres sink's backend of the running run (application_name `renkei sink:postgres …`) when it is inside a COPY. */
export async function terminateCopy(db: TestDb): Promise<boolean> {
  const r = await db.pool.query(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'renkei sink:postgres %' AND query ILIKE 'COPY %'`);
  return r.rows.some((x) => x.ok === true);
}

/** Polls until `fn` says true (or `ms` pass): e.g. until a COPY is under way. */
export async function until(fn: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

// ---------- the checks ----------

/** G1 for a run that finished: read (+ expanded) = written + unchanged + filtered + rejected. */
export function expectConserved(r: RunReport): void {
  const c = r.counts;
  expect(conservationProblem({ read: c.read, written: c.written ?? 0, unchanged: c.unchanged, filtered: c.filtered, rejected: c.rejected }, r.expanded)).toBeNull();
}

/** G2: the error CSV holds one row per rejected record, and the listed exclusions. */
export function expectErrorFileComplete(run: Run): void {
  const rejected = run.errors.filter((e) => e.outcome === 'rejected');
  expect(rejected.length).toBe(run.report.counts.rejected);
  expect(run.errors.filter((e) => e.outcome === 'excluded').length).toBeLessThanOrEqual(run.report.counts.filtered);
  for (const e of rejected) expect(e.code, `error row ${JSON.stringify(e)}`).toMatch(/^[A-Z][A-Z0-9_]+$/);
}

/** The rejected and excluded records of a run as `code key outcome` lines (what G2 must make identical). */
export const outcomes = (run: Run): string[] => run.errors.map((e) => `${e.code} ${e.key} ${e.outcome}`).sort();

export interface Converged { runs: Run[]; final: Run }

/**
 * Runs the faulted world until a run succeeds with the clean run's rejects (at most `maxRuns`), checking
 * every run (G1 for succeeded runs, G2 always, an atomic target untouched by a failed run, a per-record
 * target's `written` = the writes it applied when no write was faulted), then that the target equals
 * the clean one and holds no key twice.
 */
export async function expectConverged(c: PipelineCase, w: World, db: TestDb, clean: { snapshot: unknown; run: Run }, opts: { maxRuns?: number; writesFaulted?: boolean; first?: Run } = {}): Promise<Converged> {
  const runs: Run[] = [];
  for (let i = 0; i < (opts.maxRuns ?? 3); i++) {
    const before = await c.snapshot(w, db);
    const run = i === 0 && opts.first ? opts.first : await runInProcess(c, w, db);
    runs.push(run);
    expect(run.report.error?.message ?? '', 'a run must never fail with an internal error').not.toMatch(/internal error|TypeError|ReferenceError/);
    expectErrorFileComplete(run);
    const atomic = (run.report.sinks ?? []).every((s) => s.commits === 'atomic');
    if (run.report.status === 'succeeded') expectConserved(run.report);
    else if (atomic && !opts.first) expect(await c.snapshot(w, db), 'a failed run into an atomic sink commits nothing').toEqual(before);
    if (!atomic && !opts.writesFaulted && !opts.first) expect(run.report.counts.written ?? 0, 'written = the writes the target applied').toBe(run.applied);
    if (run.report.status === 'succeeded' && sameOutcomes(run, clean.run)) break;
  }
  const final = runs[runs.length - 1];
  expect(final.report.status, `final run: ${final.report.error?.message ?? ''}`).toBe('succeeded');
  expect(outcomes(final), `the final run's rejects are the clean run's (its sink errors: ${final.errors.filter((e) => e.code.startsWith('SINK')).map((e) => e.message.slice(0, 160)).join('; ')})`).toEqual(outcomes(clean.run));
  expect(await c.snapshot(w, db)).toEqual(clean.snapshot);
  expect(await c.duplicates(w, db)).toEqual([]);
  return { runs, final };
}

function sameOutcomes(a: Run, b: Run): boolean {
  return JSON.stringify(outcomes(a)) === JSON.stringify(outcomes(b));
}

/** Creates (POST) the sandboxes applied, all runs together: a create sent twice for one record would show here. */
export function creates(w: World): number {
  return allStats(w).reduce((n, s) => n + s.writeLog.filter((x) => x.method === 'POST' && x.status < 300).length, 0);
}

// ---------- the suite ----------

export interface Scenario {
  /** The test title: rule IDs first, then the fault (`G1/G2/G4: a 429 storm on the crew pages`). */
  title: string;
  faults(db: TestDb): Faults;
  /** Extra `--set`s for this world's runs. */
  set?: string[];
  /** Writes are faulted in a way that leaves their outcome unknown to the client (written ≠ applied). */
  writesFaulted?: boolean;
  /** What must be true of the faulted run (the fault really happened, the first run failed …). */
  check?(r: Converged, w: World): void | Promise<void>;
}

/**
 * One `describe` per pipeline: the clean run in `beforeAll`, then per scenario a fresh world with its
 * faults, runs until converged (expectConverged), the same creates as the clean run (no create
 * repeated), and the scenario's own check.
 */
export function faultSuite(c: PipelineCase & { name: string }, scenarios: Scenario[], getDb: () => TestDb, opts: { set?: string[] } = {}): void {
  let clean: { snapshot: unknown; run: Run; creates: number };
  beforeAll(async () => {
    const db = getDb();
    const w = await c.world({}, db);
    w.set = [...(w.set ?? []), ...(opts.set ?? [])];
    try {
      const run = await runInProcess(c, w, db);
      expect(run.report.status, run.report.error?.message).toBe('succeeded');
      expect(run.report.counts.read).toBeGreaterThan(0);
      expectConserved(run.report);
      expectErrorFileComplete(run);
      clean = { snapshot: await c.snapshot(w, db), run, creates: creates(w) };
    } finally { await w.stop(); }
  });
  for (const s of scenarios) {
    it(s.title, async () => {
      const db = getDb();
      const w = await c.world(s.faults(db), db);
      w.set = [...(w.set ?? []), ...(opts.set ?? []), ...(s.set ?? [])];
      try {
        const r = await expectConverged(c, w, db, clean, { writesFaulted: s.writesFaulted });
        expect(creates(w), 'no create was repeated').toBe(clean.creates);
        await s.check?.(r, w);
      } finally { await w.stop(); }
    });
  }
}

/** The number of times the world's sandboxes injected `fault`. */
export const injected = (w: World, fault: keyof SandboxStats['faults']): number => allStats(w).reduce((n, s) => n + s.faults[fault], 0);

/**
 * SIGKILL then start again: the clean run in `beforeAll`; then a real `renkei run` process is killed
 * at the moment `killAt` picks (a sandbox holds back that request's answer until the process is gone;
 * a file pipeline is killed once its COPY is under way), started again, and the second process's run
 * must succeed (G1, G2), the target equal the clean run's with no key twice and no create repeated,
 * and the killed run be recorded `abandoned`.
 */
export function killSuite(c: PipelineCase & { name: string }, title: string, killAt: (kill: () => Promise<void>, db: TestDb) => { faults: Faults; armed?: Promise<unknown> }, getDb: () => TestDb, opts: { atomic?: boolean } = {}): void {
  let clean: { snapshot: unknown; run: Run; creates: number };
  beforeAll(async () => {
    const db = getDb();
    const w = await c.world({}, db);
    try {
      const run = await runInProcess(c, w, db);
      expect(run.report.status, run.report.error?.message).toBe('succeeded');
      clean = { snapshot: await c.snapshot(w, db), run, creates: creates(w) };
    } finally { await w.stop(); }
  });
  it(title, async () => {
    const db = getDb();
    let first: ReturnType<typeof runChild> | undefined;
    let killed = false;
    const doKill = async (): Promise<void> => { if (first && !killed) { killed = true; await kill(first.child); } };
    const plan = killAt(doKill, db);
    const w = await c.world(plan.faults, db);
    try {
      const runsBefore = (await db.pool.query(`SELECT count(*)::int AS n FROM renkei_runs WHERE pipeline = $1 AND kind <> 'plan'`, [c.name]).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n as number;
      const before = await c.snapshot(w, db);
      first = runChild(c, w);
      if (plan.armed) { await plan.armed; await doKill(); }
      const r1 = await first.done;
      expect(killed, `the process was killed mid-run (it ended: ${r1.code} ${r1.stderr.slice(-300)})`).toBe(true);
      expect(r1.signal).toBe('SIGKILL');
      for (const s of allStats(w)) await s.idle();
      if (opts.atomic) expect(await c.snapshot(w, db), 'the killed run committed nothing').toEqual(before);
      const r2 = await runChild(c, w).done;
      expect(r2.code, r2.stderr.slice(-500)).toBe(0);
      const report = r2.report!;
      expect(report.status).toBe('succeeded');
      expectConserved(report);
      // `renkei run` of a sync pipeline plans, then applies: the plan's error file holds what its stages rejected and excluded.
      const planned = report as RunReport & { plan_run_id?: string; plan_counts?: { rejected: number; excluded: number } };
      const planErrors = planned.plan_run_id ? readErrors(path.join(w.env.RENKEI_ERRORS_DIR, report.pipeline, `${planned.plan_run_id}.csv`)) : [];
      const second: Run = { report: { ...report, counts: { ...report.counts, rejected: report.counts.rejected + (planned.plan_counts?.rejected ?? 0), filtered: report.counts.filtered + (planned.plan_counts?.excluded ?? 0) } }, errors: [...planErrors, ...readErrors(report.errors_file)], applied: 0 };
      expectErrorFileComplete(second);
      expect(outcomes(second)).toEqual(outcomes(clean.run));
      expect(await c.snapshot(w, db)).toEqual(clean.snapshot);
      expect(await c.duplicates(w, db)).toEqual([]);
      expect(creates(w), 'no create was repeated').toBe(clean.creates);
      // A sync pipeline's run is a plan (which finished) and then an apply (which was killed).
      const rows = (await db.pool.query(`SELECT status FROM renkei_runs WHERE pipeline = $1 AND kind <> 'plan' ORDER BY started_at`, [c.name])).rows.slice(runsBefore).map((x) => x.status as string);
      expect(rows).toEqual(['abandoned', 'succeeded']);
    } finally { await w.stop(); }
  });
}
