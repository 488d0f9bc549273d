/**
 * Runs are labelled by kind and never misreport (issue 8): a plan and a dry run are stored as such
 * with "would write" counts and no written count; `renkei runs` shows the kind and filters by kind
 * and status; an all-rejected run fails under the default error budget; plans and review pages are
 * private files in the state home.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renkeiIn } from '../helpers/in-process.ts';
import { ROOT } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { checkBudget, effectiveRatio } from '../../engine/budget.ts';
import { emptyCounts } from '../../engine/report.ts';

let tdb: TestDb;
let work: string;
let home: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  tdb = await freshDb();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-kinds-'));
  home = path.join(work, 'home');
  env = { PATH: process.env.PATH, HOME: work, RENKEI_HOME: home, DATABASE_URL: tdb.url, DIFF_OUT: work };
});

const DIFF = path.join(ROOT, 'test/pipelines/diff/pipeline.yaml');

function csvPipeline(name: string, rows: string[], validate = ''): string {
  fs.writeFileSync(path.join(work, `${name}.csv`), ['code,n', ...rows].join('\n') + '\n');
  const file = path.join(work, `${name}.yaml`);
  fs.writeFileSync(file, `name: ${name}
key: [code]
source: { type: csv, path: ${name}.csv }
${validate}sinks:
  - type: postgres
    table: ${name}
    create_table: true
    columns: [{ name: code, type: text }, { name: n, type: integer }]
errors: { type: csv, path: '${name}-errors/{run_id}.csv' }
`);
  return file;
}

async function runs(...args: string[]): Promise<Array<Record<string, any>>> {
  const r = await renkeiIn(['runs', '--json', ...args], env, work);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('run kinds', () => {
  it('K4: a plan is stored as kind plan with would_write and no written count; its plan file and review page are 0600 in the state home', async () => {
    const r = await renkeiIn(['plan', DIFF, '--html', 'review.html'], env, work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would write 2/);
    expect(r.stdout).not.toMatch(/written \d/);
    const [plan] = await runs('--kind', 'plan');
    expect(plan.kind).toBe('plan');
    expect(plan.dry_run).toBe(true);
    expect(plan.counts.would_write).toBe(2);
    expect(plan.counts).not.toHaveProperty('written');
    const table = await renkeiIn(['runs'], env, work);
    expect(table.stdout).toMatch(/diff-report\s+succeeded/);
    expect(table.stdout).toMatch(/\bplan\b/);
    expect(table.stdout).toMatch(/~2/);
    const report = await renkeiIn(['report', plan.id], env, work);
    expect(report.stdout).toMatch(/would write 2/);

    const planFile = path.join(home, 'plans', `${plan.id}.json`);
    expect(fs.statSync(planFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(home, 'plans')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(work, 'review.html')).mode & 0o777).toBe(0o600);
  });

  it('a dry run is kind dry-run with would_write; --kind and --status filter; bad filter values are usage errors', async () => {
    const file = csvPipeline('dry', ['A,1', 'B,2', 'C,3']);
    const r = await renkeiIn(['run', file, '--dry-run', '--no-progress'], env, work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would write 3/);
    const [dry] = await runs('--kind', 'dry-run');
    expect(dry).toMatchObject({ kind: 'dry-run', pipeline: 'dry', status: 'succeeded' });
    expect(dry.counts).toEqual({ read: 3, would_write: 3, unchanged: 0, filtered: 0, rejected: 0 });
    expect((await runs('--kind', 'run', '--pipeline', 'dry'))).toEqual([]);
    expect((await runs('--status', 'failed,interrupted', '--pipeline', 'dry'))).toEqual([]);
    const bad = await renkeiIn(['runs', '--kind', 'plans'], env, work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kind: unknown plans; valid: run, plan, apply, dry-run/);
  });

  it('a dry run rehearses with the postgres sink: every row is loaded and checked, then rolled back — its counts are the real run\'s', async () => {
    await tdb.pool.query('CREATE TABLE rehearsed (code text PRIMARY KEY, n integer CHECK (n > 0))');
    await tdb.pool.query(`INSERT INTO rehearsed VALUES ('OLD', 1)`);
    const file = csvPipeline('rehearsed', ['A,1', 'B,-2', 'C,x', 'OLD,5', 'D,4']);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    create_table: true\n', ''));
    const dry = await renkeiIn(['run', file, '--dry-run', '--no-progress', '--set', 'options.max_rejected_ratio=1'], env, work);
    expect(dry.code, dry.stderr).toBe(0);
    // B breaks the CHECK, C is not an integer, OLD is a duplicate key: found by the rehearsal, not after.
    expect(dry.stdout).toMatch(/read 5 = would write 2 \+ unchanged 0 \+ filtered 0 \+ rejected 3/);
    expect((await tdb.pool.query('SELECT code FROM rehearsed ORDER BY code')).rows).toEqual([{ code: 'OLD' }]);
    const real = await renkeiIn(['run', file, '--no-progress', '--set', 'options.max_rejected_ratio=1'], env, work);
    expect(real.stdout).toMatch(/read 5 = written 2 \+ unchanged 0 \+ filtered 0 \+ rejected 3/);
  });

  it('a run that rejects every record fails under the default error budget (exit 1), and nothing is committed', async () => {
    const file = csvPipeline('allbad', ['A,x', 'B,y', 'C,z'], `transforms:\n  - type: validate\n    rules: [{ fields: [n], check: pattern, pattern: '^\\d+$', code: BAD_N }]\n`);
    const r = await renkeiIn(['run', file, '--no-progress'], env, work);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✘ allbad failed/);
    expect(r.stdout).toMatch(/ERROR_BUDGET: error budget exceeded: 3 of 3 records rejected \(100\.00%\); more than 50% rejected fails a run by default/);
    expect(r.stdout).toMatch(/nothing was committed/);
    const [row] = await runs('--pipeline', 'allbad');
    expect(row.status).toBe('failed');
    expect(row.counts.written).toBe(0);
    // max_rejected_ratio: 1 turns the default off.
    const off = await renkeiIn(['run', file, '--no-progress', '--set', 'options.max_rejected_ratio=1'], env, work);
    expect(off.code).toBe(0);
  });

  it('the default budget applies only when no budget is configured', () => {
    expect(effectiveRatio({})).toBe(0.5);
    expect(effectiveRatio({ max_rejected: 10 })).toBeUndefined();
    expect(effectiveRatio({ max_rejected_ratio: 0.1 })).toBe(0.1);
    const c = { ...emptyCounts(), read: 10, rejected: 5 };
    expect(() => checkBudget({}, c, true)).not.toThrow();
    expect(() => checkBudget({}, { ...c, rejected: 6 }, true)).toThrow(/6 of 10 records rejected/);
    expect(() => checkBudget({}, { ...c, rejected: 6 }, false)).not.toThrow();
    expect(() => checkBudget({ max_rejected: 100 }, { ...c, rejected: 9 }, true)).not.toThrow();
  });
});
