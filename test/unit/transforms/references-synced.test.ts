import { describe, expect, it } from 'vitest';
import { referencesSynced, referencesSyncedStage } from '../../../transforms/references-synced.ts';
import { runStage } from '../../../engine/stage-harness.ts';

const opts = (o: Record<string, unknown> = {}) => referencesSynced.schema.parse({
  type: 'references_synced', field: 'department_code', source: { type: 'json', path: 'unused.json' }, source_field: 'code', run_first: 'pipelines/smarthr-departments-to-mikiwame.yaml', ...o,
});
const stage = (target: string[], o: Record<string, unknown> = {}) => referencesSyncedStage(opts(o), async () => new Set(target));
const rows = (codes: Array<string | null>) => codes.map((c, i) => ({ emp_code: `E${i}`, department_code: c }));

describe('references_synced', () => {
  it('M-D7: up to max_missing distinct missing departments pass every record on (M-E8 excludes them one by one)', async () => {
    const { out, drops } = await runStage(stage(['A1', 'A2']), rows(['A1', 'X1', 'X2', 'X3', 'X3', null, '']));
    expect(out).toHaveLength(7);
    expect(drops).toEqual([]);
  });
  it('M-D7: more than max_missing missing departments refuse the run and name the pipeline to run first', async () => {
    await expect(runStage(stage(['A1']), rows(['X1', 'X2', 'X3', 'X4', 'A1']))).rejects.toThrow(/lacks 4 department_code values that 4 record\(s\) refer to \(X1, X2, X3, X4[^)]*\).*smarthr-departments-to-mikiwame/);
    await expect(runStage(stage(['A1'], { max_missing: 0 }), rows(['X1']))).rejects.toMatchObject({ code: 'DEPARTMENTS_NOT_SYNCED' });
  });
  it('M-D7: a target with no departments at all refuses even one reference; blank departments never do', async () => {
    await expect(runStage(stage([]), rows(['X1']))).rejects.toThrow(/the target has no department_code values/);
    expect((await runStage(stage([]), rows([null, '']))).out).toHaveLength(2);
  });
});
