/** The diff stage inside the runner: outcome counts add up (G1) with target-only records reported. */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parsePipeline } from '../../../config/load.ts';
import { runPipeline } from '../../../engine/runner.ts';
import { freshDb, type TestDb } from '../../helpers/db.ts';

const DIR = import.meta.dirname;

describe('diff through the runner', () => {
  let db: TestDb;
  beforeAll(async () => { db = await freshDb(); });

  it('K5: new and changed are written, unchanged counted, target-only reported as MISSING_IN_SOURCE; G1 holds', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-pipe-'));
    const loaded = parsePipeline(fs.readFileSync(path.join(DIR, 'pipeline.yaml'), 'utf8'), path.join(DIR, 'pipeline.yaml'), { env: { DIFF_OUT: out } });
    const report = await runPipeline(loaded, {
      logger: pino({ level: 'silent' }),
      db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }),
      recordRun: false,
    });
    expect(report.error).toBeNull();
    expect(report.counts).toEqual({ read: 3, written: 2, unchanged: 1, filtered: 1, rejected: 0 });
    expect(report.expanded).toBe(1);
    expect(report.reasons.filtered).toEqual({ MISSING_IN_SOURCE: 1 });
    const { rows } = await db.pool.query("SELECT emp_code, last_name, to_char(birth_at, 'YYYY-MM-DD') AS birth_at FROM candidates ORDER BY emp_code");
    expect(rows).toEqual([
      { emp_code: 'E2', last_name: '高橋', birth_at: '1985-05-05' },
      { emp_code: 'E4', last_name: '田中', birth_at: '2000-01-01' },
    ]);
  });
});
