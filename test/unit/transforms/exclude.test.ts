import { describe, expect, it } from 'vitest';
import { exclude } from '../../../transforms/exclude.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import type { Drop } from '../../../engine/types.ts';

const stage = (rules: unknown[]) => exclude.create(exclude.schema.parse({ type: 'exclude', rules }), makeCtx());
const OPT_OUT = { when: { field: 'opt_out', equals: '連携しない' }, code: 'OPTED_OUT' };
const row = (drop: Drop) => [(drop.data as Record<string, unknown>).emp_code, drop.kind, drop.code, drop.listed, drop.message];

describe('exclude', () => {
  it('M-E10: 連携しない excludes the employee as OPTED_OUT, listed (outcome excluded); 連携する, blank and absent go on untouched', async () => {
    const input = [
      { emp_code: 'E1', opt_out: '連携しない' }, { emp_code: 'E2', opt_out: '連携する' }, { emp_code: 'E3', opt_out: null },
      { emp_code: 'E4', opt_out: '' }, { emp_code: 'E5' },
    ];
    const { out, drops } = await runStage(stage([OPT_OUT]), input);
    expect(out.map((r) => r.data)).toEqual(input.slice(1));
    expect(drops.map(row)).toEqual([['E1', 'filtered', 'OPTED_OUT', true, 'excluded: opt_out = "連携しない"']]);
    expect(drops[0].origin).toBe('input:1');
  });

  it('the first matching rule gives the code; conditions combine with any / not / empty', async () => {
    const { out, drops } = await runStage(stage([
      OPT_OUT,
      { when: { any: [{ field: 'status', equals: 'retired' }, { field: 'status', in: ['leave'] }] }, code: 'NOT_EMPLOYED' },
      { when: { not: { field: 'email', empty: false } }, code: 'NO_EMAIL' },
    ]), [
      { emp_code: 'E1', opt_out: '連携しない', status: 'retired', email: 'a@x' },
      { emp_code: 'E2', status: 'leave', email: '' },
      { emp_code: 'E3', status: 'employed', email: ' ' },
      { emp_code: 'E4', status: 'employed', email: 'd@x' },
    ]);
    expect(out.map((r) => r.data.emp_code)).toEqual(['E4']);
    expect(drops.map((d) => [row(d)[0], d.code])).toEqual([['E1', 'OPTED_OUT'], ['E2', 'NOT_EMPLOYED'], ['E3', 'NO_EMAIL']]);
    expect(drops.every((d) => d.kind === 'filtered' && d.listed === true)).toBe(true);
  });

  it('config: codes are UPPER_SNAKE and at least one rule is given', () => {
    expect(exclude.schema.safeParse({ type: 'exclude', rules: [] }).success).toBe(false);
    expect(exclude.schema.safeParse({ type: 'exclude', rules: [{ ...OPT_OUT, code: 'opted out' }] }).success).toBe(false);
  });
});
