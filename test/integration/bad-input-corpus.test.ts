/**
 * The bad-input corpus (issue 14, "what to build", item 2): every case of test/fixtures/bad/*.cases.yaml
 * is run here, table-driven. A case is data — the files it writes into a fresh folder, the command, and
 * the outcome it expects (exit code and message fragments, or the counts and the rejected records with
 * their codes). Whatever the case says, every one must also hold: no stack trace, no internal error, no
 * TypeError/ReferenceError in the output; no silent loss (read = written + unchanged + filtered +
 * rejected, every rejected record a row of the error CSV, the table holding exactly what was written
 * and nothing after a failed run); no hang (each case under a time bound). README.md ("The bad-input
 * corpus") says how to add a case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { z } from 'zod';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { ROOT, renkei, runMain, type CliResult } from '../helpers/cli.ts';
import net from 'node:net';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { writtenOf, type RunReport } from '../../engine/report.ts';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { startKingoftimeSandbox, type KingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { startMikiwameSandbox, type MikiwameSandbox } from '../../sandbox/mikiwame/server.ts';

const CORPUS = path.join(ROOT, 'test/fixtures/bad');

// ---- the case format (a typo in a case fails here, not silently) ----

/** File content: text (UTF-8), or parts joined: text, hex bytes, a repeated text, text in another encoding. */
const part = z.union([
  z.string(),
  z.strictObject({ hex: z.string() }),
  z.strictObject({ repeat: z.string(), times: z.number().int().min(1) }),
  z.strictObject({ text: z.string(), encoding: z.string() }),
]);
const content = z.union([part, z.array(part)]);
/** An expected fragment: a substring, or `re:` and a regular expression. */
const fragments = z.array(z.string()).default([]);

const expectSchema = z.strictObject({
  /** The exit code (every command case). */
  code: z.number().int().optional(),
  stdout: fragments,
  stderr: fragments,
  /** Fragments that must appear nowhere in stdout or stderr (a secret, a value). */
  absent: fragments,
  /** Subset of the run report's counts. */
  counts: z.record(z.string(), z.number()).optional(),
  /** The report's rejected codes, exactly. */
  rejected: z.record(z.string(), z.number()).optional(),
  /** The report's filtered codes, exactly. */
  filtered: z.record(z.string(), z.number()).optional(),
  /** Rows of the error CSV, each matched as a subset (run_id, stage, code, message, key, origin, record, outcome). */
  error_rows: z.array(z.record(z.string(), z.string())).optional(),
  /** Fragments of the error CSV file. */
  errors_csv: fragments,
  /** The values of these columns in the target table, ordered by the first one listed. */
  values: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.null()]))).optional(),
  /** API cases: the status and fragments of the answer's body. */
  status: z.number().int().optional(),
  body: fragments,
});

const caseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  about: z.string().min(10),
  /** Files written into the case's fresh folder (paths relative to it). */
  files: z.record(z.string(), content).default({}),
  /** Merged into the category's pipeline (`p.yaml`): top-level keys, the source, the first sink. */
  pipeline: z.record(z.string(), z.unknown()).optional(),
  source: z.record(z.string(), z.unknown()).optional(),
  sink: z.record(z.string(), z.unknown()).optional(),
  /** Without a category pipeline or `files['p.yaml']`, none is written. */
  argv: z.array(z.string()).optional(),
  /** Added to the default environment (DATABASE_URL = the test database, RENKEI_HOME in the case folder). */
  env: z.record(z.string(), z.string()).optional(),
  /** `run` commands get --no-progress and --report-json unless false. */
  report: z.boolean().default(true),
  /** A real child process instead of main() in-process (only for what needs one). */
  child: z.boolean().default(false),
  /** Commands run before the case's argv in the same folder (each must exit 0 unless it says). */
  before: z.array(z.strictObject({ argv: z.array(z.string()), code: z.number().int().default(0) })).default([]),
  /** API cases. */
  sandbox: z.enum(['smarthr', 'kingoftime', 'mikiwame']).optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  auth: z.enum(['token', 'none', 'wrong']).default('token'),
  body: content.optional(),
  timeout_s: z.number().default(20),
  expect: expectSchema,
});
type Case = z.output<typeof caseSchema>;

