/**
 * SmartHR ⇄ KING OF TIME employees, end to end over real HTTP between the two sandboxes (same seed,
 * so the same people by employee number), through the CLI's main() and the shipped pipelines
 * `kingoftime-to-smarthr.yaml` and `smarthr-to-kingoftime.yaml` (K1–K8, K10, K11; K9 is in
 * kingoftime-closed-hours.test.ts). The reference date is fixed (D) and people are placed around it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKingoftimeSandbox, type KingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import type { KotStoredEmployee } from '../../sandbox/kingoftime/state.ts';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import type { Plan } from '../../sync/plan.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { ROOT, runMain } from '../helpers/cli.ts';
import { farClosedWindow } from '../../sandbox/kingoftime/far-window.ts';

const SEED = 'kot-sync';
const N = 60;
const D = '2026-04-01';
const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const TO_SMARTHR = path.join(ROOT, 'pipelines', 'kingoftime-to-smarthr.yaml');
const TO_KOT = path.join(ROOT, 'pipelines', 'smarthr-to-kingoftime.yaml');

let sh: SmarthrSandbox;
let kot: KingoftimeSandbox;
let db: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
let office: string;
const cli = (args: string[]) => runMain(args, env, dir);
/**
 * The client keeps KOT's closed hours on the real clock: tests replace them with one minute twelve
 * hours from now (the sandboxes run on a fixed noon), so a test run at 08:45 JST does not wait (K9 has its own tests).
 */
const AWAY = farClosedWindow();
const kotSetsToSmarthr = ['--set', `source.closed_windows=${AWAY}`];
const kotSetsToKot = ['--set', `transforms[2].target.closed_windows=${AWAY}`, '--set', `sinks[0].closed_windows=${AWAY}`];
const toSmarthr = (...extra: string[]) => ['--param', `office=${office}`, '--param', `date=${D}`, ...kotSetsToSmarthr, ...extra];
const toKot = (...extra: string[]) => ['--param', 'division=3000', '--param', 'working_type=2', '--param', `date=${D}`, ...kotSetsToKot, ...extra];
const NOON = () => Date.parse(`${D}T12:00:00+09:00`);
const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
const crew = (code: string) => sh.state.crews.find((c) => c.emp_code === code);
const employee = (code: string) => kot.state.employees.find((e) => e.code === code);

/** A KOT-only person placed relative to the reference date. */
function person(code: string, hired: string, resigned?: string): KotStoredEmployee {
  return {
    key: `k${code}`.padEnd(64, '0'), code, lastName: '境', firstName: `日${code.slice(-1)}`, divisionCode: '1000', typeCode: '1', gender: 'female',
    birthDate: '1990-05-05', hiredDate: hired, ...(resigned ? { resignationDate: resigned } : {}), emailAddresses: [`p${code}@example.jp`],
  };
}

