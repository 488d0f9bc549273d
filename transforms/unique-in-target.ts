/**
 * Transform `unique_in_target`: rejects a record whose `field` value the target already holds under
 * another identity — M-D5: a department name Mikiwame has under another code is `DEPT_NAME_CONFLICT`,
 * found in the plan by comparing with the target, not only when the API refuses. Values compare as
 * text; the target is read once when the stage opens, through any source config.
 */
import { z } from 'zod';
import { defineComponent, reject, type Rec, type Stage } from '../engine/types.ts';
import { canon, getter } from './lib/fields.ts';
import { readSource, sourceConfig } from './lib/source-ref.ts';

const schema = z.strictObject({
  type: z.literal('unique_in_target'),
  field: z.string().min(1).describe('The field that must be unique across identities, e.g. name.'),
  key: z.string().min(1).describe('The identity field, e.g. code (same name under the same code is no conflict).'),
  target: sourceConfig.describe('Any source config reading the target.'),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default('NAME_CONFLICT').describe('Rule code, e.g. DEPT_NAME_CONFLICT.'),
}).describe('Reject records whose value the target already holds under another identity (M-D5).');

export const uniqueInTarget = defineComponent({
  type: 'unique_in_target',
  description: 'Reject a record whose field value the target holds under another identity (name conflicts, M-D5).',
  schema,
  create(o, ctx): Stage {
    const byValue = new Map<string, string>();
    const gv = getter(o.field), gk = getter(o.key);
    return {
      async open() {
        await readSource(o.target, ctx, (t) => { const v = canon(gv(t.data)); if (v !== '' && !byValue.has(v)) byValue.set(v, canon(gk(t.data))); });
      },
      process(rec: Rec) {
        const v = canon(gv(rec.data));
        const holder = byValue.get(v);
        if (v === '' || holder === undefined || holder === canon(gk(rec.data))) return rec;
        return reject(rec, o.code, `${o.field} ${JSON.stringify(v)} is already used in the target by ${o.key} ${JSON.stringify(holder)}; not written`, o.field);
      },
    };
  },
});
