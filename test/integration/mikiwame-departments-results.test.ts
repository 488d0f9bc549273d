/**
 * SmartHR → Mikiwame departments and Mikiwame → SmartHR personality results through both sandboxes
 * over real HTTP (M-D1…M-D7, M-R1…M-R5, G4), the SmartHR side seeded through its API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { mw, pipeline, renkeiRun, sh, startPair, type Pair } from '../helpers/mikiwame.ts';

const DEPARTMENTS = pipeline('smarthr-departments-to-mikiwame.yaml');
const RESULTS = pipeline('mikiwame-results-to-smarthr.yaml');
let db: TestDb;
let p: Pair;
const id: Record<string, string> = {};

beforeAll(async () => {
  db = await freshDb();
  p = await startPair(db);
  const add = async (code: string | null, name: string, parent?: string) => {
    const d = await sh(p, 'POST', '/v1/departments', { name, code, parent_id: parent ? id[parent] : undefined });
    id[code ?? name] = d.id;
  };
  await add('S1', '営業本部');
  await add('S2', '第一営業部', 'S1');
  await add(null, 'コードなし部');                 // M-D3
  await add('S3', 'コードなし部の課', 'コードなし部');  // parent without a code: DEPT_ORPHAN, never top level
  await add('S4', '総務部');                        // M-D5: Mikiwame has 総務部 under another code
  // M-D4: a chain 12 levels deep under T01.
  for (let i = 1; i <= 12; i++) await add(`T${String(i).padStart(2, '0')}`, `階層${i}`, i === 1 ? undefined : `T${String(i - 1).padStart(2, '0')}`);
  await mw(p, 'PUT', '/v1/departments/X9', { name: '総務部' });
});
afterAll(async () => { await p?.sh.stop(); await p?.mw.stop(); });

describe('smarthr-departments-to-mikiwame', () => {
  let errors: Array<Record<string, string>> = [];
  beforeAll(async () => {
    const r = await renkeiRun(p, ['run', DEPARTMENTS]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    errors = r.errors;
  });
  const code = (k: string) => errors.find((e) => e.key === k)?.code;
  const mwDept = (c: string) => p.mw.state.departments.find((d) => d.code === c);

  it('M-D1: name, code and the parent by its code are synced', () => {
    expect(mwDept('S2')).toEqual({ code: 'S2', name: '第一営業部', parent_code: 'S1' });
    expect(mwDept('S1')).toEqual({ code: 'S1', name: '営業本部', parent_code: null });
  });
  it('M-D3: a department without a code is not synced (DEPT_NO_CODE)', () => {
    expect(errors.some((e) => e.code === 'DEPT_NO_CODE')).toBe(true);
    expect(p.mw.state.departments.some((d) => d.name === 'コードなし部')).toBe(false);
  });
  it('M-D6: a parent given without a code rejects the child (DEPT_ORPHAN), never placed at the top', () => {
    expect(code('S3')).toBe('DEPT_ORPHAN');
    expect(mwDept('S3')).toBeUndefined();
  });
  it('M-D4: level 11 and below are rejected (DEPT_TOO_DEEP), the first 10 levels sync', () => {
    expect(mwDept('T10')).toMatchObject({ parent_code: 'T09' });
    expect([code('T11'), code('T12')]).toEqual(['DEPT_TOO_DEEP', 'DEPT_TOO_DEEP']);
    expect(mwDept('T11')).toBeUndefined();
  });
  it('M-D5: a name Mikiwame has under another code is found in the plan (DEPT_NAME_CONFLICT), not created', () => {
    expect(code('S4')).toBe('DEPT_NAME_CONFLICT');
    expect(errors.find((e) => e.key === 'S4')!.stage).toMatch(/unique_in_target/);
    expect(mwDept('S4')).toBeUndefined();
  });
  it('M-D2: the code is the identity: the same name under a new code is a new department; the API refuses it as a duplicate name', async () => {
    await expect(mw(p, 'PUT', '/v1/departments/S9', { name: '営業本部' })).rejects.toThrow(/409.*department_name_conflict/);
    await expect(mw(p, 'PUT', '/v1/departments/Z1', { name: '深すぎ', parent_code: 'T10' })).rejects.toThrow(/422.*department_too_deep/);
  });
  it('M-D7: parents are written before their children; G4: the second run writes nothing', async () => {
    const order = p.mw.state.departments.map((d) => d.code);
    expect(order.indexOf('T01')).toBeLessThan(order.indexOf('T02'));
    expect(order.indexOf('S1')).toBeLessThan(order.indexOf('S2'));
    const before = p.mw.writeRequests;
    const r = await renkeiRun(p, ['run', DEPARTMENTS]);
    expect(r.code).toBe(0);
    expect(p.mw.writeRequests).toBe(before);
  });
});

describe('mikiwame-results-to-smarthr', () => {
  let opt: { id: string; elements: Array<{ id: string; name: string }> };
  beforeAll(async () => {
    opt = (await sh(p, 'GET', '/v1/crew_custom_field_templates')).find((t: { name: string }) => t.name === 'ミキワメ(AI)連携');
    const crew = (emp_code: string, email: string, extra: Record<string, unknown> = {}) => sh(p, 'POST', '/v1/crews', {
      emp_code, email, last_name: '見極', first_name: emp_code, last_name_yomi: 'ミキワメ', first_name_yomi: 'イチ', gender: 'female', emp_status: 'employed', ...extra,
    });
    await crew('R001', 'r001@aaa.com');
    await crew('R002', 'r002@aaa.com', { custom_fields: [{ template_id: opt.id, value: opt.elements.find((e) => e.name === '連携しない')!.id }] });
    const e = async (emp_code: string, email: string) => mw(p, 'POST', '/v1/employees', { emp_code, email, last_name: '見極', first_name: emp_code, last_name_kana: 'ミキワメ', first_name_kana: 'イチ' });
    const e1 = await e('R001', 'r001@aaa.com');
    const e2 = await e('R002', 'r002@aaa.com');
    const e3 = await e('R003', 'r003@aaa.com');
    await mw(p, 'POST', '/v1/personality_results', { employee_id: e1.id, exam_date: '2025-04-01', type16: 'リーダー型', scores: { 外向性: 40 } });
    await mw(p, 'POST', '/v1/personality_results', { employee_id: e1.id, exam_date: '2026-01-15', type16: '研究者型', scores: { 外向性: 61 } });
    await mw(p, 'POST', '/v1/personality_results', { employee_id: e1.id, exam_date: '2025-10-01', type16: 'バランス型', scores: { 外向性: 55 } });
    await mw(p, 'POST', '/v1/personality_results', { employee_id: e2.id, exam_date: '2026-01-01', type16: 'メンター型' });
    await mw(p, 'POST', '/v1/personality_results', { employee_id: e3.id, exam_date: '2026-01-01', type16: 'メンター型' });
  });
  const value = (emp_code: string, name: string) => {
    const c = p.sh.state.crews.find((x) => x.emp_code === emp_code)!;
    const t = p.sh.state.custom_field_templates.find((x) => x.name === name);
    return t ? c.custom_fields.find((f) => f.template_id === t.id)?.value ?? null : undefined;
  };

  it('M-R5: missing custom field templates stop the run before any write and are named; none is created or deleted', async () => {
    const templates = p.sh.state.custom_field_templates.length;
    const writes = p.sh.stats.writes;
    const r = await renkeiRun(p, ['run', RESULTS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TEMPLATE_MISSING.*受検日/);
    expect(p.sh.stats.writes).toBe(writes);
    expect(p.sh.state.custom_field_templates.length).toBe(templates);
  });

  it('M-R1: with create_templates the latest result (M-R3) (exam date, 16-type, link, trait scores) is written to the custom fields', async () => {
    const r = await renkeiRun(p, ['run', RESULTS, '--set', 'sinks.0.create_templates=true']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(value('R001', '受検日')).toBe('2026-01-15');
    expect(value('R001', '16タイプ')).toBe('研究者型');
    expect(String(value('R001', '検査結果リンク'))).toMatch(/^https:\/\/mikiwame\.example\/results\//);
    expect(Number(value('R001', '外向性'))).toBe(61);
    expect(Number(value('R001', '独創性'))).toBe(50);
    expect(p.sh.state.custom_field_templates.filter((t) => ['受検日', '16タイプ', '検査結果リンク'].includes(t.name))).toHaveLength(3);
    expect(p.sh.state.custom_field_templates.length).toBeGreaterThanOrEqual(4 + 27);
  });

  it('M-R2: a result matching no SmartHR employee is NO_MATCH and creates none; M-R4: opted-out employees get nothing', async () => {
    const r = await renkeiRun(p, ['run', RESULTS]);
    expect(p.sh.state.crews.some((c) => c.emp_code === 'R003')).toBe(false);
    expect(value('R002', '受検日')).toBeNull();
    expect(r.errors.find((e) => e.key === 'R003')).toMatchObject({ code: 'NO_MATCH', outcome: 'excluded' });
    expect(r.errors.find((e) => e.key === 'R002')).toMatchObject({ code: 'OPTED_OUT', outcome: 'excluded' });
    const r2 = await renkeiRun(p, ['run', RESULTS, '--param', 'match_by=emp_code']);
    expect(r2.code).toBe(0);
    expect(p.sh.state.crews.some((c) => c.emp_code === 'R003')).toBe(false);
    expect(r.code).toBe(0);
  });

  it('M-R2: matching by emp_code writes the same; G4: the second run writes nothing', async () => {
    const writes = p.sh.stats.writes;
    const r = await renkeiRun(p, ['run', RESULTS, '--param', 'match_by=emp_code']);
    expect(r.code).toBe(0);
    expect(p.sh.stats.writes).toBe(writes);
  });
});