const fileSchema = z.strictObject({
  about: z.string(),
  /** The pipeline every case of the file starts from (written as p.yaml), and its default argv. */
  pipeline: z.record(z.string(), z.unknown()).optional(),
  argv: z.array(z.string()).default(['run', 'p.yaml']),
  /** Anything, for YAML anchors the cases share (`&files` … `*files`). */
  shared: z.unknown().optional(),
  cases: z.array(caseSchema).min(1),
});

const categories = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.cases.yaml')).sort().map((f) => {
  const parsed = fileSchema.safeParse(parseYaml(fs.readFileSync(path.join(CORPUS, f), 'utf8'), { maxAliasCount: -1, merge: true }));
  if (!parsed.success) throw new Error(`${f}: ${z.prettifyError(parsed.error)}`);
  return { name: f.replace(/\.cases\.yaml$/, ''), ...parsed.data };
});

// ---- shared resources: one database, one sandbox of each kind (started when a case needs it) ----

let tdb: TestDb;
let root: string;
/** A server that accepts connections and never answers (a database behind a black-holing firewall). */
let silent: net.Server;
const sandboxes: { smarthr?: SmarthrSandbox; kingoftime?: KingoftimeSandbox; mikiwame?: MikiwameSandbox } = {};
beforeAll(async () => {
  tdb = await freshDb();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bad-'));
  silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const s of Object.values(sandboxes)) await s?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  silent?.close();
});

async function sandbox(kind: 'smarthr' | 'kingoftime' | 'mikiwame'): Promise<{ url: string; token: string; probe: string }> {
  if (kind === 'smarthr') {
    sandboxes.smarthr ??= await startSmarthrSandbox({ employees: 3, rateLimit: 0 });
    return { url: sandboxes.smarthr.url, token: sandboxes.smarthr.token, probe: '/v1/crews' };
  }
  if (kind === 'kingoftime') {
    // Noon JST, outside the closed hours (K9), so a case meets the body checks and not the window.
    sandboxes.kingoftime ??= await startKingoftimeSandbox({ employees: 3, rateLimit: 0, now: () => Date.parse('2026-11-30T03:00:00Z') });
    return { url: sandboxes.kingoftime.url, token: sandboxes.kingoftime.token, probe: '/employees' };
  }
  sandboxes.mikiwame ??= await startMikiwameSandbox({ employees: 3, rateLimit: 0 });
  return { url: sandboxes.mikiwame.url, token: sandboxes.mikiwame.token, probe: '/v1/employees' };
}

// ---- building a case ----

