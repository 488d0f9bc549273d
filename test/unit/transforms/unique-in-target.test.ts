import { describe, expect, it } from 'vitest';
import { uniqueInTarget } from '../../../transforms/unique-in-target.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import type { Ctx, Row, Source } from '../../../engine/types.ts';

/** A ctx whose createSource serves `rows` as the target, in batches of 2, and counts the reads. */
function targetCtx(rows: Row[]): { ctx: Ctx; reads: Array<Record<string, unknown>> } {
  const reads: Array<Record<string, unknown>> = [];
  // makeCtx takes no createSource: the stage's ctx is a test ctx with one added.
  const ctx: Ctx = {
    ...makeCtx(),
    createSource(config): Source {
      reads.push(config);
      return {
        async *read() { for (let i = 0; i < rows.length; i += 2) yield rows.slice(i, i + 2).map((data, j) => ({ data, origin: `target #${i + j + 1}` })); },
      };
    },
  };
  return { ctx, reads };
}
const TARGET = { type: 'mikiwame.departments', base_url: 'http://127.0.0.1:9/api', token: 't' };
const stage = (ctx: Ctx, o: Record<string, unknown> = {}) =>
  uniqueInTarget.create(uniqueInTarget.schema.parse({ type: 'unique_in_target', field: 'name', key: 'code', code: 'DEPT_NAME_CONFLICT', target: TARGET, ...o }), ctx);
const MIKIWAME = [
  { code: 'A001', name: '営業部', parent_code: null }, { code: 'A002', name: '開発部', parent_code: null },
  { code: 'A003', name: '人事部', parent_code: null }, { code: 'A004', name: '', parent_code: null },
];

describe('unique_in_target', () => {
  it('M-D5: a new code with a name the target holds under another code is DEPT_NAME_CONFLICT, found before any write', async () => {
    const { ctx, reads } = targetCtx(MIKIWAME);
    const { out, drops } = await runStage(stage(ctx), [
      { code: 'B001', name: '営業部' },          // the name of A001 under a new code
      { code: 'A001', name: '営業部' },          // the same department: no conflict
      { code: 'A002', name: '開発本部' },        // renamed to a free name
      { code: 'B002', name: '総務部' },          // new and free
      { code: 'A003', name: '開発部' },          // an existing code taking another's name
    ]);
    expect(out.map((r) => r.data.code)).toEqual(['A001', 'A002', 'B002']);
    expect(drops.map((d) => [(d.data as Row).code, d.kind, d.code, d.field, d.origin])).toEqual([
      ['B001', 'rejected', 'DEPT_NAME_CONFLICT', 'name', 'input:1'], ['A003', 'rejected', 'DEPT_NAME_CONFLICT', 'name', 'input:5'],
    ]);
    expect(drops[0].message).toBe('name "営業部" is already used in the target by code "A001"; not written');
    expect(reads).toEqual([expect.objectContaining({ type: 'mikiwame.departments' })]);   // read once, through the ctx
  });

  it('M-D5: blank names never conflict; values compare as text (a numeric code equals its string)', async () => {
    const { ctx } = targetCtx([...MIKIWAME, { code: 7, name: '経理部' }]);
    const { out, drops } = await runStage(stage(ctx), [{ code: 'B003', name: '' }, { code: 'B004', name: null }, { code: '7', name: '経理部' }, { code: 'B005', name: '経理部' }]);
    expect(out.map((r) => r.data.code)).toEqual(['B003', 'B004', '7']);
    expect(drops.map((d) => [(d.data as Row).code, d.code])).toEqual([['B005', 'DEPT_NAME_CONFLICT']]);
  });

  it('an empty target conflicts with nothing; the default code is NAME_CONFLICT', async () => {
    const { ctx } = targetCtx([]);
    expect((await runStage(stage(ctx), [{ code: 'B001', name: '営業部' }])).drops).toEqual([]);
    const again = targetCtx(MIKIWAME);
    const { drops } = await runStage(uniqueInTarget.create(uniqueInTarget.schema.parse({ type: 'unique_in_target', field: 'name', key: 'code', target: TARGET }), again.ctx), [{ code: 'B001', name: '営業部' }]);
    expect(drops.map((d) => d.code)).toEqual(['NAME_CONFLICT']);
  });
});
