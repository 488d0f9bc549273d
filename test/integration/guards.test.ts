import { describe, it, expect, beforeAll } from 'vitest';
import { deactivates, checkGuards } from '../../sync/guards.ts';
import type { Candidate, Plan } from '../../sync/plan.ts';
import { guardsSchema, type PipelineConfig } from '../../config/schema.ts';
import { ensureRunsTable } from '../../db/runs.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

const guards = guardsSchema.parse({});
const config = { guards } as PipelineConfig;
const changed = (key: string, field: string, old: unknown, nu: unknown): Candidate => ({ key, status: 'changed', changes: [{ field, old, new: nu }] });
const plan = (candidates: Candidate[], over: Partial<Plan> = {}): Plan => ({
  version: 1, plan_id: 'P1', pipeline: 'g', pipeline_file: '/x.yaml', overrides: [], config_hash: 'h', created_at: '', target_fingerprint: '',
  target_records: 100, source_records: 100, counts: { new: 0, changed: candidates.length, unchanged: 0, rejected: 0, excluded: 0, missing: 0, filtered: 0 }, candidates, ...over,
});

let db: TestDb;
beforeAll(async () => { db = await freshDb(); await ensureRunsTable(db.pool); });

describe('safety guards', () => {
  it('a change deactivates when a blank resign date becomes set, or emp_status becomes retired', () => {
    expect(deactivates(changed('a', 'resigned_at', null, '2026-03-31'), guards.deactivate)).toBe(true);
    expect(deactivates(changed('a', 'resigned_at', '2026-03-01', '2026-03-31'), guards.deactivate)).toBe(false);
    expect(deactivates(changed('a', 'emp_status', 'employed', 'retired'), guards.deactivate)).toBe(true);
    expect(deactivates(changed('a', 'email', 'x', 'y'), guards.deactivate)).toBe(false);
    expect(deactivates({ key: 'n', status: 'new' }, guards.deactivate)).toBe(false);
  });

  it('refuses when more than 10% of the target would be resigned, explaining the numbers', async () => {
    const many = Array.from({ length: 11 }, (_, i) => changed(`k${i}`, 'resigned_at', '', '2026-03-31'));
    const r = await checkGuards(plan(many), many, config, db.pool);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toContain('11 of 100 target records (11.0%) would be resigned/deactivated (guards.max_deactivate_ratio is 0.1)');
    const ten = many.slice(0, 10);
    expect((await checkGuards(plan(ten), ten, config, db.pool)).ok).toBe(true);
  });

  it('refuses a source much smaller than the last successful run, but not a plan that was never applied', async () => {
    await db.pool.query(`INSERT INTO renkei_runs (id, pipeline, config_hash, started_at, finished_at, status, kind, counts)
      VALUES ('R1', 'g', 'h', now() - interval '2 day', now(), 'succeeded', 'run', '{"read": 1000}'),
             ('R2', 'g', 'h', now() - interval '1 day', now(), 'succeeded', 'plan', '{"read": 200}')`);
    const r = await checkGuards(plan([], { source_records: 300 }), [], config, db.pool);
    expect(r.problems).toEqual([expect.stringContaining('the source returned 300 records, 30.0% of the 1000 read by the last successful run R1')]);
    expect((await checkGuards(plan([], { source_records: 600 }), [], config, db.pool)).ok).toBe(true);
  });
});
