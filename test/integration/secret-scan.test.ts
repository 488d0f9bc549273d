/**
 * Secret and personal-data scans (issue 14, G5/G6): pipelines run with distinctive secrets and
 * distinctive people, logs at trace level, then EVERY artifact they produced is searched:
 * stdout/stderr (the logs), `--report-json` files, plans, review pages, error CSVs, every file the
 * runs left under the state home and the pipeline folder, webhook bodies, and the run tables
 * (every renkei_* table, dumped as text).
 * - G5: no secret appears anywhere — tokens, database passwords (in DATABASE_URL and given with
 *   --set), a webhook's secret and the token in its URL path, a password in a malformed --set;
 * - G6: names, emails and birth dates appear only in the error CSVs, the plans and the review pages,
 *   and each of those files is private (0600).
 * Runs covered: CSV → PostgreSQL with rule and database rejects, a notify webhook and --set secrets;
 * the same failing on a wrong password; SmartHR → KING OF TIME plan → review page → apply with its
 * tokens given only by --set, and a run failing on a wrong token; SmartHR → Mikiwame with rejects; then runs --json and report.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { startKingoftimeSandbox, type KingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { ROOT, runMain, type CliResult } from '../helpers/cli.ts';
import { serverUrl } from '../helpers/db.ts';
import { sh as shApi, startPair, type Pair } from '../helpers/mikiwame.ts';
import { farClosedWindow } from '../../sandbox/kingoftime/far-window.ts';

const tag = crypto.randomBytes(3).toString('hex');
/** G5: every one of these is used by a run; none may show in any artifact. */
const SECRET = {
  smarthr: `shrTok-Qz7Xv1Km9Lp3-${tag}`,
  kot: `kotTok-Wd8Yh2Rt6Nc4-${tag}`,
  statePw: `statePw-Vb3Nx8Qz1Rs5-${tag}`,
  sinkPw: `sinkPw-Hg4Jk6Lm8Np0-${tag}`,
  wrongPw: `wrongPw-Cd1Ef3Gh5Ij7-${tag}`,
  malformedPw: `badSetPw-Mn2Bv4Cx6Zl8-${tag}`,
  hookPath: `hookPath-Tf6Gy4Hu0Ij2-${tag}`,
  hookSecret: `whsec-Op3Kl7Mn9Bv1-${tag}`,
  wrongKot: `kotWrong-Rf5Tg7Yh9Uj1-${tag}`,
};
/** G6: the people of these runs; only error CSVs, plans and review pages may hold them. */
const PEOPLE = {
  pg: [
    { code: 'S001', last: '鳥羽杜', first: '蘭丸斎', email: 'toba.ranmaru.scan@example.jp', birth: '1911-11-11', age: 30 },
    { code: 'S002', last: '乙骨嶺', first: '綺羅星', email: 'kirara..scan@@example.jp', birth: '1912-12-12', age: 31 }, // BAD_EMAIL
    { code: 'S003', last: '百目鬼', first: '珠璃緒', email: 'dodomeki.scan@example.jp', birth: '1913-03-13', age: -41 }, // CHECK (age > 0)
  ],
  // SmartHR → KING OF TIME: one changed (in the plan and the review page), one not yet hired (excluded, error CSV).
  kot: [
    { last: '勘解由', first: '小路丸', email: 'kadenokoji.scan@example.jp', birth: '1914-04-14' },
    { last: '四月一日', first: '君尋斎', email: 'watanuki.scan@example.jp', birth: '1915-05-15' },
  ],
  // SmartHR → Mikiwame: one synced, two sharing an email (DUPLICATE_EMAIL), one without kana.
  mw: [
    { emp_code: 'M001', last: '東海林', first: '雅楽頭', email: 'shoji.uta.scan@example.jp', birth: '1916-06-16' },
    { emp_code: 'M002', last: '小鳥遊', first: '鷹司丸', email: 'shared.scan@example.jp', birth: '1917-07-17' },
    { emp_code: 'M003', last: '薬袋院', first: '御手洗', email: 'Shared.Scan@example.jp ', birth: '1918-08-18' },
    { emp_code: 'M004', last: '九十九', first: '一二三', email: 'tsukumo.scan@example.jp', birth: '1919-09-19', noKana: true },
  ],
};
const personValues = (): string[] => [
  ...PEOPLE.pg.flatMap((p) => [p.last, p.first, p.email, p.birth]),
  ...PEOPLE.kot.flatMap((p) => [p.last, p.first, p.email, p.birth]),
  ...PEOPLE.mw.flatMap((p) => [p.last, p.first, p.email.trim(), p.birth]),
];

