/**
 * Findings of the adversarial pass (issue 14), each a test named after it: what broke then must now
 * hold. Finding numbers are the issue's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { summary } from '../../cli/commands/run.ts';
import { ROOT } from '../helpers/cli.ts';
import type { RunReport } from '../../engine/report.ts';
import iconv from 'iconv-lite';
import { readFileChunks } from '../../sources/text-decode.ts';
import { startSmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { runSmarthrSandbox } from '../../cli/commands/sandbox.ts';
import { Writable } from 'node:stream';

let tdb: TestDb;
let dir: string;
beforeAll(async () => {
  tdb = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-hostile-'));
  fs.writeFileSync(path.join(dir, 'in.csv'), 'code,n\nA,1\nB,x\n');
  fs.writeFileSync(path.join(dir, 'p.yaml'), `name: hostile
source: { type: csv, path: in.csv }
sinks: [{ type: postgres, table: hostile, create_table: true, columns: [{ name: code, type: text }, { name: n, type: integer }] }]
errors: { type: csv, path: errors.csv }
`);
});

describe('issue 14 findings', () => {
  it('finding 2: the error file is made with the first reject and never overwrites an existing file; ../ out of the pipeline folder is refused', async () => {
    fs.writeFileSync(path.join(dir, 'errors.csv'), 'an unrelated file\n');
    const r = await runMain(['run', 'p.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'errors.csv'), 'utf8')).toBe('an unrelated file\n');
    expect(fs.readFileSync(path.join(dir, 'errors-2.csv'), 'utf8')).toMatch(/SINK_PG_ROW/);
    fs.writeFileSync(path.join(dir, 'out.yaml'), fs.readFileSync(path.join(dir, 'p.yaml'), 'utf8').replace('path: errors.csv', 'path: ../../victim.csv'));
    const out = await runMain(['run', 'out.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/errors\.path \.\.\/\.\.\/victim\.csv: leads out of the pipeline's folder/);
  });

  it('finding 3: --report-json to a place that cannot be written fails before the run (exit 2, nothing loaded)', async () => {
    const before = (await tdb.pool.query(`SELECT to_regclass('hostile') AS t`)).rows[0].t ? (await tdb.pool.query('SELECT count(*)::int AS n FROM hostile')).rows[0].n : 0;
    fs.writeFileSync(path.join(dir, 'afile'), 'x');
    const r = await runMain(['run', 'p.yaml', '--report-json', 'afile/report.json'], { DATABASE_URL: tdb.url }, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report-json afile\/report\.json: cannot write there .*nothing was run/);
    const proc = await runMain(['run', 'p.yaml', '--report-json', '/proc/self/report.json'], { DATABASE_URL: tdb.url }, dir);
    expect(proc.code).toBe(2);
    const after = (await tdb.pool.query(`SELECT to_regclass('hostile') AS t`)).rows[0].t ? (await tdb.pool.query('SELECT count(*)::int AS n FROM hostile')).rows[0].n : 0;
    expect(after).toBe(before);
  });

  it('finding 10: an unreachable DATABASE_URL is one clear line (no stack trace, no password), exit 1, and the report is still written', async () => {
    const url = 'postgres://renkei:s3cretpw@127.0.0.1:1/nowhere';
    const runs = await runMain(['runs'], { DATABASE_URL: url }, dir);
    expect(runs.code).toBe(1);
    expect(runs.stderr).toMatch(/^renkei runs: DB: cannot connect to the state database 127\.0\.0\.1:1\/nowhere \(DATABASE_URL\): connect ECONNREFUSED/);
    expect(runs.stderr).not.toMatch(/\n\s+at |s3cretpw|internal error/);
    const run = await runMain(['run', 'p.yaml', '--report-json', 'unreachable.json', '--no-progress'], { DATABASE_URL: url }, dir);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/s3cretpw|internal error/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'unreachable.json'), 'utf8'))).toMatchObject({ status: 'failed', error: { code: 'DB' } });
  });

  it('finding 12: apply --select-file that does not exist is a usage error (exit 2), not a stack trace', async () => {
    fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ version: 1, candidates: [] }));
    const r = await runMain(['apply', 'plan.json', '--select-file', '/nonexistent'], { DATABASE_URL: tdb.url }, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--select-file \/nonexistent: cannot read it \(ENOENT\)/);
  });

  it('finding 14: a run that stopped part-way prints its counts, not a false equation; renkei schema --bogus exits 2', async () => {
    const report = { run_id: 'r', pipeline: 'p', status: 'failed', kind: 'run', duration_ms: 10, expanded: 0, reasons: { filtered: {}, rejected: {} }, errors_file: null,
      counts: { read: 185_000, written: 0, unchanged: 0, filtered: 0, rejected: 12 }, error: { code: 'SOURCE_IO', message: 'x' } } as unknown as RunReport;
    const text = summary(report);
    expect(text).not.toMatch(/read 185,000 =/);
    expect(text).toMatch(/read 185,000; written 0, unchanged 0, filtered 0, rejected 12 \(stopped part-way: 184,988 read record\(s\) got no outcome\)/);
    expect((await runMain(['schema', '--bogus'], {}, dir)).code).toBe(2);
  });

  it('finding 1: a secret given with --set is stored nowhere (plan file, run table, runs --json, messages); apply asks for it again', async () => {
    const diff = path.join(ROOT, 'test/pipelines/diff/pipeline.yaml');
    const env = { DATABASE_URL: tdb.url, DIFF_OUT: dir, RENKEI_HOME: path.join(dir, 'home') };
    const secret = tdb.url; // a connection string with its password
    const plan = await runMain(['plan', diff, '--out', 'secret-plan.json', '--set', `sinks[0].connection=${secret}`], env, dir);
    expect(plan.code, plan.stderr).toBe(0);
    const planText = fs.readFileSync(path.join(dir, 'secret-plan.json'), 'utf8');
    expect(planText).not.toContain(secret);
    expect(JSON.parse(planText).overrides).toEqual(['sinks[0].connection=[REDACTED]']);
    const runs = await runMain(['runs', '--json'], env, dir);
    expect(runs.stdout).not.toContain(secret);
    const without = await runMain(['apply', 'secret-plan.json'], env, dir);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/give them again: --set sinks\[0\]\.connection=…/);
    const other = await runMain(['apply', 'secret-plan.json', '--set', 'sinks[0].table=elsewhere'], env, dir);
    expect(other.code).toBe(2);
    const applied = await runMain(['apply', 'secret-plan.json', '--set', `sinks[0].connection=${secret}`], env, dir);
    expect(applied.code, applied.stderr).toBe(0);
    expect(`${applied.stdout}${applied.stderr}`).not.toContain(secret);
    expect((await tdb.pool.query('SELECT count(*)::int AS n FROM candidates')).rows[0].n).toBe(2);
    // A malformed --set never echoes its value.
    const bad = await runMain(['validate', diff, '--set', `postgres://u:${'p4ssw0rd'}@h/db`], env, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain('p4ssw0rd');
  });

  it('finding 4: a UTF-8 file declared shift_jis (and the reverse) stops the run naming both encodings, unless encoding_check: false', async () => {
    const text = 'code,name\nE1,山田太郎\nE2,佐藤花子\nE3,鈴木一郎\n';
    fs.writeFileSync(path.join(dir, 'utf8.csv'), text);
    fs.writeFileSync(path.join(dir, 'sjis.csv'), iconv.encode(text, 'cp932'));
    const yaml = (file: string, enc: string) => `name: enc\nsource: { type: csv, path: ${file}, encoding: ${enc} }\nsinks: [{ type: postgres, table: enc_${enc.replace('-', '')}, create_table: true, columns: [{ name: code, type: text }, { name: name, type: text }] }]\n`;
    fs.writeFileSync(path.join(dir, 'e1.yaml'), yaml('utf8.csv', 'shift_jis'));
    fs.writeFileSync(path.join(dir, 'e2.yaml'), yaml('sjis.csv', 'utf-8'));
    const env = { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home') };
    const a = await runMain(['run', 'e1.yaml', '--no-progress'], env, dir);
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/SOURCE_ENCODING: utf8\.csv looks like UTF-8 .*but encoding: shift_jis was given.*Set encoding: utf-8, or encoding_check: false/);
    const b = await runMain(['run', 'e2.yaml', '--no-progress'], env, dir);
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(/SOURCE_ENCODING: sjis\.csv is not UTF-8 but reads cleanly as Shift_JIS \(CP932\), while encoding: utf-8 was given/);
    // Forced: read as told (here most rows then fail to decode and are rejected with their line).
    const forced = await runMain(['run', 'e1.yaml', '--no-progress', '--set', 'source.encoding_check=false', '--set', 'options.max_rejected_ratio=1'], env, dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toMatch(/SOURCE_ENCODING/);
  });

  it('finding 5: a file that changes while it is read fails the read (nothing partial loaded); a device is not a file', async () => {
    const file = path.join(dir, 'growing.csv');
    fs.writeFileSync(file, 'x'.repeat(600 * 1024));
    const read = async () => {
      let n = 0;
      for await (const chunk of readFileChunks(file, 'growing.csv')) {
        if (n++ === 0) fs.appendFileSync(file, 'more rows\n');
        void chunk;
      }
    };
    await expect(read()).rejects.toThrow(/growing\.csv changed while it was being read/);
    const zero = async () => { for await (const c of readFileChunks('/dev/zero', '/dev/zero')) void c; };
    await expect(zero()).rejects.toThrow(/it is a device, not a file/);
  });

  it('finding 6 (G6): the run table and renkei report keep key, field and code, not the values; the error CSV keeps the values', async () => {
    await tdb.pool.query('CREATE TABLE g6_people (code text PRIMARY KEY, email text, age integer CHECK (age > 0))');
    fs.writeFileSync(path.join(dir, 'g6.csv'), 'code,email,age\nE1,taro.yamada@@example.jp,30\nE2,hanako@example.jp,-987654\nE3,ok@example.jp,40\n');
    fs.writeFileSync(path.join(dir, 'g6.yaml'), `name: g6
key: [code]
source: { type: csv, path: g6.csv }
transforms: [{ type: validate, rules: [{ fields: [email], check: email, code: BAD_EMAIL }] }]
sinks: [{ type: postgres, table: g6_people, columns: [{ name: code, type: text }, { name: email, type: text }, { name: age, type: integer }] }]
errors: { type: csv, path: g6-errors.csv }
options: { max_rejected_ratio: 1 }
`);
    const env = { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home') };
    const r = await runMain(['run', 'g6.yaml', '--no-progress', '--report-json', 'g6.json'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    const id = JSON.parse(fs.readFileSync(path.join(dir, 'g6.json'), 'utf8')).run_id;
    const stored = (await tdb.pool.query('SELECT key, code, field, message FROM renkei_run_errors WHERE run_id = $1 ORDER BY key', [id])).rows;
    expect(stored.map((x) => [x.key, x.code, x.field])).toEqual([['E1', 'BAD_EMAIL', 'email'], ['E2', 'SINK_PG_ROW', null]] /* a CHECK names its constraint, not a column */);
    const text = JSON.stringify(stored) + (await runMain(['report', id], env, dir)).stdout;
    for (const v of ['taro.yamada', 'hanako@example.jp', '-987654']) expect(text).not.toContain(v);
    expect(text).toMatch(/Failing row contains \(…\)|violates check constraint/);
    const csv = fs.readFileSync(path.join(dir, 'g6-errors.csv'), 'utf8');
    expect(csv).toContain('taro.yamada@@example.jp');
    expect(csv).toContain('hanako@example.jp');
  });

  it('finding 7: CSV text after a closing quote and a JSON lone surrogate reject their record with a code instead of changing the data; finding 11: a JSON value nested 100k levels rejects that record alone', async () => {
    fs.writeFileSync(path.join(dir, 'q.csv'), 'a,b,c\n1,ok,1\n2,"b"c,2\n');
    fs.writeFileSync(path.join(dir, 'q.yaml'), `name: q7\nsource: { type: csv, path: q.csv }\nsinks: [{ type: postgres, table: q7, create_table: true, columns: [{ name: a, type: text }, { name: b, type: text }] }]\nerrors: { type: csv, path: q7.csv }\noptions: { max_rejected_ratio: 1 }\n`);
    const csv = await runMain(['run', 'q.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(csv.stdout).toMatch(/rejected: CSV_TEXT_AFTER_QUOTE 1/);
    expect((await tdb.pool.query('SELECT b FROM q7')).rows).toEqual([{ b: 'ok' }]);
    fs.writeFileSync(path.join(dir, 'j.ndjson'), `{"code":"A","v":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n{"code":"B","v":"ok"}\n{"code":"C","v":"\\ud800x"}\n`);
    fs.writeFileSync(path.join(dir, 'j.yaml'), `name: j\nsource: { type: json, path: j.ndjson, format: ndjson }\nsinks: [{ type: postgres, table: j7, create_table: true, columns: [{ name: code, type: text }, { name: v, type: jsonb }] }]\nerrors: { type: csv, path: j7.csv }\noptions: { max_rejected_ratio: 1 }\n`);
    const json = await runMain(['run', 'j.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(json.code, json.stdout).toBe(0);
    expect(json.stdout).toMatch(/rejected: (JSON_TOO_DEEP 1, JSON_LONE_SURROGATE 1|JSON_LONE_SURROGATE 1, JSON_TOO_DEEP 1)/);
    expect((await tdb.pool.query('SELECT code FROM j7')).rows).toEqual([{ code: 'B' }]);
  });

  it('finding 9: a huge pipeline file and a YAML alias bomb are configuration errors (exit 2), fast; YAML merge keys work', async () => {
    fs.writeFileSync(path.join(dir, 'huge.yaml'), `name: huge\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const huge = await runMain(['validate', 'huge.yaml'], {}, dir);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/is not a pipeline file \(at most 1,048,576\)/);
    const lines = ['name: bomb', 'a0: &a0 [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
    fs.writeFileSync(path.join(dir, 'bomb.yaml'), lines.join('\n') + '\n');
    const bomb = await runMain(['validate', 'bomb.yaml'], {}, dir);
    expect(bomb.code).toBe(2);
    expect(bomb.stderr).toMatch(/too many YAML aliases/);
    fs.writeFileSync(path.join(dir, 'in.csv'), 'code,n\nA,1\n');
    fs.writeFileSync(path.join(dir, 'merge.yaml'), 'name: merge\nx-pg: &pg { type: postgres, table: merged, create_table: true }\nsource: { type: csv, path: in.csv }\nsinks:\n  - <<: *pg\n    columns: [{ name: code, type: text }]\n');
    expect((await runMain(['validate', 'merge.yaml'], {}, dir)).code).toBe(0);
  });

  it('finding 13: the SmartHR sandbox refuses a body over 1 MiB (413), invalid UTF-8 and deep JSON (400); a bad --state file is one clear line', async () => {
    const sb = await startSmarthrSandbox({ employees: 3, rateLimit: 0 });
    try {
      const post = (body: Blob | string) => fetch(`${sb.url}/v1/crews`, { method: 'POST', headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' }, body });
      expect((await post(JSON.stringify({ last_name: 'x'.repeat(2 * 1024 * 1024) }))).status).toBe(413);
      expect((await post(new Blob([new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])]))).status).toBe(400);
      expect((await post(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`)).status).toBe(400);
    } finally { await sb.stop(); }
    fs.writeFileSync(path.join(dir, 'bad-state.json'), '{"crews": 3}');
    const sink = () => new Writable({ write(_c, _e, cb) { cb(); } });
    await expect(runSmarthrSandbox(['--state', 'bad-state.json'], { stdout: sink(), stderr: sink(), env: {}, cwd: dir }, async () => {}))
      .rejects.toThrow(/--state .*bad-state\.json: not a sandbox state file \("crews" is not a list\)/);
  });

  it('finding 8: a line longer than max_record_chars without a line end is rejected with its line and the read goes on, in bounded memory', async () => {
    const file = path.join(dir, 'runaway.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'code,note\nA,first\nB,');
    const block = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 24; i++) fs.writeSync(fd, block); // a 24 MiB field with no line end
    fs.writeSync(fd, '\nC,after\n');
    fs.closeSync(fd);
    fs.writeFileSync(path.join(dir, 'runaway.yaml'), `name: runaway\nsource: { type: csv, path: runaway.csv, max_record_chars: 1048576 }\nsinks: [{ type: postgres, table: runaway, create_table: true, columns: [{ name: code, type: text }, { name: note, type: text }] }]\nerrors: { type: csv, path: runaway-errors.csv }\noptions: { max_rejected_ratio: 1 }\n`);
    const r = await runMain(['run', 'runaway.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/read 3 = written 2 \+ unchanged 0 \+ filtered 0 \+ rejected 1/);
    expect(r.stdout).toMatch(/CSV_RECORD_TOO_LONG 1/);
    expect((await tdb.pool.query('SELECT code FROM runaway ORDER BY code')).rows.map((x) => x.code)).toEqual(['A', 'C']);
    const errors = fs.readFileSync(path.join(dir, 'runaway-errors.csv'), 'utf8');
    expect(errors).toContain('runaway.csv:3');
    expect(errors.length).toBeLessThan(10_000); // the rejected line is kept as its start, not 24 MiB
  });

  it('finding 14: a doubled BOM is named instead of rejecting every row; a webhook URL with credentials is a configuration error', async () => {
    fs.writeFileSync(path.join(dir, 'bom2.csv'), '\uFEFF\uFEFFid,name\n1,a\n');
    fs.writeFileSync(path.join(dir, 'bom2.yaml'), 'name: bom2\nsource: { type: csv, path: bom2.csv }\nsinks: [{ type: postgres, table: bom2, create_table: true, columns: [{ name: id, type: text }] }]\n');
    const r = await runMain(['run', 'bom2.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bom2\.csv: the file starts with two byte-order marks/);
    fs.writeFileSync(path.join(dir, 'hook.yaml'), fs.readFileSync(path.join(dir, 'p.yaml'), 'utf8') + 'notify: { webhook_url: "https://user:pw@example.jp/hook" }\n');
    const v = await runMain(['validate', 'hook.yaml'], {}, dir);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/notify\.webhook_url: a webhook URL cannot carry user:password@/);
    expect(v.stderr).not.toContain('pw@');
  });

  it('finding 14: an apply refused because the configuration changed names what changed (e.g. a variable the file reads)', async () => {
    const diff = path.join(ROOT, 'test/pipelines/diff/pipeline.yaml');
    const env = { DATABASE_URL: tdb.url, DIFF_OUT: dir, RENKEI_HOME: path.join(dir, 'home2') };
    expect((await runMain(['plan', diff, '--out', 'moved.json'], env, dir)).code).toBe(0);
    const moved = await runMain(['apply', 'moved.json'], { ...env, DIFF_OUT: path.join(dir, 'elsewhere') }, dir);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(/PLAN_STALE: the configuration changed since the plan \S+ was made: these settings differ: errors\.path \(from the pipeline file .*an environment variable it reads\)/);
  });
});
