import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tree, treeStage } from '../../../transforms/tree.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';

const opts = (o: Record<string, unknown> = {}) => tree.schema.parse({ type: 'tree', ...o });
const stage = (o: Record<string, unknown> = {}) => tree.create(opts(o), makeCtx());
const dept = (code: string | null, parent_code: string | null = null, name = `部署${code}`) => ({ code, parent_code, name });
/** A chain D1 → D2 → … → Dn (D1 at the top). */
const chain = (n: number, prefix = 'D') => Array.from({ length: n }, (_, i) => dept(`${prefix}${i + 1}`, i ? `${prefix}${i}` : null));

describe('tree', () => {
  it('emits parents before children whatever the input order', async () => {
    const { out, drops } = await runStage(stage(), [dept('C', 'B'), dept('B', 'A'), dept('A'), dept('X')]);
    expect(drops).toEqual([]);
    expect(out.map((r) => r.data.code)).toEqual(['A', 'X', 'B', 'C']);
  });
  it('M-D3: a department without a code is rejected (DEPT_NO_CODE)', async () => {
    const { out, drops } = await runStage(stage(), [dept(null), dept(''), dept('A')]);
    expect(out.map((r) => r.data.code)).toEqual(['A']);
    expect(drops.map((d) => [d.code, d.field])).toEqual([['DEPT_NO_CODE', 'code'], ['DEPT_NO_CODE', 'code']]);
  });
  it('M-D4: level 11 and all its descendants are rejected (DEPT_TOO_DEEP); the rest of the tree syncs', async () => {
    const input = [...chain(13), dept('S', 'D3'), dept('T', 'D10')];
    const { out, drops } = await runStage(stage({ depth_field: 'level' }), input);
    expect(out.map((r) => r.data.code).sort()).toEqual(['D1', 'D10', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'D9', 'S'].sort());
    expect(out.find((r) => r.data.code === 'D10')!.data.level).toBe(10);
    expect(drops.map((d) => [(d.data as any).code, d.code])).toEqual([['D11', 'DEPT_TOO_DEEP'], ['T', 'DEPT_TOO_DEEP'], ['D12', 'DEPT_TOO_DEEP'], ['D13', 'DEPT_TOO_DEEP']]);
    expect(drops[0].message).toContain('level 11');
  });
  it('M-D4: max_depth is configurable', async () => {
    const { out, drops } = await runStage(stage({ max_depth: 2 }), chain(4));
    expect(out.map((r) => r.data.code)).toEqual(['D1', 'D2']);
    expect(drops.map((d) => d.code)).toEqual(['DEPT_TOO_DEEP', 'DEPT_TOO_DEEP']);
  });
  it('M-D6: cycles and everything below them are rejected (DEPT_CYCLE)', async () => {
    const { out, drops } = await runStage(stage(), [dept('A', 'C'), dept('B', 'A'), dept('C', 'B'), dept('K', 'B'), dept('S', 'S'), dept('R')]);
    expect(out.map((r) => r.data.code)).toEqual(['R']);
    expect(drops.map((d) => [(d.data as any).code, d.code]).sort()).toEqual([['A', 'DEPT_CYCLE'], ['B', 'DEPT_CYCLE'], ['C', 'DEPT_CYCLE'], ['K', 'DEPT_CYCLE'], ['S', 'DEPT_CYCLE']]);
    expect(drops.find((d) => (d.data as any).code === 'A')!.message).toMatch(/cycle/);
  });
  it('M-D6: a parent that does not exist rejects the node and its descendants (DEPT_ORPHAN)', async () => {
    const { out, drops } = await runStage(stage(), [dept('A', 'ZZ'), dept('B', 'A'), dept('C')]);
    expect(out.map((r) => r.data.code)).toEqual(['C']);
    expect(drops.map((d) => [(d.data as any).code, d.code, d.field])).toEqual([['A', 'DEPT_ORPHAN', 'parent_code'], ['B', 'DEPT_ORPHAN', 'parent_code']]);
    expect(drops[0].message).toContain('ZZ');
  });
  it('M-D2: the code is the identity: a second department with the same code is rejected', async () => {
    const { out, drops } = await runStage(stage(), [dept('A', null, '営業部'), dept('A', null, '営業本部')]);
    expect(out.map((r) => r.data.name)).toEqual(['営業部']);
    expect(drops.map((d) => d.code)).toEqual(['DEPT_DUPLICATE_CODE']);
  });
  it('parent codes may be read through a dot path', async () => {
    const { out } = await runStage(stage({ parent_field: 'parent.code' }), [{ code: 'B', parent: { code: 'A' } }, { code: 'A', parent: null }]);
    expect(out.map((r) => r.data.code)).toEqual(['A', 'B']);
  });
  it('property: parents come before children, no node is deeper than the limit, every input is accounted for', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: 0, max: 35 }), { nil: null })), { maxLength: 40 }),
      fc.integer({ min: 1, max: 6 }),
      async (pairs, max) => {
        const input = pairs.map(([c, p], i) => ({ id: i, code: `c${c}`, parent_code: p === null ? null : `c${p}` }));
        const { out, drops } = await runStage(treeStage(opts({ max_depth: max })), input);
        expect(out.length + drops.length).toBe(input.length);
        // Independent oracle: the first record of a code is kept iff its ancestry reaches the top within the limit.
        const first = new Map<string, { parent_code: string | null }>();
        for (const r of input) if (!first.has(r.code)) first.set(r.code, r);
        const ok = (code: string): boolean => {
          let c: string | null = code;
          for (let depth = 1; depth <= max; depth++) {
            const p: string | null = first.get(c!)!.parent_code;
            if (p === null) return true;
            if (!first.has(p)) return false;
            c = p;
          }
          return false;
        };
        expect(out.map((r) => r.data.code).sort()).toEqual([...first.keys()].filter(ok).sort());
        const level = new Map<string, number>();
        for (const r of out) {
          const p = r.data.parent_code as string | null;
          const d = p === null ? 1 : level.get(p)! + 1;
          expect(p === null || level.has(p)).toBe(true);
          expect(d).toBeLessThanOrEqual(max);
          level.set(r.data.code as string, d);
        }
      },
    ), { numRuns: 300 });
  });
});
