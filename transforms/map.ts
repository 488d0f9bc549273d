/**
 * Transform `map`: builds each output field from the input record with a declarative rule (rename or
 * copy with default, constant, lookup table with default, first element of an array, first non-empty
 * of several fields, comparison to a boolean, string template). Every rule reads the *input* record,
 * so renames never see each other's results. No code in YAML: use a `module` stage for the rest.
 */
import { z } from 'zod';
import { defineComponent, reject, type Rec, type Row, type Stage } from '../engine/types.ts';
import { getter, canon, type Getter } from './lib/fields.ts';
import { isBlank } from './lib/japanese.ts';
import { show } from './normalize.ts';

const path = z.string().min(1);
const ruleSchema = z.union([
  z.strictObject({
    from: path.describe('Copy this field (or dot path); renames when the output name differs.'),
    default: z.unknown().optional().describe('Value used when the field is blank.'),
  }),
  z.strictObject({ const: z.unknown().describe('A constant value for every record.') }),
  z.strictObject({
    lookup: path.describe('Field (or dot path) whose text is looked up in `table`.'),
    table: z.record(z.string(), z.unknown()).describe('Exact input text → output value.'),
    default: z.unknown().optional().describe('Value for text not in the table; without it such a record is rejected (UNMAPPED_VALUE). Blank input stays null.'),
  }),
  z.strictObject({
    first_of: path.describe('Array field: its first non-null element is used (M-E3).'),
    field: path.optional().describe('Field (or dot path) of that element to take, e.g. `code`.'),
  }),
  z.strictObject({
    first_non_empty: z.array(path).min(1).describe('The first of these fields that is not blank (e.g. business name before legal name, M-E2).'),
  }),
  z.strictObject({
    equals: z.tuple([path, z.unknown()]).describe('[field, value]: true when the field equals the value (compared as text), else false (M-E5).'),
  }),
  z.strictObject({
    template: z.string().describe('Text with {field} placeholders (dot paths allowed); blanks render as empty, an all-blank result is null.'),
  }),
]);
export type MapRule = z.infer<typeof ruleSchema>;

const schema = z.strictObject({
  type: z.literal('map'),
  fields: z.record(z.string(), ruleSchema).describe('Output field → rule. Output order follows this list.'),
  keep: z.boolean().default(false).describe('Also keep the input fields not produced by `fields` (produced fields win).'),
}).describe('Build output fields from input fields with declarative rules.');

/** A compiled rule: returns the value, or UNMAPPED with the offending text. */
const UNMAPPED = Symbol('unmapped');
type Compiled = (row: Row) => unknown;
const PLACEHOLDER = /\{([^{}]+)\}/g;

function compile(rule: MapRule): { fn: Compiled; src?: Getter; srcName?: string } {
  if ('from' in rule) {
    const g = getter(rule.from), def = rule.default ?? null;
    return { fn: (r) => { const v = g(r); return isBlank(v) ? def : v; } };
  }
  if ('const' in rule) { const c = rule.const; return { fn: () => c }; }
  if ('lookup' in rule) {
    const g = getter(rule.lookup);
    const table = new Map(Object.entries(rule.table));
    const hasDefault = 'default' in rule && rule.default !== undefined, def = rule.default;
    return {
      src: g, srcName: rule.lookup,
      fn: (r) => {
        const v = g(r);
        if (isBlank(v)) return null;
        const hit = table.get(canon(v));
        return hit !== undefined ? hit : hasDefault ? def : UNMAPPED;
      },
    };
  }
  if ('first_of' in rule) {
    const arr = getter(rule.first_of), sub = rule.field ? getter(rule.field) : null;
    return {
      fn: (r) => {
        const a = arr(r);
        if (!Array.isArray(a)) return isBlank(a) ? null : sub && typeof a === 'object' ? sub(a as Row) ?? null : a;
        // SmartHR may return null items in departments[] (apis.md); the first real one is 部署1.
        for (let i = 0; i < a.length; i++) {
          const e = a[i];
          if (e != null) return sub ? (typeof e === 'object' ? sub(e as Row) ?? null : null) : e;
        }
        return null;
      },
    };
  }
  if ('first_non_empty' in rule) {
    const gs = rule.first_non_empty.map(getter), n = gs.length;
    return { fn: (r) => { for (let i = 0; i < n; i++) { const v = gs[i](r); if (!isBlank(v)) return v; } return null; } };
  }
  if ('equals' in rule) {
    const g = getter(rule.equals[0]), want = canon(rule.equals[1]);
    return { fn: (r) => canon(g(r)) === want };
  }
  const parts: Array<string | Getter> = [];
  let last = 0;
  for (const m of rule.template.matchAll(PLACEHOLDER)) {
    parts.push(rule.template.slice(last, m.index), getter(m[1].trim()));
    last = m.index! + m[0].length;
  }
  parts.push(rule.template.slice(last));
  return {
    fn: (r) => {
      let s = '', any = false;
      for (const p of parts) {
        if (typeof p === 'string') { s += p; continue; }
        const v = p(r);
        if (!isBlank(v)) { any = true; s += canon(v); }
      }
      return any ? s.trim() : null;
    },
  };
}

