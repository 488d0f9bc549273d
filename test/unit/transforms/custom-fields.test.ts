import { describe, expect, it } from 'vitest';
import { customFields } from '../../../transforms/custom-fields.ts';
import { exclude } from '../../../transforms/exclude.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';

const NAMES = ['ミキワメAI連携', 'ミキワメ(AI)連携', 'ミキワメ連携'];
const stage = (o: Record<string, unknown> = {}) => customFields.create(customFields.schema.parse({ type: 'custom_fields', fields: { opt_out: NAMES }, ...o }), makeCtx());

/** An enum template as SmartHR returns it inside a crew's custom_fields. */
const enumTemplate = (name: string) => ({
  id: `tpl-${name}`, name, type: 'enum',
  elements: [
    { id: 'el-1', name: '連携する', physical_name: 'link' },
    { id: 'el-2', name: '連携しない', physical_name: 'no_link' },
    { id: 'el-3', name: '未設定', physical_name: null },
  ],
});
const field = (name: string, value: string | number | null, template: Record<string, unknown> = enumTemplate(name)) => ({ value, template });
const crew = (emp_code: string, ...custom: unknown[]) => ({ emp_code, custom_fields: custom });
const optOut = async (rows: Array<Record<string, unknown>>, o?: Record<string, unknown>) => (await runStage(stage(o), rows)).out.map((r) => [r.data.emp_code, r.data.opt_out]);

describe('custom_fields', () => {
  it('M-E10: the opt-out field is found by template name under each spelling the manuals use (ミキワメAI連携, ミキワメ(AI)連携, ミキワメ連携)', async () => {
    expect(await optOut([
      crew('E1', field('ミキワメAI連携', 'el-2')),
      crew('E2', field('ミキワメ(AI)連携', 'el-2')),
      crew('E3', field('ミキワメ連携', 'el-2')),
      crew('E4', field('ミキワメ', 'el-2')),                                  // another name: not the opt-out field
    ])).toEqual([['E1', '連携しない'], ['E2', '連携しない'], ['E3', '連携しない'], ['E4', null]]);
  });

  it('M-E10: an enum value given as element id, physical_name or name reads as the element name', async () => {
    expect(await optOut([
      crew('E1', field('ミキワメAI連携', 'el-2')),
      crew('E2', field('ミキワメAI連携', 'no_link')),
      crew('E3', field('ミキワメAI連携', '連携しない')),
      crew('E4', field('ミキワメAI連携', 'link')),
      crew('E5', field('ミキワメAI連携', 'el-1')),
    ])).toEqual([['E1', '連携しない'], ['E2', '連携しない'], ['E3', '連携しない'], ['E4', '連携する'], ['E5', '連携する']]);
  });

  it('M-E10: blank, absent and unknown values: null for blank or absent, an unknown element id passes through unchanged', async () => {
    expect(await optOut([
      crew('E1', field('ミキワメAI連携', null)),
      crew('E2', field('ミキワメAI連携', '')),
      crew('E3'),
      { emp_code: 'E4' },                                                         // no custom_fields at all
      { emp_code: 'E5', custom_fields: null },
      crew('E6', field('ミキワメAI連携', 'el-999')),
    ])).toEqual([['E1', null], ['E2', null], ['E3', null], ['E4', null], ['E5', null], ['E6', 'el-999']]);
  });

  it('selects by template name, never by position; of several spellings present, the first name listed wins', async () => {
    const other = field('社内メモ', 'x', { id: 'tpl-memo', name: '社内メモ', type: 'string' });
    expect(await optOut([
      crew('E1', other, field('ミキワメ連携', 'el-1')),
      crew('E2', field('ミキワメ連携', 'el-1'), field('ミキワメAI連携', 'el-2')),
    ])).toEqual([['E1', '連携する'], ['E2', '連携しない']]);
  });

  it('non-enum templates give the value as it is; several output fields and a custom `from`', async () => {
    const s = stage({ from: 'cf', fields: { memo: ['社内メモ'], score: ['スコア'], opt_out: NAMES } });
    const { out, drops } = await runStage(s, [{ emp_code: 'E1', cf: [
      field('社内メモ', 'el-2', { id: 't1', name: '社内メモ', type: 'string', elements: enumTemplate('x').elements }),
      field('スコア', 42, { id: 't2', name: 'スコア', type: 'decimal' }),
    ] }]);
    expect(drops).toEqual([]);
    expect(out.map((r) => [r.data.memo, r.data.score, r.data.opt_out])).toEqual([['el-2', 42, null]]);
  });

  it('M-E10: custom_fields then exclude — 連携しない in any form is OPTED_OUT and listed; 連携する and blank go on', async () => {
    const ex = exclude.create(exclude.schema.parse({ type: 'exclude', rules: [{ when: { field: 'opt_out', equals: '連携しない' }, code: 'OPTED_OUT' }] }), makeCtx());
    const first = await runStage(stage(), [
      crew('E1', field('ミキワメAI連携', 'el-2')), crew('E2', field('ミキワメ(AI)連携', 'no_link')), crew('E3', field('ミキワメ連携', '連携しない')),
      crew('E4', field('ミキワメAI連携', 'el-1')), crew('E5', field('ミキワメAI連携', null)), crew('E6'),
    ]);
    const { out, drops } = await runStage(ex, first.out);
    expect(out.map((r) => r.data.emp_code)).toEqual(['E4', 'E5', 'E6']);
    expect(drops.map((d) => [(d.data as Record<string, unknown>).emp_code, d.kind, d.code, d.listed])).toEqual([
      ['E1', 'filtered', 'OPTED_OUT', true], ['E2', 'filtered', 'OPTED_OUT', true], ['E3', 'filtered', 'OPTED_OUT', true],
    ]);
  });

  it('config: at least one template name per output field', () => {
    expect(customFields.schema.safeParse({ type: 'custom_fields', fields: { opt_out: [] } }).success).toBe(false);
  });
});
