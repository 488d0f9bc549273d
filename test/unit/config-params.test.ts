/** Pipeline parameters: `params:` declarations, `--param name=value`, `${param.name}` (config/params.ts, config/load.ts). */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parsePipeline, type LoadedPipeline } from '../../config/load.ts';
import { interpolate } from '../../config/interpolate.ts';
import { pipelineJsonSchema } from '../../config/schema.ts';
import { ConfigError } from '../../engine/errors.ts';
import { main } from '../../cli/main.ts';

// Line numbers matter: the tests assert them.
const SYNC = `name: sync
key: [emp_code]
params:
  match_key: { type: string, enum: [email, emp_code], default: email, description: how records are matched }
  reference_date: { type: date, description: 基準日 }
  edition: [kot, hataraku]
  batch: { type: integer, default: 500 }
  keep_resign_day: { type: boolean, default: true }
  ratio: { type: number, default: 0.5 }
source:
  type: csv
  path: in/\${param.edition}.csv
transforms:
  - type: filter
    employed_on:
      date: \${param.reference_date}
      resign_day_employed: \${param.keep_resign_day}
sinks:
  - type: postgres
    table: emp_by_\${param.match_key}
    columns:
      - { name: emp_code, type: text }
errors:
  type: csv
  path: "\${param.batch}/errors.csv"
options:
  batch_size: \${param.batch}
  max_rejected_ratio: \${param.ratio}
`;

const load = (params: string[], text = SYNC): LoadedPipeline => parsePipeline(text, 'sync.yaml', { env: {}, params });
const cfg = (p: LoadedPipeline) => p.config as unknown as {
  source: { path: string }; transforms: Array<{ employed_on: { date: string; resign_day_employed: boolean } }>;
  sinks: Array<{ table: string }>; errors: { path: string }; options: { batch_size: number; max_rejected_ratio: number };
};

function problems(params: string[], text = SYNC): string[] {
  try {
    load(params, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).details;
  }
  throw new Error('expected a ConfigError');
}

