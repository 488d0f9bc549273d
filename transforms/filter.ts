/**
 * Transform `filter`: drops records that match an exclusion (e.g. opt-out by a field value, M-E10)
 * or are not employed on a reference date (K2/K3). Dropped records are *filtered* (counted with their
 * reason code), not rejected. A hire/resign date that cannot be read rejects the record.
 */
import { z } from 'zod';
import { excluded, defineComponent, reject, type Rec, type Stage } from '../engine/types.ts';
import { ConfigError } from '../engine/errors.ts';
import { addYears, parseDate, tokyoDate } from './lib/dates.ts';
import { compileCondition, conditionSchema, describeCondition, type Condition } from './lib/conditions.ts';
import { getter } from './lib/fields.ts';
import { isBlank } from './lib/japanese.ts';
import { show } from './normalize.ts';

const employedOn = z.strictObject({
  date: z.string().optional().describe('Reference date (基準日, any date form normalize reads); default today in Asia/Tokyo. Must lie from 3 years before to 1 year after today (K2).'),
  hired_field: z.string().default('entered_at').describe('Hire date field: hired after the reference date → filtered NOT_YET_HIRED. A blank hire date counts as hired.'),
  resigned_field: z.string().default('resigned_at').describe('Resignation date field: resigned before the reference date → filtered RESIGNED. Blank = not resigned.'),
  resign_day_employed: z.boolean().default(true).describe('Whether an employee whose resignation date IS the reference date still counts as employed (K3; seed 004 keeps them, seed 003 does not).'),
});

const schema = z.strictObject({
  type: z.literal('filter'),
  exclude: z.array(z.strictObject({
    when: conditionSchema.describe('Condition on fields: {field, equals} | {field, in} | {field, empty} | {not} | {all} | {any}.'),
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default('FILTERED').describe('Reason code counted in the report, e.g. OPTED_OUT.'),
  })).default([]).describe('Records matching a `when` are filtered with its code (first match wins).'),
  employed_on: employedOn.optional().describe('Keep only employees employed on a reference date (K2/K3).'),
}).describe('Filter records by conditions and by employment on a reference date.');

export type FilterOptions = z.infer<typeof schema>;

/** Resolves the reference date (K2): default today in Tokyo; outside [today − 3y, today + 1y] is a ConfigError. */
export function referenceDate(date: string | undefined, now: Date): string {
  const today = tokyoDate(now);
  if (date === undefined) return today;
  const iso = parseDate(date);
  if (!iso) throw new ConfigError(`employed_on.date: cannot read ${JSON.stringify(date)} as a date`);
  const from = addYears(today, -3), to = addYears(today, 1);
  if (iso < from || iso > to) {
    throw new ConfigError(`employed_on.date: reference date ${iso} is outside the allowed range ${from} … ${to} (3 years before to 1 year after today)`);
  }
  return iso;
}

export function filterStage(options: FilterOptions, now: Date): Stage {
  const rules = options.exclude.map((e) => ({ test: compileCondition(e.when), code: e.code, what: describeCondition(e.when as Condition) }));
  const nRules = rules.length;
  const emp = options.employed_on;
  const ref = emp ? referenceDate(emp.date, now) : '';
  const hired = emp ? getter(emp.hired_field) : null;
  const resigned = emp ? getter(emp.resigned_field) : null;
  const keepResignDay = emp?.resign_day_employed ?? true;
  return {
    process(rec: Rec) {
      const d = rec.data;
      for (let i = 0; i < nRules; i++) {
        const r = rules[i];
        if (r.test(d)) return excluded(rec, r.code, `excluded: ${r.what}`);
      }
      if (!emp) return rec;
      const h = hired!(d);
      if (!isBlank(h)) {
        const iso = parseDate(h);
        if (!iso) return reject(rec, 'INVALID_DATE', `${emp.hired_field}: cannot read ${show(h)} as a date`, emp.hired_field);
        if (iso > ref) return excluded(rec, 'NOT_YET_HIRED', `${emp.hired_field} ${iso} is after the reference date ${ref}`, emp.hired_field);
      }
      const q = resigned!(d);
      if (!isBlank(q)) {
        const iso = parseDate(q);
        if (!iso) return reject(rec, 'INVALID_DATE', `${emp.resigned_field}: cannot read ${show(q)} as a date`, emp.resigned_field);
        if (iso < ref || (iso === ref && !keepResignDay)) {
          return excluded(rec, 'RESIGNED', `${emp.resigned_field} ${iso} is ${iso === ref ? 'on' : 'before'} the reference date ${ref}`, emp.resigned_field);
        }
      }
      return rec;
    },
    facts: () => (emp ? { reference_date: ref } : {}),
  };
}

export const filter = defineComponent({
  type: 'filter',
  description: 'Filter records by field conditions (opt-out) and by employment on a reference date.',
  schema,
  create(options, ctx): Stage {
    return filterStage(options, ctx.now());
  },
});
