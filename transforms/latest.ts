/**
 * Transform `latest`: of several records per key only the one with the greatest `by` value goes on
 * (M-R3: a person's latest personality result, by exam date); the others are filtered `SUPERSEDED`.
 * Ties keep the later one in input order. Holds one record per key until end of input.
 */
import { z } from 'zod';
import { defineComponent, filtered, type Drop, type Rec, type Stage } from '../engine/types.ts';
import { canon, getter, keyText } from './lib/fields.ts';

const schema = z.strictObject({
  type: z.literal('latest'),
  key: z.array(z.string().min(1)).min(1).describe('Fields identifying the person, e.g. [employee_id].'),
  by: z.string().min(1).describe('Field ordering the records (compared as text: ISO dates order correctly), e.g. exam_date.'),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default('SUPERSEDED'),
}).describe('Keep only the latest record per key (by a field); earlier ones are filtered.');

export const latest = defineComponent({
  type: 'latest',
  description: 'Keep only the latest record per key, ordered by a field (M-R3).',
  schema,
  create(o): Stage {
    const gets = o.key.map(getter), by = getter(o.by);
    const best = new Map<string, Rec>();
    const out: Array<Rec | Drop> = [];
    return {
      process(rec: Rec) {
        const k = keyText(gets, rec.data);
        const prev = best.get(k);
        if (!prev) { best.set(k, rec); return null; }
        const newer = canon(by(rec.data)) >= canon(by(prev.data));
        const [keep, drop] = newer ? [rec, prev] : [prev, rec];
        best.set(k, keep);
        out.push(filtered(drop, o.code, `${o.by} ${canon(by(drop.data))} is not the latest (${canon(by(keep.data))})`, o.by));
        return null;
      },
      flush() { const r = [...out, ...best.values()]; out.length = 0; best.clear(); return r; },
    };
  },
});
