/**
 * SmartHR → Mikiwame employees through both sandboxes over real HTTP (M-E1…M-E12, L2, G4): the SmartHR
 * side seeded through its API in SmartHR's shapes, the shipped pipeline run through the CLI in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { mw, pipeline, renkeiRun, sh, startPair, type Pair } from '../helpers/mikiwame.ts';
import { runMain } from '../helpers/cli.ts';

const EMPLOYEES = pipeline('smarthr-employees-to-mikiwame.yaml');
let db: TestDb;
let p: Pair;
const dept: Record<string, string> = {};
let optTemplate: { id: string; elements: Array<{ id: string; name: string }> };
const typeId = (name: string) => p.sh.state.employment_types.find((e) => e.name === name)!.id;

const crew = (emp_code: string, first: string, kana: string, email: string | null, dept_code: string | null, extra: Record<string, unknown> = {}) => ({
  emp_code, last_name: 'ミキワメ', first_name: first, last_name_yomi: 'ミキワメ', first_name_yomi: kana, email,
  gender: 'male', birth_at: '1990-04-01', entered_at: '2020-04-01', emp_status: 'employed',
  department_ids: dept_code ? [dept[dept_code]] : [], employment_type_id: typeId('正社員'), ...extra,
});

beforeAll(async () => {
  db = await freshDb();
  p = await startPair(db);
  for (const [code, name] of [['A001', '営業部'], ['A002', '開発部'], ['A003', '人事部'], ['A004', 'サポート部']]) dept[code] = (await sh(p, 'POST', '/v1/departments', { name, code })).id;
  // Mikiwame has A001…A003, not サポート部 A004 (M-E12).
  for (const [code, name] of [['A001', '営業部'], ['A002', '開発部'], ['A003', '人事部']]) await mw(p, 'PUT', `/v1/departments/${code}`, { name });
  optTemplate = (await sh(p, 'GET', '/v1/crew_custom_field_templates')).find((t: { name: string }) => t.name === 'ミキワメ(AI)連携');
  // The eight employees of seed 001 手順4 注意事項4, as SmartHR crews.
  const eight = [
    crew('E001', '太郎', 'タロウ', '001@aaa.com', 'A001'),
    crew('E002', '次郎', 'ジロウ', '002@aaa.com', null),
    crew('E003', '三郎', 'サブロウ', '003@aaa.com', 'A004'),
    { ...crew('E004', '四郎', 'シロウ', '004@aaa.com', 'A002'), last_name: undefined, first_name: undefined },
    { ...crew('E005', '五郎', 'ゴロウ', '005@aaa.com', 'A003'), last_name_yomi: undefined, first_name_yomi: undefined },
    crew('E006', '六郎', 'ロクロウ', null, 'A003'),
    crew('E007', '七郎', 'ナナロウ', '007@aaa.com', 'A003'),
    crew('E008', '八郎', 'ハチロウ', ' 007@AAA.com', 'A003'),
  ];
  for (const c of eight) await sh(p, 'POST', '/v1/crews', c);
});
afterAll(async () => { await p?.sh.stop(); await p?.mw.stop(); });

describe('smarthr-employees-to-mikiwame', () => {
  it('M-E12: of the eight employees only 太郎 and 次郎 are created in Mikiwame; the six others are in the error CSV with their codes', async () => {
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.stderr).not.toContain("internal error");
    if (r.code !== 0) console.log(r.stderr.slice(-3000));
    expect(r.code).toBe(0);
    expect(p.mw.state.employees.map((e) => e.first_name).sort()).toEqual(['太郎', '次郎'].sort());
    const byKey = Object.fromEntries(r.errors.map((e) => [e.key, e.code]));
    expect(byKey).toEqual({ E003: 'UNKNOWN_DEPARTMENT', E004: 'MISSING_NAME', E005: 'MISSING_KANA', E006: 'MISSING_EMAIL', E007: 'DUPLICATE_EMAIL', E008: 'DUPLICATE_EMAIL' });
    expect(r.errors.every((e) => e.outcome === 'rejected')).toBe(true);
  });

  it('M-E9: every holder of an email shared case- and space-insensitively is excluded, the first one included', () => {
    expect(p.mw.state.employees.some((e) => e.emp_code === 'E007' || e.emp_code === 'E008')).toBe(false);
  });

  it('M-E1: the fields map to their Mikiwame columns; M-E5: the resigned flag only for 退職', () => {
    const taro = p.mw.state.employees.find((e) => e.emp_code === 'E001')!;
    expect(taro).toMatchObject({ email: '001@aaa.com', last_name: 'ミキワメ', first_name: '太郎', last_name_kana: 'ミキワメ', first_name_kana: 'タロウ', gender: 'male',
      birth_date: '1990-04-01', department_code: 'A001', hire_date: '2020-04-01', employment_type: '正社員', retired: false });
    expect(p.mw.state.employees.find((e) => e.emp_code === 'E002')!.department_code).toBeNull();
  });

  it('G4: the second run writes nothing', async () => {
    const before = p.mw.writeRequests;
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(0);
    expect(p.mw.writeRequests).toBe(before);
  });

  it('M-E2/M-E3/M-E4: business name first, first department and position only, employment types by exact name (else その他)', async () => {
    await sh(p, 'POST', '/v1/job_titles', { name: '課長', rank: 10 });
    await sh(p, 'POST', '/v1/employment_types', { name: '嘱託' });
    await sh(p, 'POST', '/v1/crews', crew('E010', '十郎', 'ジュウロウ', '010@aaa.com', 'A002', {
      business_last_name: '見極', business_first_name: '十', department_ids: [dept.A002, dept.A001], positions: ['課長', '部長'], employment_type_id: typeId('パート・アルバイト'),
    }));
    // The live API returns null items inside departments[] (apis.md §4): put one first, as a tenant can have.
    p.sh.edit((s) => { s.crews.find((c) => c.emp_code === 'E010')!.department_ids.unshift(null); });
    const custom = (await sh(p, 'GET', '/v1/employment_types')).find((e: { name: string }) => e.name === '嘱託').id;
    await sh(p, 'POST', '/v1/crews', crew('E011', '十一郎', 'ジュウイチロウ', '011@aaa.com', null, { employment_type_id: custom, emp_status: 'retired', resigned_at: '2025-12-31' }));
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(0);
    const e10 = p.mw.state.employees.find((e) => e.emp_code === 'E010')!;
    // パート・アルバイト is the tenant's renamed default (SmartHR's name is アルバイト・パート): その他.
    expect(e10).toMatchObject({ last_name: '見極', first_name: '十', department_code: 'A002', position: '課長', employment_type: 'その他' });
    expect(p.mw.state.employees.find((e) => e.emp_code === 'E011')).toMatchObject({ employment_type: 'その他', retired: true, resign_date: '2025-12-31' });
  });

  it('M-E10: 連携しない (an enum element id in SmartHR) excludes the employee, listed as excluded OPTED_OUT; 連携する and blank sync', async () => {
    const el = (name: string) => optTemplate.elements.find((e) => e.name === name)!.id;
    await sh(p, 'POST', '/v1/crews', crew('E020', '二十郎', 'ニジュウロウ', '020@aaa.com', null, { custom_fields: [{ template_id: optTemplate.id, value: el('連携しない') }] }));
    await sh(p, 'POST', '/v1/crews', crew('E021', '二十一郎', 'ニジュウイチロウ', '021@aaa.com', null, { custom_fields: [{ template_id: optTemplate.id, value: el('連携する') }] }));
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(0);
    expect(p.mw.state.employees.some((e) => e.emp_code === 'E020')).toBe(false);
    expect(p.mw.state.employees.some((e) => e.emp_code === 'E021')).toBe(true);
    expect(r.errors.find((e) => e.key === 'E020')).toMatchObject({ code: 'OPTED_OUT', outcome: 'excluded' });
  });

  it('M-E6: matching by employee number creates nothing (NO_MATCH, listed) and updates the matched', async () => {
    await sh(p, 'POST', '/v1/crews', crew('E030', '三十郎', 'サンジュウロウ', '030@aaa.com', null));
    const taro = p.sh.state.crews.find((c) => c.emp_code === 'E001')!;
    await sh(p, 'PATCH', `/v1/crews/${taro.id}`, { first_name_yomi: 'タロー' });
    const r = await renkeiRun(p, ['run', EMPLOYEES, '--param', 'match_by=emp_code']);
    expect(r.code).toBe(0);
    expect(p.mw.state.employees.some((e) => e.emp_code === 'E030')).toBe(false);
    expect(r.errors.find((e) => e.key === 'E030')).toMatchObject({ code: 'NO_MATCH', outcome: 'excluded' });
    expect(p.mw.state.employees.find((e) => e.emp_code === 'E001')!.first_name_kana).toBe('タロー');
  });

  it('M-E11: in employee-number mode a changed email is never written (EMAIL_IMMUTABLE warning), and the API refuses an email change', async () => {
    const taro = p.sh.state.crews.find((c) => c.emp_code === 'E001')!;
    await sh(p, 'PATCH', `/v1/crews/${taro.id}`, { email: 'taro.new@aaa.com' });
    const before = p.mw.writeRequests;
    const r = await renkeiRun(p, ['run', EMPLOYEES, '--param', 'match_by=emp_code', '--log-format', 'json', '--log-level', 'warn']);
    expect(r.code).toBe(0);
    expect(p.mw.state.employees.find((e) => e.emp_code === 'E001')!.email).toBe('001@aaa.com');
    expect(p.mw.writeRequests).toBe(before);
    expect(r.stderr).toMatch(/"key":"E001","code":"EMAIL_IMMUTABLE"/);
    expect(r.stderr).not.toContain('taro.new@aaa.com');
    const id = p.mw.state.employees.find((e) => e.emp_code === 'E001')!.id;
    await expect(mw(p, 'PATCH', `/v1/employees/${id}`, { email: 'x@aaa.com' })).rejects.toThrow(/422.*email_immutable/);
  });

  it('M-E8: a department unknown to Mikiwame excludes the employee (UNKNOWN_DEPARTMENT), a blank one is allowed', async () => {
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(0);
    expect(r.errors.find((e) => e.key === 'E003')).toMatchObject({ code: 'UNKNOWN_DEPARTMENT', outcome: 'rejected' });
    expect(p.mw.state.employees.some((e) => e.emp_code === 'E003')).toBe(false);
    expect(p.mw.state.employees.find((e) => e.emp_code === 'E002')!.department_code).toBeNull();
  });

  it('M-E7: missing name, kana or email each exclude with their own code', async () => {
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    const codes = Object.fromEntries(r.errors.map((e) => [e.key, e.code]));
    expect([codes.E004, codes.E005, codes.E006]).toEqual(['MISSING_NAME', 'MISSING_KANA', 'MISSING_EMAIL']);
  });

  it('L2: an expired linkage exits 1 with a clear message and zero write requests; nothing is deleted', async () => {
    const had = p.mw.state.employees.length;
    await sh(p, 'POST', '/v1/crews', crew('E040', '四十郎', 'ヨンジュウロウ', '040@aaa.com', null));
    p.clock.now = new Date(Date.parse(p.mw.state.linkage.expires_at) + 1000);
    const before = p.mw.writeRequests;
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/linkage expired/);
    expect(r.stderr).toMatch(/renkei link mikiwame/);
    expect(p.mw.writeRequests).toBe(before);
    expect(p.mw.state.employees.length).toBe(had);
  });

  it('L1: renkei link mikiwame renews the linkage for 90 days, after which the sync runs again', async () => {
    const r = await runMain(['link', 'mikiwame', '--base-url', p.mw.url, '--token', p.mw.token], p.env, p.dir);
    expect(r.code).toBe(0);
    expect(Date.parse(p.mw.state.linkage.expires_at) - p.clock.now.getTime()).toBe(90 * 86_400_000);
    expect(r.stdout).toContain(p.mw.state.linkage.expires_at);
    const run = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(run.code).toBe(0);
    expect(p.mw.state.employees.some((e) => e.emp_code === 'E040')).toBe(true);
  });
});