function bytesOf(c: z.output<typeof content>, subst: (s: string) => string): Buffer {
  const parts = Array.isArray(c) ? c : [c];
  return Buffer.concat(parts.map((p) => {
    if (typeof p === 'string') return Buffer.from(subst(p), 'utf8');
    if ('hex' in p) return Buffer.from(p.hex.replace(/\s+/g, ''), 'hex');
    if ('repeat' in p) return Buffer.from(p.repeat.repeat(p.times), 'utf8');
    return iconv.encode(p.text, p.encoding);
  }));
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** The category pipeline with the case's top-level keys, source and first sink merged in, and a table of its own. */
function pipelineOf(base: Record<string, unknown>, c: Case, table: string): Record<string, unknown> {
  const p: Record<string, unknown> = { ...structuredClone(base), name: c.id, ...(c.pipeline ?? {}) };
  if (c.source) p.source = { ...(p.source as object), ...c.source };
  const sinks = (p.sinks as unknown[] | undefined)?.slice();
  if (sinks && isObject(sinks[0])) {
    sinks[0] = { ...sinks[0], ...(c.sink ?? {}) };
    if ((sinks[0] as { type?: string }).type === 'postgres' && !(c.sink && 'table' in c.sink)) (sinks[0] as Record<string, unknown>).table = table;
    p.sinks = sinks;
  }
  return p;
}

/** What a case's output must never show, whatever it expects. */
function assertNoCrash(out: string): void {
  expect(out, 'a stack frame').not.toMatch(/\n\s+at [^\n]*[(:]\d+/);
  expect(out, 'a stack in a log line').not.toMatch(/"stack":|\\n\s+at /);
  expect(out).not.toMatch(/internal error|\b(TypeError|ReferenceError|RangeError)\b|Maximum call stack|Cannot read propert|undefined is not|is not a function/);
}

/** Finding 14: a summary prints `read N = …` only when the equation holds (a run that stopped part-way lists its counts). */
function assertTrueEquations(stdout: string): void {
  const num = (x: string) => Number(x.replaceAll(',', ''));
  for (const m of stdout.matchAll(/read ([\d,]+)(?: \+ ([\d,]+) target-only)? = (?:would write|written) ([\d,]+) \+ unchanged ([\d,]+) \+ filtered ([\d,]+) \+ rejected ([\d,]+)/g)) {
    expect(num(m[3]) + num(m[4]) + num(m[5]) + num(m[6]), `a true equation: ${m[0]}`).toBe(num(m[1]) + num(m[2] ?? '0'));
  }
}

function matches(text: string, fragment: string): boolean {
  return fragment.startsWith('re:') ? new RegExp(fragment.slice(3)).test(text) : text.includes(fragment);
}

function assertFragments(text: string, wanted: string[], what: string): void {
  for (const f of wanted) expect(matches(text, f), `${what} should contain ${f}\n--- ${what}:\n${text}`).toBe(true);
}

/** Fails a case that takes longer than its bound (a hang guard, not a timing assertion). */
async function within<T>(p: Promise<T>, seconds: number, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${id}: no answer within ${seconds}s (a hang)`)), seconds * 1000); });
  try { return await Promise.race([p, bound]); } finally { clearTimeout(timer); }
}

async function tableRows(table: string, order?: string, cols = '*'): Promise<Record<string, unknown>[] | null> {
  const exists = (await tdb.pool.query('SELECT to_regclass($1) AS t', [`"${table}"`])).rows[0].t;
  if (!exists) return null;
  return (await tdb.pool.query(`SELECT ${cols} FROM "${table}"${order ? ` ORDER BY ${order}` : ''}`)).rows;
}

function readErrorCsv(file: string): Record<string, string>[] {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors, `the error CSV ${file} parses`).toEqual([]);
  return parsed.data;
}

async function runCli(c: Case, argv: string[], env: NodeJS.ProcessEnv, dir: string): Promise<CliResult> {
  return c.child ? renkei(argv, env, dir) : runMain(argv, env, dir);
}

async function runApiCase(c: Case): Promise<void> {
  const sb = await sandbox(c.sandbox!);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(c.headers ?? {}) };
  if (c.auth === 'token') headers.authorization = `Bearer ${sb.token}`;
  if (c.auth === 'wrong') headers.authorization = 'Bearer not-the-token';
  const body = c.body === undefined ? undefined : new Blob([new Uint8Array(bytesOf(c.body, (s) => s))]);
  const res = await within(fetch(sb.url + c.path!, { method: c.method ?? 'POST', headers, body, signal: AbortSignal.timeout(c.timeout_s * 1000) }), c.timeout_s, c.id);
  const text = await res.text();
  expect(res.status, text).toBe(c.expect.status);
  assertFragments(text, c.expect.body, 'the body');
  assertNoCrash(text);
  // What held: the server still answers a well-formed request after the bad one.
  const probe = await fetch(sb.url + sb.probe, { headers: { authorization: `Bearer ${sb.token}` } });
  expect(probe.status).toBe(200);
  await probe.arrayBuffer();
}

async function runCase(category: (typeof categories)[number], c: Case, index: number): Promise<void> {
  if (c.sandbox) return runApiCase(c);
  const dir = fs.mkdtempSync(path.join(root, `${c.id}-`));
  const table = `bad_${category.name}_${index}`;
  const wrong = new URL(tdb.url);
  wrong.password = 'not-the-password';
  const vars: Record<string, string> = { dir, db: tdb.url, db_wrong_password: wrong.toString(), db_unreachable: 'postgres://renkei:s3cretpw@127.0.0.1:1/nowhere', table, root: ROOT,
    db_silent: `postgres://renkei:s3cretpw@127.0.0.1:${(silent.address() as net.AddressInfo).port}/silent?connect_timeout=1` };
  const subst = (s: string) => s.replace(/\{(dir|db|db_wrong_password|db_unreachable|db_silent|table|root)\}/g, (_, k: string) => vars[k]);
  for (const [name, data] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytesOf(data, subst));
  }
  let pipeline: Record<string, unknown> | undefined;
  if (category.pipeline && !('p.yaml' in c.files)) {
    pipeline = pipelineOf(category.pipeline, c, table);
    fs.writeFileSync(path.join(dir, 'p.yaml'), subst(toYaml(pipeline)));
  }
  const env = { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home'), ...Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, subst(v)])) };
  for (const b of c.before) {
    const r = await within(runCli(c, b.argv.map(subst), env, dir), c.timeout_s, c.id);
    expect(r.code, `before: ${b.argv.join(' ')}\n${r.stdout}${r.stderr}`).toBe(b.code);
  }
  const argv = (c.argv ?? category.argv).map(subst);
  const report = path.join(dir, 'report.json');
  if (argv[0] === 'run' && c.report) argv.push('--no-progress', '--report-json', report);
  const r = await within(runCli(c, argv, env, dir), c.timeout_s, c.id);
  const out = `${r.stdout}\n${r.stderr}`;
  const e = c.expect;
  expect(e.code, `${c.id}: a command case says its exit code`).toBeTypeOf('number');
  expect(r.code, `exit code of renkei ${argv.join(' ')}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).toBe(e.code);
  assertNoCrash(out);
  assertTrueEquations(r.stdout);
  assertFragments(r.stdout, e.stdout, 'stdout');
  assertFragments(r.stderr, e.stderr, 'stderr');
  for (const a of e.absent) expect(matches(out, subst(a)), `${a} must not appear`).toBe(false);
  if (e.code !== 0) expect(r.stdout.trim() + r.stderr.trim(), 'a failure says why').not.toBe('');

  if (!fs.existsSync(report)) {
    expect(e.counts ?? e.rejected ?? e.error_rows ?? e.values, 'expects a run report, but none was written').toBeUndefined();
    return;
  }
  const rep = JSON.parse(fs.readFileSync(report, 'utf8')) as RunReport;
  const cn = rep.counts;
  // Never silent loss: every record read has an outcome (G1), every reject is a row of the error CSV (G2).
  if (rep.status === 'succeeded') {
    expect(writtenOf(cn) + cn.unchanged + cn.filtered + cn.rejected, `read = written + unchanged + filtered + rejected: ${JSON.stringify(cn)}`).toBe(cn.read + (rep.expanded ?? 0));
  }
  if (e.counts) expect(cn).toMatchObject(e.counts);
  if (e.rejected) expect(rep.reasons.rejected).toEqual(e.rejected);
  if (e.filtered) expect(rep.reasons.filtered).toEqual(e.filtered);
  const rows = rep.errors_file && fs.existsSync(rep.errors_file) ? readErrorCsv(rep.errors_file) : [];
  const rejectedRows = rows.filter((x) => x.outcome === 'rejected');
  const byCode: Record<string, number> = {};
  for (const x of rejectedRows) byCode[x.code] = (byCode[x.code] ?? 0) + 1;
  if (rep.status === 'succeeded') {
    expect(rejectedRows.length, `rejected records in the error CSV ${rep.errors_file}`).toBe(cn.rejected);
    expect(byCode).toEqual(rep.reasons.rejected);
  } else {
    // A failed run commits nothing; the rejects it did write are all counted.
    expect(rejectedRows.length).toBeLessThanOrEqual(cn.rejected);
  }
  for (const want of e.error_rows ?? []) expect(rows, `an error row like ${JSON.stringify(want)}`).toContainEqual(expect.objectContaining(want));
  if (e.errors_csv.length) assertFragments(fs.readFileSync(rep.errors_file!, 'utf8'), e.errors_csv, 'the error CSV');
  // The table holds exactly what was written; a failed run (an atomic sink) left nothing in it.
  const sink = (pipeline?.sinks as Array<{ type?: string; table?: string }> | undefined)?.[0];
  if (sink?.type === 'postgres' && sink.table === table && !rep.dry_run) {
    const held = await tableRows(table);
    expect(held?.length ?? 0, `rows in ${table}`).toBe(rep.status === 'succeeded' ? writtenOf(cn) : 0);
    if (e.values) {
      const cols = Object.keys(e.values);
      const got = await tableRows(table, `"${cols[0]}"`, cols.map((x) => `"${x}"`).join(', '));
      expect(Object.fromEntries(cols.map((col) => [col, (got ?? []).map((row) => row[col])]))).toEqual(e.values);
    }
  }
}

for (const category of categories) {
  describe(`bad input: ${category.name} — ${category.about}`, () => {
    category.cases.forEach((c, i) => {
      it(`${c.id}: ${c.about}`, { timeout: (c.timeout_s + 10) * 1000 }, () => runCase(category, c, i));
    });
  });
}

it('the corpus holds at least 100 cases, each id once', () => {
  const ids = categories.flatMap((c) => c.cases.map((x) => x.id));
  expect(ids.length).toBeGreaterThanOrEqual(100);
  expect(new Set(ids).size).toBe(ids.length);
});