describe('pipeline parameters', () => {
  it('--param values and declared defaults are interpolated; an unquoted ${param.x} alone takes the declared type', () => {
    const p = load(['edition=hataraku', 'reference_date=2026-04-01']);
    const c = cfg(p);
    expect(c.source.path).toBe('in/hataraku.csv');
    expect(c.sinks[0].table).toBe('emp_by_email');
    expect(c.transforms[0].employed_on).toMatchObject({ date: '2026-04-01', resign_day_employed: true });
    expect(c.options).toMatchObject({ batch_size: 500, max_rejected_ratio: 0.5 });
    // Quoted: text, like ${ENV}.
    expect(c.errors.path).toBe('500/errors.csv');
    expect(p.params).toEqual({ match_key: 'email', reference_date: '2026-04-01', edition: 'hataraku', batch: 500, keep_resign_day: true, ratio: 0.5 });
    expect(p.paramArgs).toEqual(['edition=hataraku', 'reference_date=2026-04-01']);
  });

  it('--param overrides a default, converted to the declared type; the value is everything after the first =', () => {
    const c = cfg(load(['edition=kot', 'reference_date=2026-04-01', 'match_key=emp_code', 'batch=2000', 'keep_resign_day=false', 'ratio=.25']));
    expect(c.sinks[0].table).toBe('emp_by_emp_code');
    expect(c.options).toMatchObject({ batch_size: 2000, max_rejected_ratio: 0.25 });
    expect(c.transforms[0].employed_on.resign_day_employed).toBe(false);
    const p = parsePipeline('name: x\nparams: { sep: { type: string } }\nsource: { type: csv, path: "a${param.sep}b.csv" }\nsinks: [{ type: postgres, table: t, columns: [{ name: a, type: text }] }]\nerrors: { type: csv, path: e.csv }\n', 'x.yaml', { env: {}, params: ['sep==='] });
    expect((p.config.source as { path?: unknown }).path).toBe('a==b.csv');
  });

  it('different parameter values give different config hashes', () => {
    expect(load(['edition=kot', 'reference_date=2026-04-01']).hash).not.toBe(load(['edition=hataraku', 'reference_date=2026-04-01']).hash);
  });

  it('an unknown --param names the file, the line of params: and the declared names', () => {
    const msgs = problems(['edition=kot', 'reference_date=2026-04-01', 'matchkey=email']);
    expect(msgs).toEqual(['sync.yaml:3: --param matchkey: unknown parameter (declared: match_key, reference_date, edition, batch, keep_resign_day, ratio)']);
    const none = 'name: x\nsource: { type: csv, path: a.csv }\nsinks: [{ type: postgres, table: t, columns: [{ name: a, type: text }] }]\nerrors: { type: csv, path: e.csv }\n';
    expect(problems(['x=1'], none)).toEqual(['sync.yaml: --param x: unknown parameter (this pipeline declares no params)']);
  });

  it('a missing required parameter names the line of its declaration and what it may be', () => {
    expect(problems([])).toEqual([
      'sync.yaml:5: params.reference_date: required parameter has no value: pass --param reference_date=… (a date YYYY-MM-DD)',
      'sync.yaml:6: params.edition: required parameter has no value: pass --param edition=… (one of "kot", "hataraku")',
    ]);
  });

  it('an invalid value names the line, the parameter, the value and why', () => {
    expect(problems(['edition=kintai', 'reference_date=2026-02-30', 'batch=1.5', 'keep_resign_day=yes', 'ratio=half', 'match_key=name'])).toEqual([
      'sync.yaml:4: params.match_key: --param match_key=name: "name" is not one of the allowed values: "email", "emp_code"',
      'sync.yaml:5: params.reference_date: --param reference_date=2026-02-30: "2026-02-30" is not a date (YYYY-MM-DD, a day that exists)',
      'sync.yaml:6: params.edition: --param edition=kintai: "kintai" is not one of the allowed values: "kot", "hataraku"',
      'sync.yaml:7: params.batch: --param batch=1.5: "1.5" is not an integer',
      'sync.yaml:8: params.keep_resign_day: --param keep_resign_day=yes: "yes" is not a boolean (true or false)',
      'sync.yaml:9: params.ratio: --param ratio=half: "half" is not a number',
    ]);
    expect(problems(['edition', 'reference_date=2026-04-01'])).toContain('--param edition: expected name=value');
  });

  it('a value the parameter allows can still be refused by the option it fills (zod, with file:line of the use)', () => {
    const msgs = problems(['edition=kot', 'reference_date=2026-04-01', 'batch=0']);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^sync\.yaml:27: options\.batch_size: /);
  });

  it('a reference to an undeclared parameter, or with a :-default, is an error at the line of the use', () => {
    const text = SYNC.replace('table: emp_by_${param.match_key}', 'table: emp_by_${param.matchkey}').replace('in/${param.edition}.csv', 'in/${param.edition:-kot}.csv');
    expect(problems(['edition=kot', 'reference_date=2026-04-01'], text)).toEqual([
      'sync.yaml:12: source.path: ${param.edition:-…}: a parameter\'s default is declared once, as params.edition.default, not where it is used',
      'sync.yaml:20: sinks[0].table: ${param.matchkey}: parameter matchkey is not declared under params: (declared: match_key, reference_date, edition, batch, keep_resign_day, ratio)',
    ]);
  });

  it('declarations are checked: type, default against the type and the allowed values, names, unknown keys', () => {
    const text = `name: x
params:
  a: { type: integer, default: many }
  b: { type: strin }
  c: { type: string, enum: [x, y], default: z }
  d: { type: date, enum: [2026-01-01, soon] }
  e: { type: string, required: true }
  9lives: [a, b]
source: { type: csv, path: a.csv }
sinks: [{ type: postgres, table: t, columns: [{ name: a, type: text }] }]
errors: { type: csv, path: e.csv }
`;
    const msgs = problems([], text);
    expect(msgs).toHaveLength(6);
    expect(msgs[0]).toBe('sync.yaml:3: params.a.default: "many" is not an integer');
    expect(msgs[1]).toMatch(/^sync\.yaml:4: params\.b\.type: .*"string"\|"integer"\|"number"\|"boolean"\|"date"/);
    expect(msgs[2]).toBe('sync.yaml:5: params.c.default: "z" is not one of the allowed values: "x", "y"');
    expect(msgs[3]).toBe('sync.yaml:6: params.d.enum[1]: "soon" is not a date (YYYY-MM-DD, a day that exists) (the type is date)');
    expect(msgs[4]).toBe('sync.yaml:7: params.e.required: unknown key (not one of the options here)');
    expect(msgs[5]).toBe('sync.yaml:8: params.9lives: a parameter name is letters, digits and _ (not starting with a digit)');
  });

  it('a list of allowed values takes its type from the values', () => {
    const text = 'name: x\nparams: { n: [1, 2, 3], flag: [true] }\nsource: { type: csv, path: a.csv }\nsinks: [{ type: postgres, table: t, columns: [{ name: a, type: text }] }]\nerrors: { type: csv, path: e.csv }\noptions:\n  batch_size: ${param.n}\n';
    expect(load(['n=2', 'flag=true'], text).config.options.batch_size).toBe(2);
    expect(problems(['n=4', 'flag=true'], text)).toEqual(['sync.yaml:2: params.n: --param n=4: "4" is not one of the allowed values: 1, 2, 3']);
  });

  it('declarations are literal (a default is not interpolated) and --set can change one', () => {
    const text = 'name: x\nparams: { p: { type: string, default: "${HOME}" } }\nsource: { type: csv, path: "${param.p}/a.csv" }\nsinks: [{ type: postgres, table: t, columns: [{ name: a, type: text }] }]\nerrors: { type: csv, path: e.csv }\n';
    expect((parsePipeline(text, 'x.yaml', { env: { HOME: '/home/u' } }).config.source as { path?: unknown }).path).toBe('${HOME}/a.csv');
    expect((parsePipeline(text, 'x.yaml', { env: {}, set: ['params.p.default=data'] }).config.source as { path?: unknown }).path).toBe('data/a.csv');
  });

  it('interpolate: ${param.x} from the values given, unknown and :-default reported; $${param.x} stays literal', () => {
    expect(interpolate('a-${param.x}-${ENV_X}', { ENV_X: 'e' }, { x: 3 })).toMatchObject({ value: 'a-3-e', params: ['x'], used: ['ENV_X'], unknownParams: [], paramDefaults: [] });
    expect(interpolate('${param.y}', {}, { x: 1 })).toMatchObject({ value: '', unknownParams: ['y'] });
    expect(interpolate('${param.x:-2}', {}, { x: 1 }).paramDefaults).toEqual(['x']);
    expect(interpolate('$${param.x}', {}, { x: 1 }).value).toBe('${param.x}');
  });

  it('the JSON Schema describes params (for editor completion)', () => {
    const js = pipelineJsonSchema() as { properties: Record<string, { description?: string }> };
    expect(js.properties.params.description).toMatch(/--param name=value/);
  });
});

