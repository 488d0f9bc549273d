import { describe, expect, it } from 'vitest';
import { filter } from '../../../transforms/filter.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import { ConfigError } from '../../../engine/errors.ts';

// 2024-04-01 09:30 in Tokyo; 2024-03-31 in UTC until 15:00Z.
const NOW = new Date('2024-04-01T00:30:00Z');
const stage = (opts: Record<string, unknown>, now = NOW) => filter.create(filter.schema.parse({ type: 'filter', ...opts }), makeCtx({ now: () => now }));

describe('filter: conditions', () => {
  it('M-E10: 連携しない opts out (OPTED_OUT); 連携する and blank are synced', async () => {
    const s = stage({ exclude: [{ when: { field: 'ミキワメAI連携', equals: '連携しない' }, code: 'OPTED_OUT' }] });
    const { out, drops } = await runStage(s, [{ id: 1, ミキワメAI連携: '連携しない' }, { id: 2, ミキワメAI連携: '連携する' }, { id: 3, ミキワメAI連携: '' }, { id: 4 }]);
    expect(out.map((r) => r.data.id)).toEqual([2, 3, 4]);
    expect(drops.map((d) => [d.kind, d.code, d.data])).toEqual([['filtered', 'OPTED_OUT', { id: 1, ミキワメAI連携: '連携しない' }]]);
  });
  it('in, empty, not, all, any compose; first matching rule gives the code', async () => {
    const s = stage({ exclude: [
      { when: { all: [{ field: 'kind', in: ['a', 'b'] }, { not: { field: 'x', empty: true } }] }, code: 'AB_WITH_X' },
      { when: { any: [{ field: 'kind', equals: 'c' }, { field: 'n', equals: 1 }] }, code: 'C_OR_ONE' },
    ] });
    const { out, drops } = await runStage(s, [{ kind: 'a', x: 1 }, { kind: 'a' }, { kind: 'c' }, { kind: 'z', n: '1' }, { kind: 'b', x: '' }]);
    expect(drops.map((d) => d.code)).toEqual(['AB_WITH_X', 'C_OR_ONE', 'C_OR_ONE']);
    expect(out.map((r) => r.data)).toEqual([{ kind: 'a' }, { kind: 'b', x: '' }]);
  });
});

describe('filter: employed_on', () => {
  const people = [
    { id: 'hired-later', entered_at: '2024-04-02', resigned_at: null },
    { id: 'hired-on-day', entered_at: '2024-04-01', resigned_at: null },
    { id: 'resigned-before', entered_at: '2020-01-01', resigned_at: '2024-03-31' },
    { id: 'resigned-on-day', entered_at: '2020-01-01', resigned_at: '2024-04-01' },
    { id: 'resigns-later', entered_at: '2020-01-01', resigned_at: '2024-05-01' },
    { id: 'no-dates', entered_at: '', resigned_at: '' },
  ];
  it('K3: hired on or before and not resigned before the date; resigning ON the date counts as employed by default (seed 004)', async () => {
    const { out, drops } = await runStage(stage({ employed_on: { date: '2024-04-01' } }), people.map((p) => ({ ...p })));
    expect(out.map((r) => r.data.id)).toEqual(['hired-on-day', 'resigned-on-day', 'resigns-later', 'no-dates']);
    expect(drops.map((d) => [d.data && (d.data as any).id, d.kind, d.code])).toEqual([
      ['hired-later', 'filtered', 'NOT_YET_HIRED'], ['resigned-before', 'filtered', 'RESIGNED'],
    ]);
  });
  it('K3: resign_day_employed: false excludes a resignation on the date (seed 003)', async () => {
    const { out } = await runStage(stage({ employed_on: { date: '2024-04-01', resign_day_employed: false } }), people.map((p) => ({ ...p })));
    expect(out.map((r) => r.data.id)).toEqual(['hired-on-day', 'resigns-later', 'no-dates']);
  });
  it('K2: the reference date defaults to today in Asia/Tokyo', async () => {
    // At 00:30Z it is already 2024-04-01 in Tokyo: someone hired on 04-01 is employed.
    const { out } = await runStage(stage({ employed_on: {} }), [{ entered_at: '2024-04-01' }]);
    expect(out).toHaveLength(1);
    const before = await runStage(stage({ employed_on: {} }, new Date('2024-03-31T14:59:00Z')), [{ entered_at: '2024-04-01' }]);
    expect(before.drops[0].code).toBe('NOT_YET_HIRED');
  });
  it('K2: a reference date more than 3 years back or 1 year ahead is a config error; the bounds are allowed', () => {
    expect(() => stage({ employed_on: { date: '2021-03-31' } })).toThrow(ConfigError);
    expect(() => stage({ employed_on: { date: '2025-04-02' } })).toThrow(/outside the allowed range/);
    expect(() => stage({ employed_on: { date: 'someday' } })).toThrow(ConfigError);
    expect(() => stage({ employed_on: { date: '2021-04-01' } })).not.toThrow();
    expect(() => stage({ employed_on: { date: 'R7.4.1' } })).not.toThrow();
  });
  it('an unreadable hire date rejects the record naming field and value', async () => {
    const { drops } = await runStage(stage({ employed_on: { date: '2024-04-01' } }), [{ entered_at: 'soon' }]);
    expect([drops[0].kind, drops[0].code, drops[0].field]).toEqual(['rejected', 'INVALID_DATE', 'entered_at']);
    expect(drops[0].message).toContain('soon');
  });
});
