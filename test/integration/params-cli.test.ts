/**
 * Pipeline parameters through the commands that load a pipeline: `renkei run --param`, `renkei plan
 * --param` (the plan keeps them, so `renkei apply` loads the same config), and a bad value refused
 * with exit 2 before anything runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { renkeiIn } from '../helpers/in-process.ts';
import { ROOT } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let tdb: TestDb;
let work: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  tdb = await freshDb();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-params-'));
  env = { PATH: process.env.PATH, HOME: work, RENKEI_HOME: path.join(work, 'home'), DATABASE_URL: tdb.url };
  fs.writeFileSync(path.join(work, 'in.csv'), 'code,n\nA,1\nB,2\n');
  fs.writeFileSync(path.join(work, 'p.yaml'), `name: params-run
key: [code]
params:
  table: { type: string, enum: [loaded_a, loaded_b], description: target table }
source: { type: csv, path: in.csv }
sinks:
  - type: postgres
    table: \${param.table}
    create_table: true
    columns: [{ name: code, type: text }, { name: n, type: integer }]
errors: { type: csv, path: errors.csv }
`);
  const diff = path.join(ROOT, 'test/pipelines/diff');
  fs.writeFileSync(path.join(work, 'diff.yaml'), fs.readFileSync(path.join(diff, 'pipeline.yaml'), 'utf8')
    .replace('name: diff-report', 'name: diff-params\nparams:\n  target: [target.csv]')
    .replace('path: source.csv', `path: ${path.join(diff, 'source.csv')}`)
    .replace('path: target.csv', `path: '${diff}/\${param.target}'`)
    .replace("path: '${DIFF_OUT}/errors.csv'", 'path: errors-diff.csv'));
});

describe('--param on run, plan and apply', () => {
  it('run --param sets a declared parameter; a value outside its enum is refused with exit 2', async () => {
    const ok = await renkeiIn(['run', 'p.yaml', '--param', 'table=loaded_b', '--no-progress'], env, work);
    expect(ok.code, ok.stderr).toBe(0);
    const rows = (await tdb.pool.query('SELECT count(*)::int AS n FROM loaded_b')).rows[0].n;
    expect(rows).toBe(2);
    const bad = await renkeiIn(['run', 'p.yaml', '--param', 'table=other'], env, work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/p\.yaml:\d+: params\.table: --param table=other/);
    const missing = await renkeiIn(['run', 'p.yaml'], env, work);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required parameter has no value: pass --param table=/);
  });

  it('plan --param keeps the parameters in the plan and the run table, for apply and --retry-failed', async () => {
    const r = await renkeiIn(['plan', 'diff.yaml', '--param', 'target=target.csv', '--out', 'plan.json'], env, work);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(fs.readFileSync(path.join(work, 'plan.json'), 'utf8'));
    expect(plan.params).toEqual(['target=target.csv']);
    const c = new pg.Client(tdb.url);
    await c.connect();
    const row = (await c.query('SELECT params FROM renkei_runs WHERE id = $1', [plan.plan_id])).rows[0];
    await c.end();
    expect(row.params).toEqual(['target=target.csv']);
  });
});
