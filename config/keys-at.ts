/**
 * The keys a zod object schema accepts at a path of a config, for "unknown key" messages that list
 * the valid ones. Component slots (a union on `type`) are resolved by the `type` the config gives.
 */
import type { z } from 'zod';

type Seg = string | number;
interface Def { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType; getter?: () => z.ZodType; valueType?: z.ZodType; value?: unknown; values?: unknown[] }

const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

function unwrap(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else break;
  }
  return s;
}

/** The union option whose `type` literal is `type` (component slots). */
function pick(options: z.ZodType[], type: unknown): z.ZodType | undefined {
  const objects = options.map(unwrap).filter((o) => defOf(o).type === 'object');
  const byType = objects.find((o) => {
    const t = defOf(o).shape?.type;
    if (!t) return false;
    const td = defOf(unwrap(t));
    return td.type === 'literal' && (td.values ?? [td.value]).includes(type);
  });
  return byType ?? (objects.length === 1 ? objects[0] : undefined);
}

/** Valid keys of the object at `path` in `raw` (validated by `schema`), or undefined when not known. */
export function keysAt(schema: z.ZodType, raw: unknown, path: readonly Seg[]): string[] | undefined {
  let s = unwrap(schema);
  let value: unknown = raw;
  for (let i = 0; i <= path.length; i++) {
    let d = defOf(s);
    if (d.type === 'union' && d.options) {
      const o = pick(d.options, (value as Record<string, unknown> | undefined)?.type);
      if (!o) return undefined;
      s = o;
      d = defOf(s);
    }
    if (i === path.length) return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
    const seg = path[i];
    if (d.type === 'object' && d.shape && typeof seg === 'string' && d.shape[seg]) s = unwrap(d.shape[seg]);
    else if (d.type === 'array' && d.element && typeof seg === 'number') s = unwrap(d.element);
    else if (d.type === 'record' && d.valueType) s = unwrap(d.valueType);
    else return undefined;
    value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
  }
  return undefined;
}
