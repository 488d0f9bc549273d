/**
 * Pipeline parameters: a pipeline file declares `params:` (name → type, allowed values, default,
 * description, or just a list of allowed values), a run sets them with `--param name=value`, and the
 * file uses them as `${param.name}`. Defaults live in the declaration only (there is no
 * `${param.name:-x}`): one place to read what a parameter can be.
 */
import { z } from 'zod';

export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'date'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];
/** A parameter's value once checked against its type: dates stay `YYYY-MM-DD` text. */
export type ParamValue = string | number | boolean;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A declared parameter, normalised (the list shorthand becomes `{type, enum}`). */
export interface ParamDecl {
  type: ParamType;
  enum?: ParamValue[];
  default?: ParamValue;
  description?: string;
  /** Dates: the earliest allowed, absolute (YYYY-MM-DD) or relative to today (`-3y`, `-30d`). */
  min?: string;
  /** Dates: the latest allowed, absolute or relative to today (`+1y`). */
  max?: string;
  /** Dates: the time zone "today" is taken in (default Asia/Tokyo). */
  time_zone?: string;
}

/** A date bound: `YYYY-MM-DD`, or today ± N days / months / years (`-3y`, `+1y`, `-30d`, `today`). */
const RELATIVE = /^(today|[+-]\d+[dmy])$/;
const dateBound = z.string().refine((v) => RELATIVE.test(v) || isIsoDate(v), 'expected YYYY-MM-DD, today, or a relative bound such as -3y, +1y, -30d');

const declObject = z.strictObject({
  type: z.enum(PARAM_TYPES).describe('Type of the value: string, integer, number, boolean or date (YYYY-MM-DD).'),
  enum: z.array(scalar).min(1).optional().describe('Allowed values.'),
  default: scalar.optional().describe('Value when the run does not set it; without a default the parameter is required.'),
  description: z.string().optional().describe('What the parameter is for, for people.'),
  min: dateBound.optional().describe('Dates only: the earliest allowed value, YYYY-MM-DD or relative to today (-3y, -30d).'),
  max: dateBound.optional().describe('Dates only: the latest allowed value, YYYY-MM-DD or relative to today (+1y).'),
  time_zone: z.string().refine((tz) => { try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; } }, 'unknown time zone').optional()
    .describe('Dates only: the time zone of "today" (default Asia/Tokyo). A date parameter may default to, or be given as, today.'),
}).superRefine((d, ctx) => {
  for (const k of ['min', 'max', 'time_zone'] as const) {
    if (d[k] !== undefined && d.type !== 'date') ctx.addIssue({ code: 'custom', path: [k], message: `${k} applies to date parameters only` });
  }
  (d.enum ?? []).forEach((v, i) => {
    const c = coerceParam(d.type, v);
    if ('error' in c) ctx.addIssue({ code: 'custom', path: ['enum', i], message: `${c.error} (the type is ${d.type})` });
  });
  if (d.default !== undefined) {
    const c = checkParam(d as ParamDecl, d.default);
    if ('error' in c) ctx.addIssue({ code: 'custom', path: ['default'], message: c.error });
  }
});

/** A list of allowed values: a required parameter whose type follows the values (text unless all are numbers or booleans). */
const declList = z.array(scalar).min(1).transform((values): ParamDecl => {
  const type: ParamType = values.every((v) => typeof v === 'boolean') ? 'boolean'
    : values.every((v) => typeof v === 'number') ? (values.every((v) => Number.isInteger(v)) ? 'integer' : 'number')
      : 'string';
  return { type, enum: type === 'string' ? values.map(String) : values };
});

export const paramsSchema = z.record(
  z.string().regex(NAME, 'a parameter name is letters, digits and _ (not starting with a digit)'),
  z.union([declList, declObject]),
).describe('Parameters a run sets with --param name=value; the file uses them as ${param.name}.');

export type ParamsConfig = Record<string, ParamDecl>;

const badName = z.custom<ParamDecl>(() => false, { message: 'a parameter name is letters, digits and _ (not starting with a digit)' });

