/**
 * Excluded employees are listed, not only counted (issue 10 item 5): every employee the employees
 * pipeline leaves out on purpose (opted out, no match) is an `excluded` candidate of the plan with its
 * key and reason code, an entry of the sync report (`renkei report RUN`) and a row of the error CSV
 * with outcome `excluded`; `renkei apply` never selects one. Both sandboxes over real HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { mw, pipeline, renkeiRun, sh, startPair, type Pair } from '../helpers/mikiwame.ts';
import { runMain } from '../helpers/cli.ts';
import type { Plan } from '../../sync/plan.ts';

const EMPLOYEES = pipeline('smarthr-employees-to-mikiwame.yaml');
let db: TestDb;
let p: Pair;
let dept = '';
let optOut = { template: '', element: '' };

const crew = (emp_code: string, first: string, extra: Record<string, unknown> = {}) => ({
  emp_code, last_name: '除外', first_name: first, last_name_yomi: 'ジョガイ', first_name_yomi: 'テスト', email: `${emp_code.toLowerCase()}@ex.jp`,
  gender: 'female', birth_at: '1991-05-01', entered_at: '2021-04-01', emp_status: 'employed', department_ids: [dept], ...extra,
});

beforeAll(async () => {
  db = await freshDb();
  p = await startPair(db);
  dept = (await sh(p, 'POST', '/v1/departments', { name: '営業部', code: 'A001' })).id;
  await mw(p, 'PUT', '/v1/departments/A001', { name: '営業部' });
  const t = (await sh(p, 'GET', '/v1/crew_custom_field_templates')).find((x: { name: string }) => x.name === 'ミキワメ(AI)連携');
  optOut = { template: t.id, element: t.elements.find((e: { name: string }) => e.name === '連携しない').id };
  await sh(p, 'POST', '/v1/crews', crew('X001', '一子'));
  await sh(p, 'POST', '/v1/crews', crew('X002', '二子', { custom_fields: [{ template_id: optOut.template, value: optOut.element }] }));
  // By email X001 is created and X002 opted out; then X003 joins SmartHR only.
  expect((await renkeiRun(p, ['run', EMPLOYEES])).code).toBe(0);
  await sh(p, 'POST', '/v1/crews', crew('X003', '三子'));
});
afterAll(async () => { await p?.sh.stop(); await p?.mw.stop(); });

describe('excluded employees are listed (issue 10 item 5)', () => {
  let plan: Plan;
  const planFile = () => path.join(p.dir, 'excluded-plan.json');

  it('M-E10/M-E6: the plan lists every excluded employee with its key and reason code (status excluded), in JSON and on the terminal', async () => {
    const r = await runMain(['plan', EMPLOYEES, '--param', 'match_by=emp_code', '--out', planFile(), '--show', 'excluded'], p.env, p.dir);
    if (r.code !== 0) console.log(r.stderr.slice(-2000));
    expect(r.code).toBe(0);
    plan = JSON.parse(fs.readFileSync(planFile(), 'utf8'));
    const excluded = plan.candidates.filter((c) => c.status === 'excluded').map((c) => [c.key, c.code, c.stage]);
    expect(excluded).toEqual([['X002', 'OPTED_OUT', expect.stringContaining('exclude')], ['X003', 'NO_MATCH', expect.stringContaining('match_policy')]]);
    expect(plan.counts).toMatchObject({ excluded: 2, filtered: 2, unchanged: 1, new: 0 });
    // Plans hold only what they must (G6): an excluded candidate carries no record.
    expect(plan.candidates.find((c) => c.key === 'X003')!.record).toBeUndefined();
    expect(r.stdout).toMatch(/excluded 2/);
    expect(r.stdout).toMatch(/EXCLUDED\s+X003[\s\S]*NO_MATCH/);
  });

  it('the sync report lists them as excluded, apart from the errors (renkei report RUN, --json outcome)', async () => {
    const r = await runMain(['report', plan.plan_id], p.env, p.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/excluded \(left out by a rule[^\n]*\(2\):\n\s+X002\s+OPTED_OUT[^\n]*\n\s+X003\s+NO_MATCH/);
    expect(r.stdout).not.toMatch(/^errors \(/m);
    const j = await runMain(['report', plan.plan_id, '--json'], p.env, p.dir);
    const errors = JSON.parse(j.stdout).errors as Array<{ key: string; code: string; outcome: string }>;
    expect(errors.map((e) => [e.key, e.code, e.outcome])).toEqual([['X002', 'OPTED_OUT', 'excluded'], ['X003', 'NO_MATCH', 'excluded']]);
  });

  it('the error CSV has each with outcome excluded', async () => {
    const r = await renkeiRun(p, ['run', EMPLOYEES, '--param', 'match_by=emp_code']);
    expect(r.code).toBe(0);
    expect(r.errors.map((e) => [e.key, e.code, e.outcome])).toEqual([['X002', 'OPTED_OUT', 'excluded'], ['X003', 'NO_MATCH', 'excluded']]);
  });

  it('renkei apply never selects an excluded candidate: --select refuses it, the default selection writes nothing', async () => {
    const before = p.mw.writeRequests;
    const refused = await runMain(['apply', planFile(), '--select', 'X003'], p.env, p.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('X003 (excluded)');
    const refusedOnly = await runMain(['apply', planFile(), '--only', 'excluded'], p.env, p.dir);
    expect(refusedOnly.code).toBe(2);
    const applied = await runMain(['apply', planFile()], p.env, p.dir);
    expect(applied.code).toBe(0);
    expect(p.mw.writeRequests).toBe(before);
    expect(p.mw.state.employees.map((e) => e.emp_code)).toEqual(['X001']);
  });
});