beforeAll(async () => {
  sh = await startSmarthrSandbox({ employees: N, seed: SEED, rateLimit: 0 });
  kot = await startKingoftimeSandbox({ employees: N, seed: SEED, rateLimit: 0, around: D, now: NOON });
  db = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-kot-sync-'));
  office = sh.state.biz_establishments[1].id;
  env = {
    KOT_URL: kot.url, KOT_TOKEN: kot.token, KOT_RATE_LIMIT: '500', SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token, SMARTHR_RATE_LIMIT: '500',
    DATABASE_URL: db.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors'),
  };
  kot.state.employees.push(
    person('900001', D), person('900002', addDays(D, 1)),
    person('900003', '2020-04-01', addDays(D, -1)), person('900004', '2020-04-01', D),
  );
});
afterAll(async () => {
  await sh.stop();
  await kot.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SmartHR ⇄ KING OF TIME on a reference date', () => {
  it('K2: a reference date outside 3 years back … 1 year ahead, or not a date, exits 2 and renkei validate reports it', async () => {
    const far = `${new Date().getUTCFullYear() + 2}-01-01`;
    for (const bad of [far, '2019-01-01', '2026-02-30', 'yesterday']) {
      const r = await cli(['run', TO_SMARTHR, '--param', `office=${office}`, '--param', `date=${bad}`]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/params\.date/);
      const v = await cli(['validate', TO_SMARTHR, '--param', `office=${office}`, '--param', `date=${bad}`]);
      expect(v.code).toBe(2);
      expect(v.stdout + v.stderr).toMatch(/params\.date.*(outside the allowed range|is not a date)/);
    }
    const ok = await cli(['validate', TO_SMARTHR, '--param', `office=${office}`]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(sh.stats.writes).toBe(0);
  });

  it('K3: hired on the date is a candidate, hired the day after is not, resigned the day before is not, resigned on the date is (default)', async () => {
    const r = await cli(['plan', TO_SMARTHR, ...toSmarthr('--out', 'k3.json')]);
    expect(r.code, r.stderr).toBe(0);
    const plan = readPlan('k3.json');
    const status = (k: string) => plan.candidates.find((c) => c.key === k)?.status;
    expect(status('900001')).toBe('new');
    // Out of the reference date: not candidates, but listed as excluded with the reason (issue 10 item 5).
    const reason = (k: string) => plan.candidates.find((c) => c.key === k)?.code;
    expect([status('900002'), reason('900002')]).toEqual(['excluded', 'NOT_YET_HIRED']);
    expect([status('900003'), reason('900003')]).toEqual(['excluded', 'RESIGNED']);
    expect(status('900004')).toBe('new');
    expect(plan.reference_date).toBe(D);
  });

  it('K3: resign_day_employed=false (seed 003) drops a resignation on the date, in both directions', async () => {
    const r = await cli(['plan', TO_SMARTHR, ...toSmarthr('--param', 'resign_day_employed=false', '--out', 'k3b.json')]);
    expect(r.code, r.stderr).toBe(0);
    const keys = readPlan('k3b.json').candidates.filter((c) => c.status !== 'excluded').map((c) => c.key);
    expect(keys).toContain('900001');
    expect(keys).not.toContain('900004');
    const resignedOnD = sh.state.crews.find((c) => typeof c.emp_code === 'string' && !employee(c.emp_code as string));
    expect(resignedOnD).toBeDefined();
    sh.edit(() => { resignedOnD!.resigned_at = D; });
    const k = await cli(['plan', TO_KOT, ...toKot('--param', 'resign_day_employed=false', '--out', 'k3c.json')]);
    expect(k.code, k.stderr).toBe(0);
    expect(readPlan('k3c.json').candidates.filter((c) => c.status !== 'excluded').map((c) => c.key)).not.toContain(resignedOnD!.emp_code);
    const kept = await cli(['plan', TO_KOT, ...toKot('--out', 'k3d.json')]);
    expect(readPlan('k3d.json').candidates.find((c) => c.key === resignedOnD!.emp_code)?.status).toBe('new');
    expect(kept.code).toBe(0);
  });

  it('K4/K5/K6: plan writes nothing; new / changed (old → new, compared fields only) / unchanged; apply takes a selection, unchanged not selectable', async () => {
    const writes = sh.stats.writes;
    const c1 = kot.state.employees.find((e) => crew(e.code) && e.code < '900000' && e.lastName === crew(e.code)!.last_name && e.hiredDate === crew(e.code)!.entered_at && !e.resignationDate)!;
    c1.lastName = '改姓';
    c1.firstNamePhonetics = 'ベツヨミ'; // not a compared field (K6)
    const r = await cli(['plan', TO_SMARTHR, ...toSmarthr('--out', 'k5.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(sh.stats.writes).toBe(writes);
    const plan = readPlan('k5.json');
    const mine = plan.candidates.find((c) => c.key === c1.code)!;
    expect(mine.status).toBe('changed');
    expect(mine.changes).toEqual([{ field: 'last_name', old: crew(c1.code)!.last_name, new: '改姓' }]);
    expect(plan.counts.unchanged).toBeGreaterThan(0);
    const unchanged = plan.candidates.find((c) => c.status === 'unchanged')!;
    const refused = await cli(['apply', path.join(dir, 'k5.json'), '--only', 'unchanged']);
    expect(refused.code).toBe(2);
    const notSelectable = await cli(['apply', path.join(dir, 'k5.json'), '--select', `${c1.code},${unchanged.key}`]);
    expect(notSelectable.code).not.toBe(0);
    expect(notSelectable.stderr).toContain(`${unchanged.key} (unchanged)`);
    expect(sh.stats.writes).toBe(writes);
    const sel = await cli(['apply', path.join(dir, 'k5.json'), '--select', c1.code]);
    expect(sel.code, sel.stderr).toBe(0);
    expect(sh.stats.writes).toBe(writes + 1);
    expect(crew(c1.code)!.last_name).toBe('改姓');
  });

  it('K1/K7/K8: new employees are created keyed by employee number with the chosen office / division + type; updates never change them', async () => {
    Object.assign(kot.state.employees.find((e) => e.code === '900001')!, { lastNamePhonetics: 'サカイ', firstNamePhonetics: 'ヒイチ' });
    const run1 = await cli(['run', TO_SMARTHR, ...toSmarthr()]);
    expect(run1.code, run1.stderr).toBe(0);
    const created = crew('900001')!;
    expect(created).toMatchObject({ emp_code: '900001', last_name: '境', first_name: '日1', gender: 'female', birth_at: '1990-05-05', entered_at: D, email: 'p900001@example.jp', biz_establishment_id: office });
    // apis.md §2.9: the readings travel too (sent on creation; not compared, K6).
    expect([created.last_name_yomi, created.first_name_yomi]).toEqual(['サカイ', 'ヒイチ']);
    const run2 = await cli(['run', TO_KOT, ...toKot()]);
    expect(run2.code, run2.stderr).toBe(0);
    const onlyInSmarthr = sh.state.crews.find((c) => c.emp_code === '000001') ? kot.state.employees.filter((e) => e.divisionCode === '3000' && e.typeCode === '2') : [];
    expect(onlyInSmarthr.length).toBeGreaterThan(0);
    for (const e of onlyInSmarthr) expect(crew(e.code)).toBeDefined();
    // An update: SmartHR's office and KOT's division/type stay as they were.
    const e = kot.state.employees.find((x) => x.code === '900001')!;
    e.lastName = '境田';
    e.divisionCode = '4000';
    sh.edit((s) => { s.crews.find((c) => c.emp_code === '900001')!.biz_establishment_id = sh.state.biz_establishments[0].id; });
    const run3 = await cli(['run', TO_SMARTHR, ...toSmarthr()]);
    expect(run3.code, run3.stderr).toBe(0);
    expect(crew('900001')).toMatchObject({ last_name: '境田', biz_establishment_id: sh.state.biz_establishments[0].id });
    sh.edit((s) => { s.crews.find((c) => c.emp_code === '900001')!.first_name = '日一'; });
    const run4 = await cli(['run', TO_KOT, ...toKot()]);
    expect(run4.code, run4.stderr).toBe(0);
    expect(employee('900001')).toMatchObject({ firstName: '日一', divisionCode: '4000', typeCode: '1' });
  });

  it('G4: kingoftime→smarthr, smarthr→kingoftime, then both again: the second round is all unchanged with zero writes', async () => {
    for (const [file, args] of [[TO_SMARTHR, toSmarthr()], [TO_KOT, toKot()]] as const) {
      const r = await cli(['run', file, ...args]);
      expect(r.code, r.stderr).toBe(0);
    }
    const writes = sh.stats.writes + kot.stats.writes;
    for (const [file, args, out] of [[TO_SMARTHR, toSmarthr(), 'r1.json'], [TO_KOT, toKot(), 'r2.json']] as const) {
      const p = await cli(['plan', file, ...args, '--out', out]);
      expect(p.code, p.stderr).toBe(0);
      const plan = readPlan(out);
      expect(plan.counts.new + plan.counts.changed).toBe(0);
      const r = await cli(['run', file, ...args]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(sh.stats.writes + kot.stats.writes).toBe(writes);
  });

  it('K10: sync reports list direction, reference date, counts by status and per-employee errors by employee number; failed employees are retried', async () => {
    // KING OF TIME refuses an impossible birth date: that one employee fails, the rest of the sync goes on.
    sh.edit((st) => { st.crews.find((c) => c.emp_code === '900001')!.birth_at = '1990-02-30'; });
    // The only candidate is refused: over the default error budget, so the run fails (exit 1) — and says who.
    const r = await cli(['run', TO_KOT, ...toKot()]);
    expect(r.code, r.stderr).toBe(1);
    const rep = await cli(['report', '--json', '--pipeline', 'smarthr-to-kingoftime']);
    const rows = rep.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows[0]).toMatchObject({ direction: 'smarthr→kingoftime', reference_date: D });
    const apply = rows.find((x) => x.kind === 'apply' || x.kind === 'run')!;
    const detail = await cli(['report', String(apply.id)]);
    expect(detail.stdout).toMatch(/900001\s+TARGET_REFUSED/);
    sh.edit((st) => { st.crews.find((c) => c.emp_code === '900001')!.birth_at = '1990-03-01'; });
    const retry = await cli(['apply', '--retry-failed', String(apply.id)]);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(employee('900001')!.birthDate).toBe('1990-03-01');
  });

  it('K4/K10: a saved plan no apply has used is listed as waiting to sync (同期待ち); times are shown in Asia/Tokyo unless told otherwise', async () => {
    const p = await cli(['plan', TO_SMARTHR, ...toSmarthr('--out', 'waiting.json')]);
    expect(p.code, p.stderr).toBe(0);
    const planId = readPlan('waiting.json').plan_id;
    const text = await cli(['report', '--limit', '3']);
    const mine = text.stdout.split('\n').find((l) => l.includes(planId))!;
    expect(mine).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+09:00 /);
    expect(mine).toContain('同期待ち');
    expect(mine).toContain('(kingoftime→smarthr)');
    expect(mine).toContain(`基準日 ${D}`);
    const utc = await cli(['report', '--limit', '1', '--time-zone', 'UTC']);
    expect(utc.stdout).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+00:00 /);
    const json = (await cli(['report', '--json', '--kind', 'plan', '--limit', '100'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json.find((r) => r.id === planId)).toMatchObject({ waiting_to_sync: true, direction: 'kingoftime→smarthr', reference_date: D });
    expect(json.some((r) => r.waiting_to_sync === false)).toBe(true);
    const applied = await cli(['apply', path.join(dir, 'waiting.json')]);
    expect(applied.code, applied.stderr).toBe(0);
    const after = (await cli(['report', planId])).stdout;
    expect(after).not.toContain('同期待ち');
  });

  it('K10: the reference date is recorded for every kind of run, a dry run included', async () => {
    const r = await cli(['run', TO_KOT, ...toKot('--dry-run')]);
    expect(r.code, r.stderr).toBe(0);
    const [row] = (await cli(['report', '--json', '--kind', 'dry-run', '--limit', '1'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(row).toMatchObject({ kind: 'dry-run', reference_date: D });
  });

  it('K11: a finished sync announces itself with a run.finished log event carrying its counts', async () => {
    const r = await cli(['run', TO_KOT, ...toKot('--log-format', 'json')]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.some((ev) => ev.event === 'run.finished')).toBe(true);
  });
});

describe('おまかせ はたラクサポート (ohs edition)', () => {
  it('K1/K7: --param edition=ohs syncs against the ohs base path both ways, reported as ohs→smarthr', async () => {
    const ohs = await startKingoftimeSandbox({ employees: 20, seed: 'ohs', edition: 'ohs', rateLimit: 0, now: NOON });
    const sh2 = await startSmarthrSandbox({ employees: 20, seed: 'ohs', rateLimit: 0 });
    const db2 = await freshDb();
    const e2 = { ...env, KOT_URL: ohs.url, KOT_TOKEN: ohs.token, SMARTHR_URL: sh2.url, SMARTHR_TOKEN: sh2.token, DATABASE_URL: db2.url };
    try {
      expect(ohs.url).toMatch(/\/ohs\/v1\.0$/);
      const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
      const a = await runMain(['run', TO_SMARTHR, '--param', 'edition=ohs', '--param', `office=${sh2.state.biz_establishments[0].id}`, ...kotSetsToSmarthr], e2, dir);
      expect(a.code, a.stderr).toBe(0);
      const b = await runMain(['run', TO_KOT, '--param', 'edition=ohs', '--param', 'division=1000', '--param', 'working_type=1', ...kotSetsToKot], e2, dir);
      expect(b.code, b.stderr).toBe(0);
      expect(ohs.stats.writes).toBeGreaterThan(0);
      expect(sh2.stats.writes).toBeGreaterThan(0);
      const rep = await runMain(['report', '--json', '--limit', '3'], e2, dir);
      const rows = rep.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows.map((x) => x.direction)).toContain('ohs→smarthr');
      expect(rows.map((x) => x.direction)).toContain('smarthr→ohs');
      expect(rows[0].reference_date).toBe(today);
    } finally { await ohs.stop(); await sh2.stop(); }
  });

  it('apis.md §2.9: --param names=business sends business names (ビジネスネーム) to KING OF TIME where an employee has one', async () => {
    const b = sh.state.crews.find((c) => c.business_last_name && c.emp_status === 'employed' && employee(String(c.emp_code)) && (!c.entered_at || String(c.entered_at) <= D))!;
    expect(b, 'the generated tenant has an employed crew with a business name').toBeDefined();
    const r = await cli(['plan', TO_KOT, ...toKot('--param', 'names=business', '--out', 'biz.json')]);
    expect(r.code, r.stderr).toBe(0);
    const c = readPlan('biz.json').candidates.find((x) => x.key === b.emp_code)!;
    expect(c.status).toBe('changed');
    expect(c.changes).toContainEqual({ field: 'lastName', old: employee(String(b.emp_code))!.lastName, new: b.business_last_name });
    const legal = await cli(['plan', TO_KOT, ...toKot('--out', 'legal.json')]);
    expect(legal.code).toBe(0);
    expect(readPlan('legal.json').candidates.find((x) => x.key === b.emp_code)?.changes ?? []).not.toContainEqual(expect.objectContaining({ field: 'lastName' }));
  });
});
