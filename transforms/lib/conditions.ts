/**
 * Declarative conditions on record fields, compiled once into plain predicates:
 * `{ field, equals }`, `{ field, in: [...] }`, `{ field, empty: true|false }`, `{ not }`, `{ all }`, `{ any }`.
 * Values compare as text (blank = ''), so `1` and `"1"` are equal and null equals ''.
 */
import { z } from 'zod';
import type { Row } from '../../engine/types.ts';
import { canon, getter } from './fields.ts';

export type Condition =
  | { field: string; equals: unknown }
  | { field: string; in: unknown[] }
  | { field: string; empty: boolean }
  | { not: Condition }
  | { all: Condition[] }
  | { any: Condition[] };

const field = z.string().min(1).describe('Field name or dot path.');

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => z.union([
  z.strictObject({ field, equals: z.unknown().describe('True when the field equals this value (as text).') }),
  z.strictObject({ field, in: z.array(z.unknown()).min(1).describe('True when the field equals one of these values.') }),
  z.strictObject({ field, empty: z.boolean().describe('true: the field is blank; false: it has a value.') }),
  z.strictObject({ not: conditionSchema }).describe('not: true when the inner condition is false.'),
  z.strictObject({ all: z.array(conditionSchema).min(1).describe('True when every condition is true.') }),
  z.strictObject({ any: z.array(conditionSchema).min(1).describe('True when at least one condition is true.') }),
])) as z.ZodType<Condition>;

export type Predicate = (row: Row) => boolean;

export function compileCondition(c: Condition): Predicate {
  if ('not' in c) { const p = compileCondition(c.not); return (r) => !p(r); }
  if ('all' in c) {
    const ps = c.all.map(compileCondition), n = ps.length;
    return (r) => { for (let i = 0; i < n; i++) if (!ps[i](r)) return false; return true; };
  }
  if ('any' in c) {
    const ps = c.any.map(compileCondition), n = ps.length;
    return (r) => { for (let i = 0; i < n; i++) if (ps[i](r)) return true; return false; };
  }
  const g = getter(c.field);
  if ('equals' in c) { const want = canon(c.equals); return (r) => canon(g(r)) === want; }
  if ('in' in c) { const set = new Set(c.in.map(canon)); return (r) => set.has(canon(g(r))); }
  const empty = c.empty;
  return (r) => (canon(g(r)) === '') === empty;
}

/** Short description of a condition for messages (`ミキワメAI連携 = "連携しない"`). */
export function describeCondition(c: Condition): string {
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  if ('all' in c) return c.all.map(describeCondition).join(' and ');
  if ('any' in c) return c.any.map(describeCondition).join(' or ');
  if ('equals' in c) return `${c.field} = ${JSON.stringify(c.equals)}`;
  if ('in' in c) return `${c.field} in ${JSON.stringify(c.in)}`;
  return `${c.field} is ${c.empty ? 'blank' : 'not blank'}`;
}
