/**
 * M-E12: the worked example of seed 001 (手順4 注意事項4) as a pipeline test — first as a chain of
 * stages over the fixture, then the YAML pipeline through the runner into PostgreSQL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import Papa from 'papaparse';
import { parse as parseYaml } from 'yaml';
import { createSource, createStage } from '../../../config/registry.ts';
import { parsePipeline } from '../../../config/load.ts';
import { runPipeline } from '../../../engine/runner.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import { Drop, type Rec } from '../../../engine/types.ts';
import { sourceConfigSchema, stageConfigSchema } from '../../../config/registry.ts';
import { freshDb, type TestDb } from '../../helpers/db.ts';

const DIR = import.meta.dirname;
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  synced: Array<Record<string, string | null>>;
  excluded: Array<{ emp_code: string; code: string }>;
};
const yamlText = fs.readFileSync(path.join(DIR, 'pipeline.yaml'), 'utf8');

describe('M-E12 worked example', () => {
  it('M-E12: as a chain of stages, only 太郎 and 次郎 sync; 三郎 四郎 五郎 六郎 七郎 八郎 are excluded with their codes', async () => {
    const ctx = makeCtx({ baseDir: DIR });
    const pipeline = parseYaml(yamlText) as { source: Record<string, unknown>; transforms: unknown[] };
    let items: Rec[] = [];
    for await (const batch of createSource(sourceConfigSchema().parse(pipeline.source), ctx).read()) {
      for (const r of batch) if (!(r instanceof Drop)) items.push(r);
    }
    expect(items).toHaveLength(8);
    const drops: Drop[] = [];
    for (const cfg of pipeline.transforms) {
      const res = await runStage(createStage(stageConfigSchema().parse(cfg), ctx), items);
      items = res.out;
      drops.push(...res.drops);
    }
    expect(items.map((r) => r.data)).toEqual(expected.synced);
    const excluded = drops.map((d) => ({ emp_code: (d.data as Record<string, string>).emp_code, code: d.code, kind: d.kind }))
      .sort((a, b) => a.emp_code.localeCompare(b.emp_code));
    expect(excluded).toEqual(expected.excluded.map((e) => ({ ...e, kind: 'rejected' })));
  });

  describe('through the runner', () => {
    let db: TestDb;
    beforeAll(async () => { db = await freshDb(); });

    it('M-E12: the YAML pipeline writes exactly 太郎 and 次郎 and one error row per excluded employee', async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'm-e12-'));
      const loaded = parsePipeline(yamlText, path.join(DIR, 'pipeline.yaml'), { env: { M_E12_OUT: out } });
      const report = await runPipeline(loaded, {
        logger: pino({ level: 'silent' }),
        db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }),
        recordRun: false,
      });
      expect(report.status).toBe('succeeded');
      expect(report.counts).toEqual({ read: 8, written: 2, unchanged: 0, filtered: 0, rejected: 6 });
      expect(report.reasons.rejected).toEqual({ UNKNOWN_DEPARTMENT: 1, MISSING_NAME: 1, MISSING_KANA: 1, MISSING_EMAIL: 1, DUPLICATE_EMAIL: 2 });

      const { rows } = await db.pool.query('SELECT * FROM mikiwame_employees ORDER BY "社員番号"');
      expect(rows).toEqual(expected.synced);

      const errors = Papa.parse<Record<string, string>>(fs.readFileSync(report.errors_file!, 'utf8').replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
      const byKey = errors.map((e) => ({ emp_code: e.key, code: e.code })).sort((a, b) => a.emp_code.localeCompare(b.emp_code));
      expect(errors.every((e) => e.stage !== '' && e.origin.startsWith('employees.csv:'))).toBe(true);
      expect(byKey).toEqual(expected.excluded);
    });
  });
});
