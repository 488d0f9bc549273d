/**
 * Transform `references_synced` (M-D7: departments are synced before the employees that refer to
 * them). Reads the target's values (Mikiwame's department codes) when the stage opens, lets every
 * record through, and at end of input refuses the whole run — before anything is written: in a sync
 * the plan fails and no apply follows — when the target lacks too many of the values the records
 * refer to:
 *
 * - the target has none at all while some record refers to one (nothing was synced), or
 * - more than `max_missing` distinct values are missing (default 3: a handful of new departments
 *   since the last department sync is M-E8's business, each employee excluded `UNKNOWN_DEPARTMENT`).
 *
 * The run fails (`DEPARTMENTS_NOT_SYNCED`, exit 1); the message names the missing values (up to 10)
 * and the pipeline to run first.
 */
import { z } from 'zod';
import { defineComponent, type Ctx, type Rec, type Stage } from '../engine/types.ts';
import { RenkeiError } from '../engine/errors.ts';
import { canon, getter } from './lib/fields.ts';
import { isBlank } from './lib/japanese.ts';
import { readSource, sourceConfig } from './lib/source-ref.ts';

const schema = z.strictObject({
  type: z.literal('references_synced'),
  field: z.string().min(1).describe('The record field that refers to the target, e.g. department_code.'),
  source: sourceConfig.describe('Where the target\'s values are read, e.g. a mikiwame.departments source.'),
  source_field: z.string().min(1).describe('The field of the source records holding the value, e.g. code.'),
  max_missing: z.int().min(0).default(3).describe('Distinct missing values tolerated (each record then goes on to its own check, M-E8); more refuses the run.'),
  run_first: z.string().min(1).describe('What to run first, named in the refusal, e.g. pipelines/smarthr-departments-to-mikiwame.yaml.'),
}).describe('Refuse the run when the target lacks the values records refer to (M-D7: departments synced first).');

export type ReferencesSyncedOptions = z.infer<typeof schema>;

/** `loadTarget` returns the target's values (canonical text); injected so the stage is tested on arrays. */
export function referencesSyncedStage(o: ReferencesSyncedOptions, loadTarget: () => Promise<Set<string>>): Stage {
  const get = getter(o.field);
  let target = new Set<string>();
  const missing = new Map<string, number>();
  return {
    async open() { target = await loadTarget(); },
    process(rec: Rec) {
      const v = get(rec.data);
      if (!isBlank(v) && !target.has(canon(v))) missing.set(canon(v), (missing.get(canon(v)) ?? 0) + 1);
      return rec;
    },
    // eslint-disable-next-line require-yield
    async *flush() {
      const none = target.size === 0 && missing.size > 0;
      if (!none && missing.size <= o.max_missing) return;
      const list = [...missing.keys()].slice(0, 10).join(', ') + (missing.size > 10 ? ', …' : '');
      const records = [...missing.values()].reduce((a, b) => a + b, 0);
      throw new RenkeiError('DEPARTMENTS_NOT_SYNCED', `M-D7: ${none ? 'the target has no' : `the target lacks ${missing.size}`} ${o.field} values that ${records} record(s) refer to (${list}; at most ${o.max_missing} may be missing): nothing was written. Run ${o.run_first} first, then this pipeline again.`);
    },
    facts: () => (missing.size ? { [`missing_${o.field}`]: missing.size } : {}),
  };
}

export const referencesSynced = defineComponent({
  type: 'references_synced',
  description: 'M-D7: refuse the run when the target lacks the departments (or other values) records refer to.',
  schema,
  create(o, ctx: Ctx): Stage {
    return referencesSyncedStage(o, async () => {
      const set = new Set<string>();
      const get = getter(o.source_field);
      await readSource(o.source, ctx, (rec) => { const v = get(rec.data); if (!isBlank(v)) set.add(canon(v)); });
      return set;
    });
  },
});
