/**
 * Transform `match_policy`, after a diff stage: what a sync may do with what the diff found.
 * - A record the target does not have (`new`) is created only when the run matches by one of
 *   `create_for` (M-E6: by email yes, by employee number no); otherwise it is excluded `NO_MATCH` and
 *   listed (M-E6, M-R2: a result never creates an employee — `create_for: []`).
 * - A matched record is excluded and listed when a carried target field says so (`target_excludes`,
 *   M-R4: the employee opted out).
 * - `immutable` fields are never changed in the target (M-E11: the email): a difference in one is
 *   dropped from the changes and logged as a warning `EMAIL_IMMUTABLE` (key only, G6); a record whose
 *   only difference it was is unchanged with that code.
 */
import { z } from 'zod';
import { defineComponent, unchanged, type Ctx, type Rec, type Stage } from '../engine/types.ts';
import { keyOf } from '../engine/keys.ts';
import { excluded } from './lib/excluded.ts';

const code = z.string().regex(/^[A-Z][A-Z0-9_]*$/);
const schema = z.strictObject({
  type: z.literal('match_policy'),
  match_by: z.string().min(1).describe('The field records are matched by in this run, e.g. ${param.match_by}.'),
  create_for: z.array(z.string().min(1)).default([]).describe('Match fields with which unmatched records are created (M-E6: [email]); none = never create (M-R2).'),
  no_match_code: code.default('NO_MATCH'),
  immutable: z.array(z.string().min(1)).default([]).describe('Fields a sync never changes in the target (M-E11: [email]).'),
  immutable_code: code.default('EMAIL_IMMUTABLE'),
  target_excludes: z.array(z.strictObject({ field: z.string().min(1), equals: z.string(), code })).default([])
    .describe('Exclude a matched record when a field the diff carried from the target equals a value (M-R4: {field: opt_out, equals: 連携しない, code: OPTED_OUT}).'),
}).describe('Refuse creation unless matching by an allowed key (NO_MATCH); never change immutable fields (EMAIL_IMMUTABLE warning).');

export type MatchPolicyOptions = z.infer<typeof schema>;

export function matchPolicyStage(o: MatchPolicyOptions, ctx: Pick<Ctx, 'logger' | 'key'>): Stage {
  const create = o.create_for.includes(o.match_by);
  const immutable = new Set(o.immutable);
  let warned = 0;
  return {
    process(rec: Rec) {
      const m = rec.meta;
      if (!m) return rec;
      if (m.status === 'new') {
        return create ? rec : excluded(rec, o.no_match_code, `no target record has this ${o.match_by}; records are not created when matching by ${o.match_by}`, o.match_by);
      }
      for (const t of o.target_excludes) {
        if (String(m.target?.[t.field] ?? '') === t.equals) return excluded(rec, t.code, `excluded: the target's ${t.field} is ${t.equals}`, t.field);
      }
      const kept = (m.changes ?? []).filter((c) => !immutable.has(c.field));
      if (kept.length === (m.changes ?? []).length) return rec;
      const fields = (m.changes ?? []).filter((c) => immutable.has(c.field)).map((c) => c.field);
      warned++;
      ctx.logger.warn({ key: keyOf(rec.data, ctx.key), code: o.immutable_code, fields }, `${fields.join(', ')} differs from the target but is never changed by a sync`);
      if (kept.length === 0) return unchanged(rec, o.immutable_code, `${fields.join(', ')} differs from the target and is never changed by a sync (warning)`);
      m.changes = kept;
      return rec;
    },
    facts: () => (warned ? { [`warnings_${o.immutable_code}`]: warned } : {}),
  };
}

export const matchPolicy = defineComponent({
  type: 'match_policy',
  description: 'After diff: NO_MATCH unless creating is allowed for the match key; immutable fields never changed (warning).',
  schema,
  create(o, ctx): Stage {
    return matchPolicyStage(o, ctx);
  },
});