const D = '2026-04-01';
const NOON = () => Date.parse(`${D}T12:00:00+09:00`);
const AWAY = farClosedWindow();

let dir: string;
let home: string;
let admin: pg.Client;
let dbName: string;
let roles: string[];
let stateUrl: string;
let sinkUrl: (pw: string) => string;
let sh: SmarthrSandbox;
let kot: KingoftimeSandbox;
let pair: Pair;
let hook: http.Server;
let env: NodeJS.ProcessEnv;
/** Every CLI call: its name, exit code and output. */
const calls: Array<{ name: string } & CliResult> = [];
/** Files the test wrote as input (not artifacts). */
const inputs = new Set<string>();
/** What the webhook receiver got. */
const hookBodies: string[] = [];

async function cli(name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await runMain([...args, '--log-level', 'trace', '--log-format', 'json'], { ...env, ...extraEnv }, dir);
  calls.push({ name, ...r });
  return r;
}
const writeInput = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); inputs.add(f); };
const call = (name: string) => calls.find((c) => c.name === name)!;

/** Every regular file under `root`. */
function walk(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-scan-'));
  home = path.join(dir, 'state-home');
  // The state database and the sink each under their own role, with distinctive passwords (the test
  // server's user must be allowed to create roles, as the embedded server's superuser is).
  const base = new URL(serverUrl());
  admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  dbName = `renkei_scan_${tag}`;
  roles = [`scan_state_${tag}`, `scan_sink_${tag}`];
  await admin.query(`CREATE ROLE ${roles[0]} LOGIN PASSWORD '${SECRET.statePw}'`);
  await admin.query(`CREATE ROLE ${roles[1]} LOGIN PASSWORD '${SECRET.sinkPw}'`);
  await admin.query(`CREATE DATABASE ${dbName} OWNER ${roles[0]}`);
  const at = (user: string, pw: string) => { const u = new URL(base); u.username = user; u.password = pw; u.pathname = '/' + dbName; return u.toString(); };
  stateUrl = at(roles[0]!, SECRET.statePw);
  sinkUrl = (pw) => at(roles[1]!, pw);
  const owner = new pg.Client({ connectionString: at(roles[0]!, SECRET.statePw) });
  await owner.connect();
  await owner.query(`CREATE TABLE scan_people (code text PRIMARY KEY, last_name text, first_name text, email text, birth date, age integer CHECK (age > 0))`);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${roles[1]}; GRANT ALL ON scan_people TO ${roles[1]}`);
  await owner.end();

  // The webhook receiver: its URL carries a token in the path.
  hook = http.createServer((req, res) => { let b = ''; req.on('data', (d) => (b += d)); req.on('end', () => { hookBodies.push(b); res.writeHead(204).end(); }); });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/${SECRET.hookPath}`;

  sh = await startSmarthrSandbox({ employees: 30, seed: 'scan', rateLimit: 0, token: SECRET.smarthr });
  kot = await startKingoftimeSandbox({ employees: 30, seed: 'scan', rateLimit: 0, around: D, now: NOON, token: SECRET.kot });
  pair = await startPair({ url: stateUrl } as Parameters<typeof startPair>[0]);
  env = {
    DATABASE_URL: stateUrl, RENKEI_HOME: home, HOME: dir, USER: 'scanner', HOOK_URL: hookUrl,
    SMARTHR_URL: sh.url, SMARTHR_TOKEN: SECRET.smarthr, SMARTHR_RATE_LIMIT: '1000',
    // KING OF TIME's token is given only with --set (finding 1): the variable holds a decoy.
    KOT_URL: kot.url, KOT_TOKEN: 'decoy-not-a-token', KOT_RATE_LIMIT: '1000',
    MIKIWAME_URL: pair.mw.url, MIKIWAME_TOKEN: pair.mw.token, MIKIWAME_RATE_LIMIT: '1000',
  };

  // 1. CSV → PostgreSQL: one written, one rule reject, one database reject; the sink's connection
  // and the webhook's secret given with --set; a notify webhook.
  writeInput('people.csv', 'code,last_name,first_name,email,birth,age\n' + PEOPLE.pg.map((p) => [p.code, p.last, p.first, p.email, p.birth, p.age].join(',')).join('\n') + '\n');
  writeInput('pg.yaml', `name: scan-pg
key: [code]
source: { type: csv, path: people.csv }
transforms:
  - type: validate
    rules: [{ fields: [email], check: email, code: BAD_EMAIL }]
sinks:
  - type: postgres
    table: scan_people
    columns: [{ name: code, type: text }, { name: last_name, type: text }, { name: first_name, type: text }, { name: email, type: text }, { name: birth, type: date }, { name: age, type: integer }]
errors: { type: csv, path: "errors/{run_id}.csv" }
options: { max_rejected_ratio: 1 }
notify: { webhook_url: "\${HOOK_URL}" }
`);
  const pgSets = (pw: string) => ['--set', `sinks[0].connection=${sinkUrl(pw)}`, '--set', `notify.secret=${SECRET.hookSecret}`];
  await cli('pg run', ['run', 'pg.yaml', '--report-json', 'pg-report.json', ...pgSets(SECRET.sinkPw)]);
  // 2. The same, failing: a wrong password for the sink.
  await cli('pg failing run', ['run', 'pg.yaml', '--report-json', 'pg-failed.json', ...pgSets(SECRET.wrongPw)]);
  // 3. A malformed --set holding a password.
  await cli('malformed --set', ['run', 'pg.yaml', '--set', `sinks[0.connection=${sinkUrl(SECRET.malformedPw)}`]);

  // 4. SmartHR → KING OF TIME: plan with a review page, then apply; the KOT token only by --set.
  const employed = sh.state.crews.filter((c) => typeof c.emp_code === 'string' && kot.state.employees.some((e) => e.code === c.emp_code) && String(c.entered_at) <= D && !c.resigned_at);
  const [changed, later] = [employed[0]!, employed[1]!];
  sh.edit(() => {
    Object.assign(changed, { last_name: PEOPLE.kot[0]!.last, first_name: PEOPLE.kot[0]!.first, email: PEOPLE.kot[0]!.email, birth_at: PEOPLE.kot[0]!.birth });
    Object.assign(later, { last_name: PEOPLE.kot[1]!.last, first_name: PEOPLE.kot[1]!.first, email: PEOPLE.kot[1]!.email, birth_at: PEOPLE.kot[1]!.birth, entered_at: '2026-04-02' });
  });
  const kotTokens = ['--set', `transforms[2].target.token=${SECRET.kot}`, '--set', `sinks[0].token=${SECRET.kot}`];
  const toKot = path.join(ROOT, 'pipelines', 'smarthr-to-kingoftime.yaml');
  await cli('kot plan', ['plan', toKot, '--param', 'division=1000', '--param', 'working_type=1', '--param', `date=${D}`,
    '--set', `transforms[2].target.closed_windows=${AWAY}`, '--set', `sinks[0].closed_windows=${AWAY}`, ...kotTokens, '--out', 'kot-plan.json', '--html', 'kot-review.html']);
  await cli('kot apply', ['apply', 'kot-plan.json', '--only', 'new,changed', ...kotTokens]);
  await cli('kot plan again', ['plan', toKot, '--param', 'division=1000', '--param', 'working_type=1', '--param', `date=${D}`,
    '--set', `transforms[2].target.closed_windows=${AWAY}`, '--set', `sinks[0].closed_windows=${AWAY}`, ...kotTokens]);

  // A run (plan + apply) failing on a wrong KING OF TIME token (401) given with --set.
  await cli('kot run, wrong token', ['run', toKot, '--param', 'division=1000', '--param', 'working_type=1', '--param', `date=${D}`,
    '--set', `transforms[2].target.closed_windows=${AWAY}`, '--set', `sinks[0].closed_windows=${AWAY}`, '--set', `transforms[2].target.token=${SECRET.wrongKot}`, '--report-json', 'kot-failed.json']);

  // 5. SmartHR → Mikiwame: one synced, DUPLICATE_EMAIL twice, MISSING_KANA.
  const typeId = pair.sh.state.employment_types.find((e) => e.name === '正社員')!.id;
  for (const p of PEOPLE.mw) {
    await shApi(pair, 'POST', '/v1/crews', {
      emp_code: p.emp_code, last_name: p.last, first_name: p.first, ...(p.noKana ? {} : { last_name_yomi: 'ヨミ', first_name_yomi: 'ヨミ' }),
      email: p.email, gender: 'female', birth_at: p.birth, entered_at: '2020-04-01', emp_status: 'employed', department_ids: [], employment_type_id: typeId,
    });
  }
  await cli('mikiwame run', ['run', path.join(ROOT, 'pipelines', 'smarthr-employees-to-mikiwame.yaml'), '--report-json', 'mw-report.json'],
    { SMARTHR_URL: pair.sh.url, SMARTHR_TOKEN: pair.sh.token });

  // 6. What an operator looks at afterwards.
  await cli('runs --json', ['runs', '--json']);
  await cli('report', ['report']);
  const pgRun = JSON.parse(fs.readFileSync(path.join(dir, 'pg-report.json'), 'utf8')).run_id as string;
  await cli('report RUN', ['report', pgRun]);
}, 120_000);

