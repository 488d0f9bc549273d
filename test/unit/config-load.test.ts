import { describe, it, expect } from 'vitest';
import { parsePipeline } from '../../config/load.ts';
import { interpolate } from '../../config/interpolate.ts';
import { pipelineJsonSchema } from '../../config/schema.ts';
import { ConfigError } from '../../engine/errors.ts';

const GOOD = `name: demo
key: [code]
source:
  type: csv
  path: \${DATA_DIR:-data}/in.csv
transforms:
  - type: normalize
    fields: { day: date }
sinks:
  - type: postgres
    table: out
    mode: append
    columns:
      - { name: code, type: text }
errors:
  type: csv
  path: errors.csv
options:
  batch_size: 500
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}, set?: string[]): string {
  try {
    parsePipeline(text, 'p.yaml', { env, set });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('interpolate', () => {
  it('replaces ${VAR}, applies ${VAR:-default}, keeps $${ literal and reports missing names', () => {
    expect(interpolate('a/${X}/b', { X: '1' }).value).toBe('a/1/b');
    expect(interpolate('${Y:-dflt}', {}).value).toBe('dflt');
    expect(interpolate('${Y:-}', {}).missing).toEqual([]);
    expect(interpolate('$${X}', { X: '1' }).value).toBe('${X}');
    expect(interpolate('${A}${B}', { A: 'x' }).missing).toEqual(['B']);
  });
});

describe('pipeline files', () => {
  it('loads a valid file with defaults applied and env interpolated', () => {
    const p = parsePipeline(GOOD, '/x/p.yaml', { env: { DATA_DIR: '/data' } });
    expect(p.config.name).toBe('demo');
    expect((p.config.source as unknown as { path: string }).path).toBe('/data/in.csv');
    expect(p.config.options.batch_size).toBe(500);
    expect(p.config.options.concurrency).toBe(4);
    expect(p.baseDir).toBe('/x');
    expect(p.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a missing environment variable is reported with file, line and key path', () => {
    const msg = problems(GOOD.replace('${DATA_DIR:-data}', '${DATA_DIR}'));
    expect(msg).toContain('p.yaml:5: source.path: environment variable ${DATA_DIR} is not set');
  });

  it('an unknown key is reported with its line and path', () => {
    const msg = problems(GOOD.replace('  batch_size: 500', '  batch_size: 500\n  batchsize: 3'));
    expect(msg).toContain('p.yaml:20: options.batchsize: unknown key');
  });

  it('a wrong type is reported with its line and path', () => {
    const msg = problems(GOOD.replace('batch_size: 500', 'batch_size: lots'));
    expect(msg).toMatch(/p\.yaml:19: options\.batch_size: .*number/);
  });

  it('an unknown type: lists the valid names', () => {
    const msg = problems(GOOD.replace('  - type: normalize', '  - type: normalise'));
    expect(msg).toContain('p.yaml:7: transforms[0].type: unknown transform type "normalise"; valid: ');
    expect(msg).toContain('normalize');
    const msg2 = problems(GOOD.replace('type: csv\n  path: ${', 'type: xls\n  path: ${'));
    expect(msg2).toMatch(/p\.yaml:4: source\.type: unknown source type "xls"; valid: .*csv/);
  });

  it('an invalid enum value names the allowed values', () => {
    const msg = problems(GOOD.replace('mode: append', 'mode: merge'));
    expect(msg).toMatch(/p\.yaml:12: sinks\[0\]\.mode: .*append.*replace.*upsert/);
  });

  it('a missing required key is named', () => {
    const msg = problems(GOOD.replace('sinks:\n  - type: postgres\n    table: out\n', 'sinks:\n  - type: postgres\n'));
    expect(msg).toContain('sinks[0].table: required key is missing');
  });

  it('errors: may be left out (rejected records then go to the state home)', () => {
    const p = parsePipeline(GOOD.replace('errors:\n  type: csv\n  path: errors.csv\n', ''), 'p.yaml', { env: {} });
    expect(p.config.errors).toBeUndefined();
  });

  it('YAML syntax errors carry the line', () => {
    const msg = problems('name: x\nsource: [unclosed\n');
    expect(msg).toMatch(/p\.yaml:\d+: /);
  });

  it('$${ is a literal ${ even in a value that uses no variable', () => {
    const p = parsePipeline(GOOD.replace('path: ${DATA_DIR:-data}/in.csv', () => 'path: "raw$${X}.csv"'), 'p.yaml', { env: {} });
    expect((p.config.source as { path: string }).path).toBe('raw${X}.csv');
  });

  it('--set overrides values (read as YAML) before validation', () => {
    const p = parsePipeline(GOOD, 'p.yaml', { env: {}, set: ['options.batch_size=2000', 'sinks[0].table=other'] });
    expect(p.config.options.batch_size).toBe(2000);
    expect((p.config.sinks[0] as unknown as { table: string }).table).toBe('other');
    expect(problems(GOOD, {}, ['options.batch_size=-1'])).toContain('options.batch_size');
  });

  it('G5: values from secret-looking variables and secret keys are collected for scrubbing, and the hash does not depend on them', () => {
    const text = GOOD.replace('    table: out', '    table: out\n    connection: ${DATABASE_URL}');
    const a = parsePipeline(text, 'p.yaml', { env: { DATABASE_URL: 'postgres://u:s3cretpw@h/db' } });
    expect(a.secrets.has('postgres://u:s3cretpw@h/db')).toBe(true);
    expect(a.secrets.has('s3cretpw')).toBe(true);
    const b = parsePipeline(text, 'p.yaml', { env: { DATABASE_URL: 'postgres://u:other@h/db' } });
    expect(a.hash).toBe(b.hash);
  });

  it('the JSON Schema lists the registered component types', () => {
    const s = JSON.stringify(pipelineJsonSchema());
    expect(s).toContain('"normalize"');
    expect(s).toContain('"csv"');
    expect(s).toContain('"postgres"');
  });
});

describe('typed interpolation', () => {
  it('an unquoted ${VAR} reads as a number or boolean; a quoted one stays text', () => {
    const text = GOOD.replace('  batch_size: 500', '  batch_size: ${BATCH}').replace('    table: out', '    table: "${TABLE_NO}"');
    const p = parsePipeline(text, 'p.yaml', { env: { BATCH: '250', TABLE_NO: '42' } });
    expect(p.config.options.batch_size).toBe(250);
    expect((p.config.sinks[0] as unknown as { table: string }).table).toBe('42');
  });
});
