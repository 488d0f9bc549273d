import { describe, expect, it } from 'vitest';
import { latest } from '../../../transforms/latest.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import type { Row } from '../../../engine/types.ts';

const stage = (o: Record<string, unknown> = {}) => latest.create(latest.schema.parse({ type: 'latest', key: ['employee_id'], by: 'exam_date', ...o }), makeCtx());
const result = (id: string, employee_id: string, exam_date: string | null) => ({ id, employee_id, exam_date });

describe('latest', () => {
  it('M-R3: of several results per person only the latest exam date goes on; the others are filtered SUPERSEDED', async () => {
    const { out, drops } = await runStage(stage(), [
      result('r1', 'e1', '2023-01-10'), result('r2', 'e2', '2022-04-01'), result('r3', 'e1', '2024-05-01'),
      result('r4', 'e1', '2023-06-30'), result('r5', 'e3', '2021-12-31'),
    ]);
    expect(out.map((r) => [r.data.id, r.origin])).toEqual([['r3', 'input:3'], ['r2', 'input:2'], ['r5', 'input:5']]);
    expect(drops.map((d) => [(d.data as Row).id, d.kind, d.code, d.field])).toEqual([
      ['r1', 'filtered', 'SUPERSEDED', 'exam_date'], ['r4', 'filtered', 'SUPERSEDED', 'exam_date'],
    ]);
    expect(drops[1].message).toBe('exam_date 2023-06-30 is not the latest (2024-05-01)');
  });

  it('M-R3: equal dates keep the later one in input order; a result without a date loses to a dated one', async () => {
    const { out, drops } = await runStage(stage(), [
      result('r1', 'e1', '2024-05-01'), result('r2', 'e1', '2024-05-01'), result('r3', 'e2', '2024-01-01'), result('r4', 'e2', null),
    ]);
    expect(out.map((r) => r.data.id)).toEqual(['r2', 'r3']);
    expect(drops.map((d) => (d.data as Row).id)).toEqual(['r1', 'r4']);
  });

  it('a composite key keeps one record per combination; a custom code', async () => {
    const { out, drops } = await runStage(stage({ key: ['email', 'kind'], code: 'OLDER' }), [
      { email: 'a@x', kind: 'p', exam_date: '2024-01-01' }, { email: 'a@x', kind: 'q', exam_date: '2023-01-01' }, { email: 'a@x', kind: 'p', exam_date: '2025-01-01' },
    ]);
    expect(out.map((r) => [r.data.kind, r.data.exam_date])).toEqual([['p', '2025-01-01'], ['q', '2023-01-01']]);
    expect(drops.map((d) => d.code)).toEqual(['OLDER']);
  });
});
