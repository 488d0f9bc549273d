import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dedupe, dedupeStage } from '../../../transforms/dedupe.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';

const opts = (o: Record<string, unknown>) => dedupe.schema.parse({ type: 'dedupe', ...o });
const stage = (o: Record<string, unknown>) => dedupe.create(opts(o), makeCtx());
const rows = () => [
  { id: 1, email: 'a@x.jp' }, { id: 2, email: '007@aaa.com' }, { id: 3, email: 'b@x.jp' },
  { id: 4, email: '007@aaa.com' }, { id: 5, email: '' }, { id: 6, email: 'a@x.jp' }, { id: 7, email: null },
];

describe('dedupe', () => {
  it('M-E9: every employee sharing an email is rejected, the first one included', async () => {
    const { out, drops } = await runStage(stage({ key: ['email'], policy: 'reject-all', code: 'DUPLICATE_EMAIL' }), rows());
    expect(out.map((r) => r.data.id).sort()).toEqual([3, 5, 7]);
    expect(drops.map((d) => [(d.data as any).id, d.kind, d.code, d.field])).toEqual([
      [1, 'rejected', 'DUPLICATE_EMAIL', 'email'], [2, 'rejected', 'DUPLICATE_EMAIL', 'email'],
      [4, 'rejected', 'DUPLICATE_EMAIL', 'email'], [6, 'rejected', 'DUPLICATE_EMAIL', 'email'],
    ]);
    expect(drops[1].message).toContain('007@aaa.com');
  });
  it('keep-first streams: later duplicates are excluded with the code and listed (error file, plan, report)', async () => {
    const { out, drops } = await runStage(stage({ key: ['email'] }), rows());
    expect(out.map((r) => r.data.id)).toEqual([1, 2, 3, 5, 7]);
    expect(drops.map((d) => [(d.data as any).id, d.kind, d.code, (d as { listed?: boolean }).listed])).toEqual([[4, 'filtered', 'DUPLICATE_KEY', true], [6, 'filtered', 'DUPLICATE_KEY', true]]);
  });
  it('keep-last keeps the last record of each key; the earlier ones are excluded and listed', async () => {
    const { out, drops } = await runStage(stage({ key: ['email'], policy: 'keep-last' }), rows());
    expect(out.map((r) => r.data.id).sort()).toEqual([3, 4, 5, 6, 7]);
    expect(drops.map((d) => (d.data as any).id)).toEqual([1, 2]);
    expect(drops.every((d) => d.kind === 'filtered' && (d as { listed?: boolean }).listed === true)).toBe(true);
  });
  it('composite keys compare every part', async () => {
    const { out } = await runStage(stage({ key: ['a', 'b'], policy: 'reject-all' }), [{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: '1', b: '1' }]);
    expect(out.map((r) => r.data)).toEqual([{ a: 1, b: 2 }]);
  });
  it('reject-all spills to disk past the threshold, gives the same result, and removes its temp file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dedupe-test-'));
    const input = Array.from({ length: 5000 }, (_, i) => ({ id: i, k: `k${i % 4000}` }));
    const s = dedupeStage(opts({ key: ['k'], policy: 'reject-all', spill_after: 100 }), dir);
    const { out, drops } = await runStage(s, input);
    expect(out).toHaveLength(3000);
    expect(drops).toHaveLength(2000);
    // Spilled parts come out one after another: the set of survivors is what counts.
    expect(out.map((r) => r.data.id as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1000));
    expect(new Set(drops.map((d) => d.code))).toEqual(new Set(['DUPLICATE_KEY']));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
  it('a run that fails before flush still removes the spill files (close)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dedupe-abort-'));
    const s = dedupeStage(opts({ key: ['k'], policy: 'reject-all', spill_after: 5 }), dir);
    for (let i = 0; i < 50; i++) s.process({ data: { k: `k${i}` }, origin: `x:${i}` });
    expect(fs.readdirSync(dir)).toHaveLength(1);
    await s.close!();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
  it('keep-last past the spill threshold keeps exactly the last record of each key', async () => {
    const input = Array.from({ length: 3000 }, (_, i) => ({ id: i, k: `k${i % 700}`, name: i % 2 ? '山田' : 'Smith' }));
    const { out, drops } = await runStage(dedupeStage(opts({ key: ['k'], policy: 'keep-last', spill_after: 50 }), os.tmpdir()), input);
    expect(out.map((r) => r.data.id as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 700 }, (_, i) => i + 2300));
    expect(out.find((r) => r.data.id === 2301)!.data).toEqual({ id: 2301, k: 'k201', name: '山田' });
    expect(drops).toHaveLength(2300);
  });
  it('property: output keys are unique and every input is accounted for exactly once', async () => {
    const policies = ['keep-first', 'keep-last', 'reject-all'] as const;
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...policies), fc.array(fc.constantFrom('a', 'b', 'c', 'd', '', 'e'), { maxLength: 40 }), fc.integer({ min: 0, max: 10 }),
      async (policy, keys, spill) => {
        const input = keys.map((k, i) => ({ id: i, k }));
        const { out, drops } = await runStage(dedupeStage(opts({ key: ['k'], policy, spill_after: spill }), os.tmpdir()), input);
        const nonBlank = out.map((r) => r.data.k).filter((k) => k !== '');
        expect(new Set(nonBlank).size).toBe(nonBlank.length);
        const ids = [...out.map((r) => r.data.id), ...drops.map((d) => (d.data as any).id)].sort((a, b) => a - b);
        expect(ids).toEqual(input.map((r) => r.id));
        const counts = new Map<string, number>();
        for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
        const expectedOut = keys.filter((k) => k === '' || policy !== 'reject-all' || counts.get(k) === 1);
        expect(out.length).toBe(policy === 'reject-all' ? expectedOut.length : new Set(keys.filter((k) => k !== '')).size + keys.filter((k) => k === '').length);
      },
    ), { numRuns: 200 });
  });
});
