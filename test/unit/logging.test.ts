/**
 * Log lines of a real run, caught in memory: the logger from engine/logger.ts writes to a Writable
 * here instead of stderr, and a small pipeline (CSV → normalize → a module stage → PostgreSQL) runs
 * in-process through the runner.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadPipeline, type LoadedPipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import { createLogger } from '../../engine/logger.ts';
import type { RunReport } from '../../engine/report.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

const TOKEN = 'tok-3f9a1c77e2b4d5';

/** Keys of the top-level object of one JSON line, in order and with repeats (JSON.parse would hide a repeat). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      let k = j + 1;
      while (line[k] === ' ') k++;
      if (depth === 1 && line[k] === ':') keys.push(JSON.parse(line.slice(i, j + 1)) as string);
      i = j;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return keys;
}

const repeated = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);

describe('topLevelKeys', () => {
  it('sees a repeated key that JSON.parse would collapse, and ignores nested keys and key-like text', () => {
    expect(repeated(topLevelKeys('{"stage":"sinks[0]:postgres","stage":"sink:postgres"}'))).toEqual(['stage']);
    expect(repeated(topLevelKeys('{"a":{"stage":1},"stage":"x:\\"y\\"","msg":"stage: \\"stage\\":","b":[{"a":1}]}'))).toEqual([]);
  });
});

describe('log lines of a run (pino, in-memory destination)', () => {
  let db: TestDb;
  let loaded: LoadedPipeline;
  let report: RunReport;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await freshDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-logging-'));
    fs.writeFileSync(path.join(dir, 'in.csv'), 'emp_code,last_name,email,day\nE1,山田,yamada@example.jp,2026-04-01\nE2,佐藤,sato@example.jp,2026-13-01\nE3,鈴木,suzuki@example.jp,2026-04-03\n');
    // A careless stage: logs its token as a field and inside the message.
    fs.writeFileSync(path.join(dir, 'careless.mjs'), `export default (options, ctx) => {
  ctx.logger.info({ token: options.token, auth: { password: options.token } }, 'connecting with ' + options.token);
  return { process: (rec) => rec };
};\n`);
    fs.writeFileSync(path.join(dir, 'p.yaml'), `name: logging-test
key: [emp_code]
source: { type: csv, path: in.csv }
transforms:
  - type: normalize
    fields: { day: date }
  - type: module
    path: careless.mjs
    options: { token: "\${LOG_TEST_TOKEN}" }
sinks:
  - type: postgres
    connection: \${LOG_TEST_PG}
    table: log_test
    mode: append
    create_table: true
    columns:
      - { name: emp_code, type: text }
      - { name: day, type: date }
errors: { type: csv, path: errors.csv }
`);
    loaded = loadPipeline(path.join(dir, 'p.yaml'), { env: { LOG_TEST_TOKEN: TOKEN, LOG_TEST_PG: db.url } });
    let buffered = '';
    const destination = new Writable({
      write(chunk, _enc, cb) {
        buffered += String(chunk);
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts);
        cb();
      },
    });
    const logger = createLogger({ level: 'debug', destination, secrets: loaded.secrets });
    report = await runPipeline(loaded, { logger, db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }), recordRun: false });
    expect(buffered).toBe('');
  });

  it('the run went through every stage and logged from each', () => {
    expect(report.error).toBeNull();
    expect(report.counts).toMatchObject({ read: 3, written: 2, rejected: 1 });
    const stages = new Set(lines.map((l) => (JSON.parse(l) as { stage?: string }).stage));
    expect(stages).toContain('runner');
    expect([...stages].some((s) => s?.startsWith('transforms[1]'))).toBe(true);
    expect(stages).toContain('sinks[0]:postgres');
  });

  it('every line carries run_id, pipeline and stage bindings', () => {
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) {
      const o = JSON.parse(l) as Record<string, unknown>;
      expect(o, l).toMatchObject({ run_id: report.run_id, pipeline: 'logging-test', stage: expect.any(String) });
    }
  });

  it('no line has a duplicate key (a child logger must not bind stage twice)', () => {
    for (const l of lines) expect(repeated(topLevelKeys(l)), l).toEqual([]);
  });

  it('G5: secrets are redacted from every line: a token logged as a field or in the message, the connection string and its password', () => {
    const careless = lines.filter((l) => l.includes('connecting with'));
    expect(careless).toHaveLength(1);
    expect(JSON.parse(careless[0])).toMatchObject({ token: '[REDACTED]', auth: { password: '[REDACTED]' }, msg: 'connecting with [REDACTED]' });
    const password = decodeURIComponent(new URL(db.url).password);
    expect(loaded.secrets).toContain(db.url);
    for (const l of lines) {
      expect(l).not.toContain(TOKEN);
      expect(l).not.toContain(db.url);
      if (password.length >= 4) expect(l).not.toContain(password);
    }
  });

  it('G6: lines carry keys and counts, never the names or emails of the records', () => {
    for (const l of lines) for (const pii of ['山田', '佐藤', '鈴木', '@example.jp']) expect(l).not.toContain(pii);
  });
});