/**
 * The output builder, generated once per stage: `(d) => ({ "姓": f[0](d), … })` with one call site per
 * field, so V8 inlines each rule and allocates the object from a literal (about 15× faster than
 * filling `{}` in a loop, where every call and store is megamorphic). Field names enter the code only
 * as JSON string literals. Returns the index of the field whose lookup failed, or the new record data.
 */
function buildOutput(names: string[], fns: Compiled[], mayFail: boolean[], keep: boolean): (d: Row) => Row | number {
  const lines: string[] = [];
  for (let i = 0; i < names.length; i++) {
    lines.push(`const v${i} = f[${i}](d);`);
    if (mayFail[i]) lines.push(`if (v${i} === U) return ${i};`);
  }
  // keep: the record's fields copied by one spread (V8 clones same-shaped objects at once; the
  // spread defines own data properties, so even a "__proto__" field is copied as data), then the rules' outputs.
  const out = keep
    ? `const o = { ...d }; ${names.map((n, i) => `o[${JSON.stringify(n)}] = v${i};`).join(' ')} return o;`
    : `return { ${names.map((n, i) => `${JSON.stringify(n)}: v${i}`).join(', ')} };`;
  const body = `return (d) => { ${lines.join(' ')} ${out} };`;
  return new Function('f', 'U', body)(fns, UNMAPPED) as (d: Row) => Row | number;
}

export function mapStage(fields: Record<string, MapRule>, keep: boolean): Stage {
  const names = Object.keys(fields);
  const compiled = names.map((n) => compile(fields[n]));
  const fns = compiled.map((c) => c.fn);
  const n = names.length;
  const failed = (rec: Rec, i: number) => {
    const c = compiled[i];
    return reject(rec, 'UNMAPPED_VALUE', `${names[i]}: ${c.srcName} value ${show(c.src!(rec.data))} is not in the lookup table`, c.srcName);
  };
  // An object literal key "__proto__" (or an assignment to it) would set the prototype: such configs take the plain loop.
  if (!names.includes('__proto__')) {
    const build = buildOutput(names, fns, compiled.map((c) => c.src !== undefined), keep);
    return {
      process(rec: Rec) {
        const out = build(rec.data);
        if (typeof out === 'number') return failed(rec, out);
        rec.data = out;
        return rec;
      },
    };
  }
  const put = (o: Row, k: string, v: unknown) => {
    if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    else o[k] = v;
  };
  return {
    process(rec: Rec) {
      const d = rec.data;
      const out: Row = {};
      if (keep) for (const k of Object.keys(d)) put(out, k, d[k]);
      for (let i = 0; i < n; i++) {
        const v = fns[i](d);
        if (v === UNMAPPED) return failed(rec, i);
        put(out, names[i], v);
      }
      rec.data = out;
      return rec;
    },
  };
}

export const map = defineComponent({
  type: 'map',
  description: 'Map input fields to output fields with declarative rules.',
  schema,
  create(options): Stage {
    return mapStage(options.fields, options.keep);
  },
});
