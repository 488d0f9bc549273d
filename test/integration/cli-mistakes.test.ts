/**
 * Mistakes that teach (issue 13): an unknown key lists the valid keys at its path with a "did you
 * mean" for near misses; the same for commands and options; `--version`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../helpers/cli.ts';
import { distance, nearest } from '../../config/suggest.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-mistakes-'));
let tdb: TestDb;
beforeAll(async () => { tdb = await freshDb(); });
fs.writeFileSync(path.join(dir, 'in.csv'), 'code\nA\n');
fs.writeFileSync(path.join(dir, 'p.yaml'), `name: x
source: { type: csv, path: in.csv }
transforms:
  - type: dedupe
    key: [code]
    keep: first
sinks:
  - type: postgres
    table: t
    columns: [{ name: code, type: text, form: code }]
error: { type: csv, path: e.csv }
options: { batch_sise: 10 }
`);

describe('mistakes that teach', () => {
  it('an unknown key lists the valid keys at its path, with a "did you mean" for a near miss', async () => {
    const r = await runMain(['validate', 'p.yaml'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p.yaml:6: transforms[0].keep: unknown key; valid here: type, key, policy, code, spill_after, temp_dir\n');
    expect(r.stderr).toContain('p.yaml:10: sinks[0].columns[0].form: unknown key; valid here: name, type, from — did you mean "from"?');
    expect(r.stderr).toContain('p.yaml:11: error: unknown key; valid here: name, description, params, key, source, transforms, sinks, errors, options, notify, guards — did you mean "errors"?');
    expect(r.stderr).toContain('p.yaml:12: options.batch_sise: unknown key; valid here: batch_size, concurrency, strict, max_rejected, max_rejected_ratio — did you mean "batch_size"?');
  });

  it('a mistyped command or option gets a suggestion; --version prints the version', async () => {
    const cmd = await runMain(['valdate', 'p.yaml'], {}, dir);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command "valdate" — did you mean "validate"\?/);
    const opt = await runMain(['run', 'p.yaml', '--dryrun'], {}, dir);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^renkei run: unknown option --dryrun — did you mean "--dry-run"\?\n\(see renkei run --help\)/);
    const extra = await runMain(['runs', 'extra'], {}, dir);
    expect(extra.stderr).toMatch(/unexpected argument: extra/);
    expect((await runMain(['schema', 'anything'], {}, dir)).code).toBe(2);
    expect((await runMain(['runs', '--help'], {}, dir)).stdout).not.toContain('--started-by');
    const none = await runMain(['runs', '--pipeline', 'nope'], { DATABASE_URL: tdb.url }, dir);
    expect(none.stdout).toBe('no runs match pipeline nope\n');
    const v = await runMain(['--version'], {}, dir);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^renkei \d+\.\d+\.\d+ \(node \d+/);
  });

  it('validate takes many files and globs, names input files that do not exist, and with --env-optional warns about unset variables', async () => {
    const v = path.join(dir, 'v');
    fs.mkdirSync(v);
    fs.writeFileSync(path.join(v, 'in.csv'), 'code\nA\n');
    const body = (src: string) => `name: v\nsource: { type: csv, path: ${src} }\nsinks: [{ type: postgres, table: t, connection: "\${PG_URL}", columns: [{ name: code, type: text }] }]\n`;
    fs.writeFileSync(path.join(v, 'a.yaml'), body('in.csv'));
    fs.writeFileSync(path.join(v, 'b.yaml'), body('nowhere.csv'));
    const strict = await runMain(['validate', 'v/*.yaml'], {}, dir);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/a\.yaml:3: sinks\[0\]\.connection: environment variable \$\{PG_URL\} is not set/);
    expect(strict.stdout).toContain('0 of 2 pipeline files valid');
    const loose = await runMain(['validate', 'v/*.yaml', '--env-optional'], {}, dir);
    expect(loose.code).toBe(2);
    expect(loose.stdout).toMatch(/ok: v\/a\.yaml — pipeline "v"/);
    expect(loose.stdout).toMatch(/warning: .*a\.yaml:3: sinks\[0\]\.connection: environment variable \$\{PG_URL\} is not set/);
    expect(loose.stderr).toMatch(/b\.yaml: input files not found\n {2}- source\.path: .*nowhere\.csv does not exist/);
    expect(loose.stdout).toContain('1 of 2 pipeline files valid');
    const one = await runMain(['validate', 'v/a.yaml'], { PG_URL: 'postgres://x@h/db' }, dir);
    expect(one.code).toBe(0);
    expect((await runMain(['validate', 'v/*.yml'], {}, dir)).stderr).toMatch(/no file matches v\/\*\.yml/);
  });

  it('a normalize field or a sink column that no record carries is a notice in the summary (a misspelled field name)', async () => {
    fs.writeFileSync(path.join(dir, 'typo.csv'), 'code,resign_date\nA,2026/04/01\nB,\n');
    fs.writeFileSync(path.join(dir, 'typo.yaml'), `name: typo
source: { type: csv, path: typo.csv }
transforms: [{ type: normalize, fields: { resign_dat: date, code: text } }]
sinks: [{ type: postgres, table: typo, create_table: true, columns: [{ name: code, type: text }, { name: resign_date, type: date, from: resign_dat }] }]
`);
    const r = await runMain(['run', 'typo.yaml', '--no-progress'], { DATABASE_URL: tdb.url }, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('⚠ transforms[0]:normalize: normalizes field "resign_dat", which none of the first 2 records has — a misspelled field name?');
    expect(r.stdout).toContain('⚠ sinks[0]:postgres: a column takes field "resign_dat", which none of the first 2 records has — a misspelled field name?');
    expect(r.stdout).not.toMatch(/field "code"/);
    // options.strict: the same mistake stops the run.
    const strict = await runMain(['run', 'typo.yaml', '--no-progress', '--set', 'options.strict=true'], { DATABASE_URL: tdb.url }, dir);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/FIELD_MISSING: transforms\[0\]:normalize: normalizes field "resign_dat".*\(options\.strict\)/);
  });

  it('edit distance counts a swap of neighbours as one edit; nothing is suggested for far-off words', () => {
    expect(distance('form', 'from')).toBe(1);
    expect(distance('valdate', 'validate')).toBe(1);
    expect(nearest('polcy', ['type', 'key', 'policy'])).toEqual(['policy']);
    expect(nearest('zzzz', ['type', 'key', 'policy'])).toEqual([]);
  });
});