afterAll(async () => {
  await sh?.stop();
  await kot?.stop();
  await pair?.sh.stop();
  await pair?.mw.stop();
  if (hook) { hook.closeAllConnections(); await new Promise((r) => hook.close(r)); }
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    for (const r of roles ?? []) await admin.query(`DROP ROLE IF EXISTS ${r}`);
    await admin.end();
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Artifact { name: string; text: string; file?: string }

/** Everything the runs produced, as text. */
async function artifacts(): Promise<Artifact[]> {
  const out: Artifact[] = calls.flatMap((c) => [{ name: `${c.name}: stdout`, text: c.stdout }, { name: `${c.name}: stderr`, text: c.stderr }]);
  for (const f of new Set([...walk(dir), ...walk(home)])) {
    if (inputs.has(f)) continue;
    out.push({ name: path.relative(dir, f), file: f, text: fs.readFileSync(f, 'utf8') });
  }
  hookBodies.forEach((b, i) => out.push({ name: `webhook body ${i + 1}`, text: b }));
  const db = new pg.Client({ connectionString: stateUrl });
  await db.connect();
  try {
    // Tables and views: the per-record errors are stored as JSON chunks (escaped) and read a row each through a view.
    const tables = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'renkei%' ORDER BY 1`)).rows.map((r) => r.table_name as string);
    expect(tables).toEqual(expect.arrayContaining(['renkei_runs', 'renkei_run_error_chunks', 'renkei_run_errors']));
    for (const t of tables) {
      const rows = (await db.query(`SELECT t::text AS row FROM "${t}" t`)).rows.map((r) => r.row as string);
      out.push({ name: `table ${t}`, text: rows.join('\n') });
    }
  } finally {
    await db.end();
  }
  return out;
}

/**
 * Error CSVs, plans and review pages: the operator's files, the only places person data may be. The
 * terminal review `renkei plan` prints (old → new per field, K5) is a review page on stdout.
 */
function mayHoldPersonData(a: Artifact): boolean {
  if (/^kot plan.*: stdout$/.test(a.name)) return true;
  if (!a.file) return false;
  const rel = path.relative(dir, a.file);
  return /(^|\/)errors\/.+\.csv$/.test(rel) || /(^|\/)plans\/[^/]+\.json$/.test(rel) || rel === 'kot-plan.json' || /\.html$/.test(rel);
}

describe('secret and personal-data scans of every artifact (G5, G6)', () => {
  it('the runs did what the scan needs: rejects, a failure, a malformed --set, a review page, an apply, a webhook', () => {
    expect(call('pg run').code, call('pg run').stderr.slice(-2000)).toBe(0);
    const pgReport = JSON.parse(fs.readFileSync(path.join(dir, 'pg-report.json'), 'utf8'));
    expect(pgReport.counts).toMatchObject({ read: 3, written: 1, rejected: 2 });
    expect(call('pg failing run').code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'pg-failed.json'), 'utf8')).status).toBe('failed');
    expect(call('malformed --set').code).toBe(2);
    expect(call('kot plan').code, call('kot plan').stderr.slice(-2000)).toBe(0);
    expect(call('kot apply').code, call('kot apply').stderr.slice(-2000)).toBe(0);
    expect(kot.state.employees.some((e) => e.lastName === PEOPLE.kot[0]!.last)).toBe(true);
    expect(call('kot plan again').code).toBe(0);
    expect(call('kot plan again').stdout).not.toContain(PEOPLE.kot[0]!.last); // applied: unchanged now
    expect(call('mikiwame run').code, call('mikiwame run').stderr.slice(-2000)).toBe(0);
    const mwReport = JSON.parse(fs.readFileSync(path.join(dir, 'mw-report.json'), 'utf8'));
    const mwErrors = fs.readFileSync(path.join(home, 'errors', mwReport.pipeline, `${mwReport.plan_run_id}.csv`), 'utf8');
    for (const code of ['DUPLICATE_EMAIL', 'MISSING_KANA']) expect(mwErrors).toContain(code);
    expect(pair.mw.state.employees.map((e) => e.emp_code)).toEqual(['M001']);
    expect(hookBodies.length).toBeGreaterThanOrEqual(2);
    // At --log-level trace every line is logged (nothing logs below debug today).
    for (const n of ['pg run', 'kot plan', 'kot apply', 'mikiwame run']) expect(call(n).stderr, n).toContain('"level":20');
  });

  it('a sync run (plan + apply) whose plan fails still writes its --report-json, status failed', () => {
    expect(call('kot run, wrong token').code, call('kot run, wrong token').stdout + call('kot run, wrong token').stderr).toBe(1);
    const failed = JSON.parse(fs.readFileSync(path.join(dir, 'kot-failed.json'), 'utf8'));
    expect(failed).toMatchObject({ status: 'failed', kind: 'plan' });
    expect(failed.error.message).toMatch(/401|token/i);
  });

  it('G5: no token, database password, --set secret or webhook secret/URL token in any log line, output, report, plan, review page, error CSV, state-home or pipeline-folder file, webhook body or run table', async () => {
    const all = await artifacts();
    expect(all.some((a) => a.name.startsWith('table renkei_runs') && a.text.length > 0)).toBe(true);
    const leaks: string[] = [];
    for (const a of all) {
      for (const [what, s] of Object.entries(SECRET)) {
        for (const form of new Set([s, encodeURIComponent(s)])) if (a.text.includes(form)) leaks.push(`${what} in ${a.name}: …${a.text.slice(Math.max(0, a.text.indexOf(form) - 120), a.text.indexOf(form) + 40)}…`);
      }
      for (const t of [pair.sh.token, pair.mw.token]) if (a.text.includes(t)) leaks.push(`a sandbox token in ${a.name}`);
    }
    expect(leaks).toEqual([]);
  });

  it('G6: names, emails and birth dates only in the error CSVs, plans and review pages, and those files are 0600', async () => {
    const all = await artifacts();
    const leaks: string[] = [];
    const seen = new Map<string, Set<string>>();
    for (const a of all) {
      for (const v of personValues()) {
        if (!a.text.includes(v)) continue;
        if (mayHoldPersonData(a)) seen.set(v, (seen.get(v) ?? new Set()).add(a.name));
        else leaks.push(`${v} in ${a.name}: …${a.text.slice(Math.max(0, a.text.indexOf(v) - 120), a.text.indexOf(v) + 40)}…`);
      }
    }
    expect(leaks).toEqual([]);
    // The allowed files do hold them (the scan looked at the right files), and they are private.
    const holders = all.filter(mayHoldPersonData);
    expect(holders.map((a) => path.extname(a.name)).sort()).toEqual(expect.arrayContaining(['.csv', '.html', '.json']));
    for (const v of [PEOPLE.pg[1]!.email, PEOPLE.pg[2]!.last, PEOPLE.kot[0]!.last, PEOPLE.kot[1]!.email, PEOPLE.mw[1]!.email]) expect(seen.get(v), v).toBeDefined();
    for (const a of holders.filter((h) => h.file)) expect((fs.statSync(a.file!).mode & 0o777).toString(8), a.name).toBe('600');
  });
});
