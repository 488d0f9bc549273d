/**
 * Transform `validate`: checks fields against rules in order; the first failure rejects the record
 * with the rule's code (M-E7: MISSING_NAME, MISSING_KANA, MISSING_EMAIL; M-E8: UNKNOWN_DEPARTMENT via
 * `in_source`, a set of values read through any source config when the stage opens; `schema`: a per-field
 * zod check from a JSON Schema fragment, compiled once). Checks other than
 * `required` pass blank values (a blank department is allowed, M-E8).
 */
import { z } from 'zod';
import { defineComponent, reject, type Ctx, type Rec, type Row, type Stage } from '../engine/types.ts';
import { canon, getter } from './lib/fields.ts';
import { isBlank, isKatakana } from './lib/japanese.ts';
import { sourceConfig, readSource } from './lib/source-ref.ts';
import { show } from './normalize.ts';
import { ConfigError, errorMessage } from '../engine/errors.ts';

const fields = z.array(z.string().min(1)).min(1).describe('Fields (or dot paths) the check applies to.');
const code = (def: string) => z.string().regex(/^[A-Z][A-Z0-9_]*$/).default(def).describe(`Rule code of the rejection (default ${def}).`);

const ruleSchema = z.discriminatedUnion('check', [
  z.strictObject({ fields, check: z.literal('required').describe('The field has a non-blank value.'), code: code('REQUIRED') }),
  z.strictObject({ fields, check: z.literal('email').describe('Looks like an email address (one @, a dotted domain, no spaces).'), code: code('INVALID_EMAIL') }),
  z.strictObject({ fields, check: z.literal('date').describe('An ISO date YYYY-MM-DD that exists in the calendar.'), code: code('INVALID_DATE') }),
  z.strictObject({ fields, check: z.literal('katakana').describe('Full-width katakana only (ー ・ and spaces allowed).'), code: code('INVALID_KANA') }),
  z.strictObject({
    fields, check: z.literal('pattern').describe('The text matches a regular expression.'),
    pattern: z.string().describe('Regular expression (JavaScript syntax, anchored by you).'), code: code('INVALID_FORMAT'),
  }),
  z.strictObject({
    fields, check: z.literal('in').describe('The value is one of a list.'),
    values: z.array(z.unknown()).min(1).describe('Allowed values (compared as text).'), code: code('NOT_ALLOWED'),
  }),
  z.strictObject({
    fields, check: z.literal('length').describe('Text length in characters (code points) within bounds.'),
    min: z.int().min(0).optional().describe('Minimum length.'), max: z.int().min(0).optional().describe('Maximum length.'), code: code('INVALID_LENGTH'),
  }),
  z.strictObject({
    fields, check: z.literal('range').describe('A number within bounds.'),
    min: z.number().optional().describe('Minimum value.'), max: z.number().optional().describe('Maximum value.'), code: code('OUT_OF_RANGE'),
  }),
  z.strictObject({
    fields, check: z.literal('schema').describe('A zod check built from a JSON Schema fragment, e.g. {type: integer, minimum: 15}.'),
    schema: z.record(z.string(), z.unknown()).describe('JSON Schema for the value (type, pattern, minLength, minimum, enum, format …).'),
    code: code('INVALID_VALUE'),
  }),
  z.strictObject({
    fields, check: z.literal('in_source').describe('The value exists in another data set, e.g. the target\'s department codes (M-E8).'),
    source: sourceConfig.describe('Any source config; read once when the stage opens.'),
    source_field: z.string().min(1).describe('Field of the source records holding the allowed values.'),
    code: code('UNKNOWN_VALUE'),
  }),
]);
export type ValidateRule = z.infer<typeof ruleSchema>;

const schema = z.strictObject({
  type: z.literal('validate'),
  rules: z.array(ruleSchema).min(1).describe('Checks in order; the first failing one rejects the record with its code.'),
}).describe('Validate fields (required, formats, lists, lengths, ranges, lookups); failures reject the record.');

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const ISO = /^\d{4}-\d{2}-\d{2}$/;

type Test = (v: unknown) => boolean;
interface Compiled { fields: string[]; gets: Array<(r: Row) => unknown>; test: Test; required: boolean; code: string; what: string }

/** Loads the values of `field` from a source config (the component passes readSource; tests an array). */
export type SetLoader = (rule: Extract<ValidateRule, { check: 'in_source' }>) => Promise<Set<string>>;

