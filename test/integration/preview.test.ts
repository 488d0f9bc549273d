/**
 * `renkei preview` (issue 13): the first N records as they leave the transforms (or stage K), with
 * the rejects among them; nothing written (no sink, no error file, no run recorded). `renkei run
 * --limit N` is a trial load of the first N records.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let tdb: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  tdb = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-preview-'));
  env = { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home'), HOME: dir };
  fs.writeFileSync(path.join(dir, 'in.csv'), 'code,n,d\nA,1,2026/04/01\nB,x,2026-04-02\nC,3,令和8年4月3日\nD,4,bad\nE,5,2026-04-05\n');
  fs.writeFileSync(path.join(dir, 'p.yaml'), `name: pv
key: [code]
source: { type: csv, path: in.csv }
transforms:
  - { type: normalize, fields: { d: date } }
  - { type: validate, rules: [{ fields: [n], check: pattern, pattern: '^\\d+$', code: BAD_N }] }
sinks: [{ type: postgres, table: pv, create_table: true, columns: [{ name: code, type: text }, { name: d, type: date }] }]
options: { max_rejected_ratio: 1 }
`);
});

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('preview and trial loads', () => {
  it('preview: records out after the transforms and the rejects with codes; nothing written or recorded', async () => {
    const r = await runMain(['preview', 'p.yaml', '--limit', '4'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.filter((x) => x.outcome === 'out').map((x) => [x.origin, x.record.d])).toEqual([['in.csv:2', '2026-04-01'], ['in.csv:4', '2026-04-03']]);
    expect(out.filter((x) => x.outcome === 'rejected').map((x) => x.code).sort()).toEqual(['BAD_N', 'INVALID_DATE']);
    expect(r.stderr).toMatch(/preview of 4 record\(s\) through all transforms: 2 out, 2 dropped; nothing written/);
    expect((await tdb.pool.query(`SELECT to_regclass('pv') AS t`)).rows[0].t).toBeNull();
    expect(fs.existsSync(path.join(dir, 'home', 'errors'))).toBe(false);
    expect((await runMain(['runs', '--json'], env, dir)).stdout.trim()).toBe('');
  });

  it('preview --stage K stops after transform K (a number or a type); an unknown stage lists the valid ones', async () => {
    const r = await runMain(['preview', 'p.yaml', '--stage', 'normalize', '--limit', '2'], env, dir);
    expect(lines(r.stdout).map((x) => [x.outcome, x.record.n])).toEqual([['out', '1'], ['out', 'x']]);
    const bad = await runMain(['preview', 'p.yaml', '--stage', '7'], env, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stage 7: not a transform of this pipeline; valid: 1–2 or normalize, validate/);
  });

  it('run --limit N loads only the first N records (a trial load), counted as read', async () => {
    const r = await runMain(['run', 'p.yaml', '--limit', '3', '--no-progress'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/read 3 = written 2 \+ unchanged 0 \+ filtered 0 \+ rejected 1/);
    expect((await tdb.pool.query('SELECT count(*)::int AS n FROM pv')).rows[0].n).toBe(2);
  });
});
