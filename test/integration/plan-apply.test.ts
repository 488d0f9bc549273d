/**
 * Plan → review → apply against the SmartHR sandbox over real HTTP, through the CLI's main() in-process
 * (K4, K5, K10, G1, G4, safety guards). One sandbox, one database and one state home for the whole story.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import type { Plan } from '../../sync/plan.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { runMain } from '../helpers/cli.ts';

const FIELDS = ['emp_code', 'last_name', 'first_name', 'gender', 'birth_at', 'email'];
const tenant = generateTenant({ employees: 40, seed: 'plan-apply' });
const office = tenant.biz_establishments[0];

let sb: SmarthrSandbox;
let db: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;

const pipeline = (url: string) => `name: crews-sync
description: HR master (JSON) → SmartHR
key: [emp_code]
source: { type: json, path: in.json }
transforms:
  - type: normalize
    fields: { birth_at: date }
  - type: diff
    key: [emp_code]
    fields: [last_name, first_name, gender, birth_at, email]
    carry: [id]
    target: { type: smarthr.crews, base_url: "${url}", token: "\${SMARTHR_TOKEN}", rate_limit: 1000, fields: [id, ${FIELDS.join(', ')}] }
sinks:
  - type: smarthr.crews
    base_url: "${url}"
    token: \${SMARTHR_TOKEN}
    rate_limit: 1000
    concurrency: 4
    fields: [${FIELDS.join(', ')}]
    on_create: { biz_establishment_id: "${office.id}", emp_status: employed }
errors: { type: csv, path: "errors/{run_id}.csv" }
`;

type Row = Record<string, unknown>;
const pick = (c: Row): Row => Object.fromEntries(FIELDS.map((f) => [f, c[f] ?? null]));
const person = (code: string, first = '太郎'): Row => ({ emp_code: code, last_name: '新井', first_name: first, gender: 'male', birth_at: '1991/4/1', email: `${code.toLowerCase()}@example.jp` });
const crew = (code: unknown) => sb.state.crews.find((c) => c.emp_code === code)!;
const writeInput = (rows: Row[], file = 'in.json') => fs.writeFileSync(path.join(dir, file), JSON.stringify(rows));
const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
const cli = (args: string[]) => runMain(args, env, dir);

// The source: 20 of the 40 crews, two of them edited, three new people, one with an impossible birth date.
const base = tenant.crews.slice(0, 20).map(pick);
const input = (): Row[] => {
  const rows = base.map((r) => ({ ...r }));
  rows[0].email = 'moved@example.jp';
  rows[1].last_name = '改姓';
  return [...rows, person('N00001'), person('N00002'), person('N00003'), { ...person('N00009'), birth_at: '1990-02-30' }];
};

beforeAll(async () => {
  sb = await startSmarthrSandbox({ state: structuredClone(tenant), rateLimit: 0 });
  db = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-plan-'));
  fs.writeFileSync(path.join(dir, 'p.yaml'), pipeline(sb.url));
  env = { DATABASE_URL: db.url, SMARTHR_TOKEN: sb.token, USER: 'tester', HOME: dir, RENKEI_HOME: path.join(dir, '.renkei') };
  writeInput(input());
});
afterAll(async () => {
  await sb?.stop();
});

describe('plan → apply against the SmartHR sandbox', () => {
  it('K4: plan writes nothing and saves the plan and review page; K5: every candidate with its status and field diffs', async () => {
    sb.stats.reset();
    const r = await cli(['plan', 'p.yaml', '--out', 'plan1.json', '--html', 'review.html']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(sb.stats.writes).toBe(0);
    const plan = readPlan('plan1.json');
    expect(plan.counts).toEqual({ new: 3, changed: 2, unchanged: 18, rejected: 1, excluded: 0, missing: 20, filtered: 0 });
    expect(plan.source_records).toBe(24);
    expect(plan.target_records).toBe(40);
    expect(plan.target_fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const changed = plan.candidates.filter((c) => c.status === 'changed');
    expect(changed.map((c) => [c.key, c.changes])).toEqual([
      [base[0].emp_code, [{ field: 'email', old: base[0].email, new: 'moved@example.jp' }]],
      [base[1].emp_code, [{ field: 'last_name', old: base[1].last_name, new: '改姓' }]],
    ]);
    const rejected = plan.candidates.find((c) => c.status === 'rejected')!;
    expect(rejected).toMatchObject({ key: 'N00009', code: 'INVALID_DATE' });
    expect(plan.candidates.filter((c) => c.status === 'missing')).toHaveLength(20);
    expect(r.stdout).toContain('moved@example.jp');
    expect(fs.readFileSync(path.join(dir, 'review.html'), 'utf8')).toContain('<html');
  });

  it('apply --only changed writes exactly the changed candidates; G7: applying the plan again is refused, nothing left', async () => {
    sb.stats.reset();
    const r = await cli(['apply', 'plan1.json', '--only', 'changed']);
    expect(r.code).toBe(0);
    expect(sb.stats.writes).toBe(2);
    expect(crew(base[0].emp_code).email).toBe('moved@example.jp');
    expect(crew(base[1].emp_code).last_name).toBe('改姓');
    expect(crew('N00001')).toBeUndefined();
    expect(r.stdout).toMatch(/written 2\b/);
    // Applying the same plan again: refused, nothing left (G7).
    const again = await cli(['apply', 'plan1.json', '--only', 'changed']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/PLAN_APPLIED: plan \S+ was already applied by run \S+ on [^;]+; nothing left to apply/);
    // With --again the target re-check still refuses, and says the changes are our own earlier apply.
    const forced = await cli(['apply', 'plan1.json', '--only', 'changed', '--again']);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/PLAN_STALE: 2 selected record\(s\) changed in the target/);
    expect(forced.stderr).toMatch(/This plan was already applied by run \S+ \(succeeded, [^)]+\): those changes are its own writes/);
    expect(sb.stats.writes).toBe(2);
  });

  it('a target change between plan and apply is detected and nothing is written; --force overrides', async () => {
    const plan = await cli(['plan', 'p.yaml', '--out', 'plan2.json']);
    expect(plan.code).toBe(0);
    expect(readPlan('plan2.json').counts).toMatchObject({ new: 3, changed: 0 });
    // Someone creates N00001 in SmartHR by hand after the plan.
    sb.edit((st) => st.crews.push({ ...structuredClone(tenant.crews[39]), id: 'hand-made', emp_code: 'N00001' }));
    sb.stats.reset();
    const refused = await cli(['apply', 'plan2.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PLAN_STALE');
    expect(refused.stderr).toContain('N00001: created in the target since the plan');
    expect(sb.stats.writes).toBe(0);
    // Selecting only the others is fine: the check covers what is applied.
    const some = await cli(['apply', 'plan2.json', '--select', 'N00002,N00003']);
    expect(some.code).toBe(0);
    expect(sb.stats.writes).toBe(2);
    expect(crew('N00002').biz_establishment_id).toBe(office.id);
    // A selected key that is not applicable is a usage error naming it.
    const bad = await cli(['apply', 'plan2.json', '--select', 'N00009']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('N00009 (rejected)');
  });

  it('a changed candidate whose target record moved is refused; --force applies it', async () => {
    const rows = input();
    rows[2].first_name = '改名';
    writeInput(rows);
    expect((await cli(['plan', 'p.yaml', '--out', 'plan3.json'])).code).toBe(0);
    const key = String(base[2].emp_code);
    expect(readPlan('plan3.json').candidates.find((c) => c.key === key)?.status).toBe('changed');
    sb.edit(() => { crew(key).email = 'edited-in-smarthr@example.jp'; });
    const refused = await cli(['apply', 'plan3.json', '--only', 'changed']);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`${key}: changed in the target since the plan`);
    sb.stats.reset();
    const forced = await cli(['apply', 'plan3.json', '--only', 'changed', '--select', key, '--force']);
    expect(forced.code).toBe(0);
    expect(sb.stats.writes).toBe(1);
    expect(crew(key).first_name).toBe('改名');
  });

  it('G4: renkei run converges, and a second run is all unchanged with zero write requests', async () => {
    const rows = input();
    rows[2].first_name = '改名';
    rows[2].email = 'edited-in-smarthr@example.jp';
    rows.pop(); // the record with the impossible date
    rows.splice(rows.findIndex((r) => r.emp_code === 'N00001'), 1); // now owned by the hand-made crew
    writeInput(rows);
    const first = await cli(['run', 'p.yaml']);
    expect(first.code).toBe(0);
    sb.stats.reset();
    const second = await cli(['run', 'p.yaml', '--report-json', 'second.json']);
    expect(second.code).toBe(0);
    expect(sb.stats.writes).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'second.json'), 'utf8'));
    expect(report.plan_counts).toMatchObject({ new: 0, changed: 0, unchanged: rows.length });
    expect(report.counts.written).toBe(0);
  });

  it('a 4xx for one record rejects only that record; --retry-failed re-plans just the failed key', async () => {
    const rows = [...base.slice(3).map((r) => ({ ...r })), person('N00070', '一郎'), person('N00070', '二郎'), person('N00071')];
    writeInput(rows);
    sb.stats.reset();
    const r = await cli(['run', 'p.yaml', '--report-json', 'dup.json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'dup.json'), 'utf8'));
    expect(report.counts).toMatchObject({ written: 2, rejected: 1 });
    expect(report.reasons.rejected).toEqual({ TARGET_REFUSED: 1 });
    expect(crew('N00071')).toBeDefined();
    const shown = await cli(['report', report.run_id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('N00070  TARGET_REFUSED');
    // The failed record is now "changed" against the first N00070: retrying patches it.
    sb.stats.reset();
    const retry = await cli(['apply', '--retry-failed', report.run_id]);
    expect(retry.code).toBe(0);
    expect(sb.stats.writes).toBe(1);
    expect(crew('N00070').first_name).toBe('二郎');
  });

  it('guard: a source returning 30% of the usual rows is refused with the numbers; --force applies', async () => {
    const rows = base.slice(3).map((r) => ({ ...r }));
    writeInput(rows);
    expect((await cli(['run', 'p.yaml', '--started-by', 'schedule:nightly'])).code).toBe(0);
    const few = rows.slice(0, Math.round(rows.length * 0.3));
    few[0].first_name = '少数';
    writeInput(few, 'few.json');
    const plan = await cli(['plan', 'p.yaml', '--set', 'source.path=few.json', '--out', 'few-plan.json']);
    expect(plan.code).toBe(0);
    sb.stats.reset();
    const refused = await cli(['apply', 'few-plan.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('GUARD_REFUSED');
    expect(refused.stderr).toContain(`the source returned ${few.length} records, ${(100 * few.length / rows.length).toFixed(1)}% of the ${rows.length}`);
    expect(sb.stats.writes).toBe(0);
    // The refusal is in the sync history as a failed apply (K10).
    const [last] = (await db.pool.query(`SELECT kind, status, message FROM renkei_runs ORDER BY started_at DESC, id DESC LIMIT 1`)).rows;
    expect(last).toMatchObject({ kind: 'apply', status: 'failed' });
    expect(last.message).toContain('GUARD_REFUSED');
    const forced = await cli(['apply', 'few-plan.json', '--force']);
    expect(forced.code).toBe(0);
    expect(sb.stats.writes).toBe(1);
  });

  it('K10: renkei report lists the latest 10 with who started them and the kind; G1: their counts add up', async () => {
    const r = await cli(['report', '--json']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => row.started_by === 'schedule:nightly').map((row) => row.kind).sort()).toEqual(['apply', 'plan']);
    for (const row of rows) {
      expect(['cli:tester', 'schedule:nightly']).toContain(row.started_by);
      expect(['plan', 'apply', 'run']).toContain(row.kind);
      if (row.status !== 'succeeded') continue;
      const c = row.counts;
      // Plans say would_write (they wrote nothing), runs and applies say written.
      expect(row.kind === 'plan' ? c.written : c.would_write).toBeUndefined();
      expect(c.read + row.expanded).toBe((c.written ?? c.would_write) + c.unchanged + c.filtered + c.rejected);
    }
    const text = await cli(['report', '--limit', '3']);
    expect(text.stdout.match(/^\d{4}-\d\d-\d\d /gm)).toHaveLength(3);
  });
});