/** The schema one declaration is checked with: by its shape, so a mistake gets that shape's message (not "invalid union"). */
export function declSchemaFor(name: string, raw: unknown): z.ZodType<ParamDecl> {
  if (!NAME.test(name)) return badName;
  return Array.isArray(raw) ? declList : declObject;
}

/** A value (text from `--param`, or a YAML scalar from the file) as the declared type, or why it is not one. */
export function coerceParam(type: ParamType, raw: unknown): { value: ParamValue } | { error: string } {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  switch (type) {
    case 'string':
      return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? { value: String(raw) } : { error: 'not text' };
    case 'integer': {
      const n = typeof raw === 'number' ? raw : text !== undefined && /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(n) ? { value: n } : { error: `${show(raw)} is not an integer` };
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : text !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) ? { value: n } : { error: `${show(raw)} is not a number` };
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `${show(raw)} is not a boolean (true or false)` };
    case 'date':
      return text !== undefined && isIsoDate(text) ? { value: text } : { error: `${show(raw)} is not a date (YYYY-MM-DD, a day that exists)` };
  }
}

/** Today in `timeZone` as YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A date bound resolved against today: `-3y` → the same day three years back (29 Feb → 28 Feb). */
export function resolveDateBound(bound: string, today: string): string {
  if (bound === 'today') return today;
  const m = /^([+-]\d+)([dmy])$/.exec(bound);
  if (!m) return bound;
  const n = Number(m[1]);
  const [y, mo, d] = today.split('-').map(Number);
  if (m[2] === 'd') return new Date(Date.UTC(y, mo - 1, d + n)).toISOString().slice(0, 10);
  const months = m[2] === 'y' ? n * 12 : n;
  const last = new Date(Date.UTC(y, mo - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, mo - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
}

/** A value checked against a declaration: its type, its date range, then its allowed values. `now` resolves "today". */
export function checkParam(decl: ParamDecl, raw: unknown, now: Date = new Date()): { value: ParamValue } | { error: string } {
  const today = decl.type === 'date' ? todayIn(decl.time_zone ?? 'Asia/Tokyo', now) : '';
  const c = decl.type === 'date' && typeof raw === 'string' && raw.trim() === 'today' ? { value: today } : coerceParam(decl.type, raw);
  if ('value' in c && decl.type === 'date' && (decl.min !== undefined || decl.max !== undefined)) {
    const v = c.value as string;
    const from = decl.min === undefined ? undefined : resolveDateBound(decl.min, today);
    const to = decl.max === undefined ? undefined : resolveDateBound(decl.max, today);
    if ((from !== undefined && v < from) || (to !== undefined && v > to)) {
      return { error: `${v} is outside the allowed range ${from ?? '…'} … ${to ?? '…'} (${decl.min ?? ''}${decl.min && decl.max ? ' to ' : ''}${decl.max ?? ''} from today ${today}, ${decl.time_zone ?? 'Asia/Tokyo'})` };
    }
  }
  if ('error' in c || !decl.enum) return c;
  const allowed = decl.enum.map((v) => coerceParam(decl.type, v)).flatMap((a) => ('value' in a ? [a.value] : []));
  return allowed.includes(c.value) ? c : { error: `${show(raw)} is not one of the allowed values: ${allowed.map(show).join(', ')}` };
}

/** What a `--param` may be, for messages: the allowed values or the type. */
export function describeParam(decl: ParamDecl): string {
  return decl.enum ? `one of ${decl.enum.map(show).join(', ')}` : decl.type === 'date' ? `a date YYYY-MM-DD${decl.min || decl.max ? ` from ${decl.min ?? '…'} to ${decl.max ?? '…'} of today` : ''}` : `${decl.type === 'integer' ? 'an' : 'a'} ${decl.type}`;
}

/** `name=value` from the command line; the value is everything after the first `=`. */
export function splitParamArg(arg: string): { name: string; value: string } | undefined {
  const eq = arg.indexOf('=');
  if (eq <= 0) return undefined;
  return { name: arg.slice(0, eq).trim(), value: arg.slice(eq + 1) };
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}
