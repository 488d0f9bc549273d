/**
 * Transform `normalize`: puts declared fields into one form each (safe NFKC, katakana readings,
 * lower-case emails, ISO dates, clock times as minutes, one gender vocabulary). Blank values become
 * null; a value that cannot be read rejects the record naming the field and the value.
 */
import { z } from 'zod';
import { defineComponent, reject, type Rec, type Stage } from '../engine/types.ts';
import { cleanText, isBlank, toKanaReading } from './lib/japanese.ts';
import { parseDate, parseTime } from './lib/dates.ts';
import { FieldPresence } from '../engine/field-presence.ts';

export const NORMAL_FORMS = ['text', 'kana', 'email', 'date', 'time', 'gender', 'integer'] as const;
export type NormalForm = (typeof NORMAL_FORMS)[number];

const schema = z.strictObject({
  type: z.literal('normalize'),
  fields: z.record(z.string(), z.enum(NORMAL_FORMS)).describe(
    'Field → form. text: safe NFKC (full-width letters/digits → half-width, half-width kana → full-width) and whitespace trimmed/collapsed; ' +
    'kana: text, then hiragana → katakana, must be kana; email: trimmed, lower-cased; date: ISO YYYY-MM-DD from YYYY/M/D, YYYYMMDD, 令和6年4月1日, R6.4.1 …; ' +
    'time: minutes since the day began (25:30 → 1530); gender: male | female (男性/女性/男/女/M/F/1/2; 未選択/no_selected/0 → null); integer: a whole number.',
  ),
}).describe('Normalize field values to one form each; unreadable values reject the record.');

/** Returned by a normalizer for a value it cannot read. */
const BAD = Symbol('bad');
type Normalizer = (v: unknown) => unknown;

const GENDERS = new Map<string, string | null>([
  ['male', 'male'], ['m', 'male'], ['男', 'male'], ['男性', 'male'], ['1', 'male'],
  ['female', 'female'], ['f', 'female'], ['女', 'female'], ['女性', 'female'], ['2', 'female'],
  ['no_selected', null], ['未選択', null], ['0', null],
]);
const INTEGER = /^[+-]?\d+$/;
const THOUSANDS = /,/g;

const asText = (v: unknown): string | typeof BAD =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : BAD;

const NORMALIZERS: Record<NormalForm, Normalizer> = {
  text(v) { const s = asText(v); return s === BAD ? BAD : cleanText(s); },
  kana(v) { const s = asText(v); return s === BAD ? BAD : toKanaReading(s) ?? BAD; },
  email(v) { const s = asText(v); return s === BAD ? BAD : cleanText(s).toLowerCase(); },
  date(v) { return parseDate(v) ?? BAD; },
  time(v) { return parseTime(v) ?? BAD; },
  gender(v) {
    const s = asText(v);
    if (s === BAD) return BAD;
    const g = GENDERS.get(cleanText(s).toLowerCase());
    return g === undefined ? BAD : g;
  },
  integer(v) {
    if (typeof v === 'number') return Number.isSafeInteger(v) ? v : BAD;
    const s = asText(v);
    if (s === BAD) return BAD;
    const t = cleanText(s).replace(THOUSANDS, '');
    return INTEGER.test(t) && Number.isSafeInteger(+t) ? +t : BAD;
  },
};

const CODES: Record<NormalForm, string> = {
  text: 'INVALID_TEXT', kana: 'INVALID_KANA', email: 'INVALID_EMAIL', date: 'INVALID_DATE',
  time: 'INVALID_TIME', gender: 'INVALID_GENDER', integer: 'INVALID_INTEGER',
};
const WHAT: Record<NormalForm, string> = {
  text: 'text', kana: 'a kana reading', email: 'an email', date: 'a date', time: 'a clock time',
  gender: 'a gender', integer: 'a whole number',
};

export function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : JSON.stringify(v) ?? String(v);
}

/**
 * The stage core: normalizes the fields in place; on failure restores them and rejects.
 * The per-record function is generated once (one statement per field, field names only as JSON string
 * literals) so every normalizer call site is monomorphic and inlined, instead of one megamorphic loop.
 */
export function normalizeStage(fields: Record<string, NormalForm>): Stage {
  const names = Object.keys(fields);
  const forms = names.map((n) => fields[n]);
  const fns = forms.map((f) => NORMALIZERS[f]);
  const fail = (rec: Rec, i: number, before: unknown[]) => {
    // The error row must show the input as it came, not half-normalized.
    const d = rec.data;
    for (let j = 0; j < i; j++) if (before[j] !== undefined) d[names[j]] = before[j];
    return reject(rec, CODES[forms[i]], `${names[i]}: cannot read ${show(before[i])} as ${WHAT[forms[i]]}`, names[i]);
  };
  const lines = names.map((name, i) => {
    const k = JSON.stringify(name);
    const seen = Array.from({ length: i + 1 }, (_, j) => `b${j}`).join(', ');
    return `const b${i} = d[${k}]; if (B(b${i})) { if (b${i} !== undefined) d[${k}] = null; } ` +
      `else { const o = F[${i}](b${i}); if (o === BAD) return fail(rec, ${i}, [${seen}]); d[${k}] = o; }`;
  });
  const process = new Function('F', 'B', 'BAD', 'fail', `return (rec) => { const d = rec.data; ${lines.join(' ')} return rec; };`)(
    fns, isBlank, BAD, fail,
  ) as (rec: Rec) => Rec | ReturnType<typeof reject>;
  return { process };
}

export const normalize = defineComponent({
  type: 'normalize',
  description: 'Normalize declared fields (text, kana, email, date, time, gender, integer).',
  schema,
  create(options, ctx): Stage {
    const core = normalizeStage(options.fields);
    const fast = core.process;
    const watch = new FieldPresence(Object.keys(options.fields), ctx, 'normalizes field');
    // The first records also tell whether each field exists; then the stage runs at full speed.
    const stage: Stage = {
      process(rec) {
        if (watch.see(rec.data)) stage.process = fast;
        return fast(rec);
      },
      flush() { watch.report(); return []; },
    };
    return stage;
  },
});
