/**
 * Transform `exclude`: records matching a condition are excluded with a reason code (e.g. OPTED_OUT,
 * M-E10) and *listed* — in the error file with outcome `excluded`, in the plan and the sync report —
 * rather than only counted (filter's `exclude` counts them).
 */
import { z } from 'zod';
import { defineComponent, type Rec, type Stage } from '../engine/types.ts';
import { compileCondition, conditionSchema, describeCondition, type Condition } from './lib/conditions.ts';
import { excluded } from './lib/excluded.ts';

const schema = z.strictObject({
  type: z.literal('exclude'),
  rules: z.array(z.strictObject({
    when: conditionSchema.describe('Condition on fields: {field, equals} | {field, in} | {field, empty} | {not} | {all} | {any}.'),
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).describe('Reason code, e.g. OPTED_OUT.'),
  })).min(1).describe('First matching rule excludes the record with its code.'),
}).describe('Exclude records by condition, each listed with its reason code (outcome excluded).');

export const exclude = defineComponent({
  type: 'exclude',
  description: 'Exclude records by condition and list each one with its reason code.',
  schema,
  create(o): Stage {
    const rules = o.rules.map((r) => ({ test: compileCondition(r.when), code: r.code, what: describeCondition(r.when as Condition) }));
    return {
      process(rec: Rec) {
        for (const r of rules) if (r.test(rec.data)) return excluded(rec, r.code, `excluded: ${r.what}`);
        return rec;
      },
    };
  },
});
