/**
 * The `renkei` CLI: commands run in-process through main(argv, io) against a real PostgreSQL and
 * files on disk, and once as a real process (--help, exit codes as a shell sees them).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { renkei, runMain } from '../helpers/cli.ts';

const PIPELINE = `name: cli-test
key: [code]
source:
  type: csv
  path: in.csv
transforms:
  - type: normalize
    fields: { day: date, start: time }
sinks:
  - type: postgres
    connection: \${DATABASE_URL}
    table: \${TABLE:-cli_out}
    mode: upsert
    key: [code]
    create_table: true
    columns:
      - { name: code, type: text }
      - { name: day, type: date }
      - { name: start, type: integer }
errors:
  type: csv
  path: errors/{run_id}.csv
options:
  batch_size: 2
`;

const CSV = 'code,day,start\nA1,2026/4/1,9:00\nA2,令和8年4月2日,25:30\nA3,2026/13/45,9:00\nA4,20260404,=cmd|calc\nA5,R8.4.5,０８:３０\n';

let db: TestDb;
let dir: string;
beforeAll(async () => {
  db = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-cli-'));
  fs.writeFileSync(path.join(dir, 'p.yaml'), PIPELINE);
  fs.writeFileSync(path.join(dir, 'in.csv'), CSV);
});

describe('renkei CLI', () => {
  it('G1: run exits 0 with rejected records, writes a report whose counts add up, and errors to the error CSV', async () => {
    const r = await runMain(['run', 'p.yaml', '--report-json', 'out/report.json', '--log-format', 'json'], { DATABASE_URL: db.url }, dir);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'out/report.json'), 'utf8'));
    expect(report.status).toBe('succeeded');
    expect(report.pipeline).toBe('cli-test');
    expect(report.run_id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(report.counts).toEqual({ read: 5, written: 3, unchanged: 0, filtered: 0, rejected: 2 });
    const c = report.counts;
    expect(c.read).toBe(c.written + c.unchanged + c.filtered + c.rejected);
    expect(report.stages.map((s: { stage: string }) => s.stage)).toEqual(['source:csv', 'transforms[0]:normalize', 'sinks[0]:postgres']);
    expect(typeof report.duration_ms).toBe('number');
    const rows = (await db.pool.query('SELECT code, day::text, start FROM cli_out ORDER BY code')).rows;
    expect(rows).toEqual([
      { code: 'A1', day: '2026-04-01', start: 540 },
      { code: 'A2', day: '2026-04-02', start: 1530 },
      { code: 'A5', day: '2026-04-05', start: 510 },
    ]);
    // G2/G3: every rejected record in the error file, UTF-8 with BOM, formulas neutralised.
    const errors = fs.readFileSync(report.errors_file);
    expect(errors.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = errors.toString('utf8');
    expect(text).toContain('"in.csv:4"');
    expect(text).toContain('INVALID_DATE');
    expect(text).toContain('"A3"');
    expect(text).toContain('INVALID_TIME');
    expect(text).not.toMatch(/(^|,)"=cmd/m);
    // The run is in the run table.
    const runs = await runMain(['runs', '--json'], { DATABASE_URL: db.url }, dir);
    expect(runs.code).toBe(0);
    const listed = runs.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(listed[0].id).toBe(report.run_id);
    expect(listed[0].status).toBe('succeeded');
    expect(listed[0].counts).toEqual(report.counts);
  });

  it('G4: running the same input again leaves the table the same', async () => {
    const r = await runMain(['run', 'p.yaml'], { DATABASE_URL: db.url }, dir);
    expect(r.code).toBe(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM cli_out')).rows[0].n).toBe(3);
  });

  it('exit 1 when the run fails: error budget exceeded, nothing committed', async () => {
    const r = await runMain(['run', 'p.yaml', '--set', 'options.max_rejected=1', '--set', 'sinks[0].table=budget_out', '--report-json', 'b.json'], { DATABASE_URL: db.url }, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERROR_BUDGET');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'b.json'), 'utf8'));
    expect(report.status).toBe('failed');
    expect(report.error.code).toBe('ERROR_BUDGET');
    const t = await db.pool.query(`SELECT to_regclass('budget_out') AS t`);
    if (t.rows[0].t) expect((await db.pool.query('SELECT count(*)::int AS n FROM budget_out')).rows[0].n).toBe(0);
  });

  it('exit 2 for configuration errors, with file:line and key path', async () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), PIPELINE.replace('  batch_size: 2', '  batch_size: 2\n  colour: red'));
    const r = await runMain(['run', 'bad.yaml'], { DATABASE_URL: db.url }, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:25: options.colour: unknown key');
    const v = await runMain(['validate', 'bad.yaml'], {}, dir);
    expect(v.code).toBe(2);
    const ok = await runMain(['validate', 'p.yaml'], { DATABASE_URL: 'x' }, dir);
    expect(ok.code).toBe(0);
    const missing = await runMain(['validate', 'p.yaml'], {}, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('p.yaml:11: sinks[0].connection: environment variable ${DATABASE_URL} is not set');
  });

  it('exit 2 for bad usage, and --help on every command', async () => {
    expect((await runMain(['frobnicate'], {}, dir)).code).toBe(2);
    expect((await runMain(['run'], {}, dir)).code).toBe(2);
    expect((await runMain(['run', 'p.yaml', '--no-such-flag'], {}, dir)).code).toBe(2);
    for (const cmd of ['validate', 'run', 'plan', 'apply', 'report', 'runs', 'db', 'schema', 'demo', 'sandbox']) {
      const h = await runMain([cmd, '--help'], {}, dir);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('Usage: renkei ' + cmd);
    }
  });

  it('G5: secrets never appear in logs, reports or error files', async () => {
    const password = new URL(db.url).password;
    expect(password.length).toBeGreaterThan(3);
    const r = await runMain(['run', 'p.yaml', '--log-level', 'trace', '--report-json', 's.json', '--set', 'sinks[0].table=secret_out'], { DATABASE_URL: db.url, SMARTHR_TOKEN: 'tok_abcdef123456' }, dir);
    expect(r.code).toBe(0);
    const all = r.stdout + r.stderr + fs.readFileSync(path.join(dir, 's.json'), 'utf8');
    expect(all).not.toContain(password);
    expect(all).not.toContain(db.url);
    expect(r.stderr).toContain('"run_id"');
    expect(r.stderr).toContain('"pipeline":"cli-test"');
  });

  it('as a process: --help, and the exit codes a shell sees (0 ok, 1 run failed, 2 usage or configuration)', async () => {
    const help = await renkei(['--help'], {}, dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: renkei <command>');
    for (const cmd of ['validate', 'run', 'plan', 'apply', 'report', 'runs', 'db', 'schema', 'demo', 'sandbox']) expect(help.stdout).toContain(`  ${cmd} `);
    expect((await runMain(['validate', 'p.yaml'], { DATABASE_URL: 'x' }, dir)).code).toBe(0);
    const failed = await renkei(['run', 'p.yaml', '--set', 'options.max_rejected=1', '--set', 'sinks[0].table=budget_process', '--log-level', 'warn'], { DATABASE_URL: db.url }, dir);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('ERROR_BUDGET');
    expect((await renkei(['frobnicate'], {}, dir)).code).toBe(2);
  });

  it('as a process: a postgres load of many COPY segments prints no DeprecationWarning (the sink queues its statements on node-postgres 8 on purpose)', async () => {
    const r = await renkei(['run', 'p.yaml', '--set', 'sinks[0].copy_batch_rows=1', '--set', 'sinks[0].table=segments_process', '--set', 'options.batch_size=100', '--no-progress'], { DATABASE_URL: db.url }, dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('written 3');
    expect(r.stderr).not.toContain('Warning');
  });

  it('schema prints a JSON Schema', async () => {
    const r = await runMain(['schema'], {}, dir);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.title).toBe('renkei pipeline file');
  });
});