function compile(rule: ValidateRule, sets: Map<ValidateRule, Set<string>>): Compiled {
  const base = { fields: rule.fields, gets: rule.fields.map(getter), required: rule.check === 'required', code: rule.code };
  switch (rule.check) {
    case 'required': return { ...base, test: () => true, what: 'is required' };
    case 'email': return { ...base, test: (v) => typeof v === 'string' && EMAIL.test(v), what: 'is not an email address' };
    case 'date': return { ...base, test: (v) => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v), what: 'is not an ISO date' };
    case 'katakana': return { ...base, test: (v) => typeof v === 'string' && isKatakana(v), what: 'is not katakana' };
    case 'pattern': { const re = new RegExp(rule.pattern, 'u'); return { ...base, test: (v) => re.test(canon(v)), what: `does not match ${rule.pattern}` }; }
    case 'in': { const s = new Set(rule.values.map(canon)); return { ...base, test: (v) => s.has(canon(v)), what: 'is not an allowed value' }; }
    case 'length': {
      const min = rule.min ?? 0, max = rule.max ?? Infinity;
      return { ...base, test: (v) => { const n = [...canon(v)].length; return n >= min && n <= max; }, what: `length is not within ${min}…${max}` };
    }
    case 'range': {
      const min = rule.min ?? -Infinity, max = rule.max ?? Infinity;
      return { ...base, test: (v) => { const n = typeof v === 'number' ? v : Number(canon(v)); return Number.isFinite(n) && n >= min && n <= max; }, what: `is not a number within ${min}…${max}` };
    }
    case 'schema': {
      const zs = jsonSchemaCheck(rule.schema);
      return { ...base, test: (v) => zs.safeParse(v).success, what: `does not satisfy ${JSON.stringify(rule.schema)}` };
    }
    case 'in_source': { const s = sets.get(rule)!; return { ...base, test: (v) => s.has(canon(v)), what: `does not exist in the ${rule.source.type} source (${rule.source_field})` }; }
  }
}

/** The JSON Schema fragment as a zod schema, compiled once; an unsupported fragment is a ConfigError. */
function jsonSchemaCheck(schema: Record<string, unknown>): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (e) {
    throw new ConfigError(`validate: unusable schema ${JSON.stringify(schema)}: ${errorMessage(e)}`);
  }
}

export function validateStage(rules: ValidateRule[], loadSet: SetLoader): Stage {
  let compiled: Compiled[] = [];
  const build = (sets: Map<ValidateRule, Set<string>>) => { compiled = rules.map((r) => compile(r, sets)); };
  const needsSets = rules.some((r) => r.check === 'in_source');
  if (!needsSets) build(new Map());
  return {
    async open() {
      if (!needsSets) return;
      const sets = new Map<ValidateRule, Set<string>>();
      for (const r of rules) if (r.check === 'in_source') sets.set(r, await loadSet(r));
      build(sets);
    },
    process(rec: Rec) {
      const d = rec.data;
      for (let i = 0; i < compiled.length; i++) {
        const c = compiled[i];
        for (let j = 0; j < c.gets.length; j++) {
          const v = c.gets[j](d);
          if (isBlank(v)) {
            if (c.required) return reject(rec, c.code, `${c.fields[j]} is required`, c.fields[j]);
            continue;
          }
          if (!c.test(v)) return reject(rec, c.code, `${c.fields[j]}: ${show(v)} ${c.what}`, c.fields[j]);
        }
      }
      return rec;
    },
  };
}

/** Reads the allowed values of an `in_source` rule through the registry (one Set of texts). */
export function sourceSetLoader(ctx: Ctx): SetLoader {
  return async (rule) => {
    const set = new Set<string>();
    const get = getter(rule.source_field);
    const bad = await readSource(rule.source, ctx, (rec) => { const v = get(rec.data); if (!isBlank(v)) set.add(canon(v)); });
    if (bad) ctx.logger.warn({ source: rule.source.type, unreadable: bad }, 'in_source: unreadable records in lookup source');
    return set;
  };
}

export const validate = defineComponent({
  type: 'validate',
  description: 'Validate fields; each failing record is rejected with its rule code.',
  schema,
  create(options, ctx): Stage {
    return validateStage(options.rules, sourceSetLoader(ctx));
  },
});