describe('renkei validate --param', () => {
  const run = async (args: string[]) => {
    let out = '', err = '';
    const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
    const code = await main(['validate', ...args], { stdout: sink((s) => { out += s; }), stderr: sink((s) => { err += s; }), env: {}, cwd: process.cwd() });
    return { code, out, err };
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'params-')), 'sync.yaml');
  fs.writeFileSync(file, SYNC);
  // validate also checks that the input file exists: the one the parameters name.
  fs.mkdirSync(path.join(path.dirname(file), 'in'));
  fs.writeFileSync(path.join(path.dirname(file), 'in', 'kot.csv'), 'id\n1\n');

  it('accepts valid parameters and prints their values (exit 0)', async () => {
    const r = await run([file, '--param', 'edition=kot', '--param', 'reference_date=2026-04-01']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('params: match_key=email, reference_date=2026-04-01, edition=kot, batch=500, keep_resign_day=true, ratio=0.5');
  });

  it('an unknown, missing or invalid parameter exits 2 naming the file, line and parameter', async () => {
    const r = await run([file, '--param', 'edition=kintai', '--param', 'colour=red']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:3: --param colour: unknown parameter`);
    expect(r.err).toContain(`${file}:5: params.reference_date: required parameter has no value`);
    expect(r.err).toContain(`${file}:6: params.edition: --param edition=kintai: "kintai" is not one of the allowed values`);
  });
});
