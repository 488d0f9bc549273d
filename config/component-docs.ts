/**
 * The component reference (docs/components.md), generated from the zod schemas of the registries:
 * every source, transform, sink and error sink with its options (type, default, required, what it
 * does) and a minimal example built from the required options. A test keeps the file current;
 * `renkei schema --component TYPE` prints one entry.
 */
import { z } from 'zod';
import { stringify } from 'yaml';
import { registries } from './registry.ts';
import type { Component } from '../engine/types.ts';

type Js = { type?: string | string[]; enum?: unknown[]; const?: unknown; default?: unknown; description?: string; items?: Js; properties?: Record<string, Js>; required?: string[]; anyOf?: Js[]; oneOf?: Js[] };

const SLOTS = [
  ['Sources', 'source', registries.sources],
  ['Transforms', 'transforms[]', registries.transforms],
  ['Sinks', 'sinks[]', registries.sinks],
  ['Error sinks', 'errors', registries.errorSinks],
] as const;

function typeText(p: Js): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  const alts = p.anyOf ?? p.oneOf;
  if (alts) return [...new Set(alts.map(typeText))].join(' or ');
  if (p.type === 'array') return `list of ${p.items ? typeText(p.items) : 'values'}`;
  if (Array.isArray(p.type)) return p.type.join(' or ');
  return p.type ?? 'value';
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A value for an option in the example: its default, first allowed value, or a placeholder. */
function sample(name: string, p: Js): unknown {
  if (p.default !== undefined) return p.default;
  if (p.const !== undefined) return p.const;
  if (p.enum?.length) return p.enum[0];
  const alts = p.anyOf ?? p.oneOf;
  if (alts?.length) return sample(name, alts[0]);
  switch (Array.isArray(p.type) ? p.type[0] : p.type) {
    case 'array': return [sample(name, p.items ?? {})];
    case 'integer': case 'number': return 1;
    case 'boolean': return true;
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const k of p.required ?? []) o[k] = sample(k, p.properties?.[k] ?? {});
      return o;
    }
    default: return `<${name}>`;
  }
}

export function componentDoc(c: Component<z.ZodObject<Record<string, z.ZodType>>, unknown>, slot: string): string {
  const js = z.toJSONSchema(c.schema, { io: 'input', unrepresentable: 'any' }) as Js;
  const props = Object.entries(js.properties ?? {}).filter(([k]) => k !== 'type');
  const required = new Set(js.required ?? []);
  const lines = [`### \`${c.type}\``, '', c.description, ''];
  if (props.length) {
    lines.push('| option | type | default | |', '|---|---|---|---|');
    for (const [k, p] of props) {
      const dflt = p.default === undefined ? (required.has(k) ? '**required**' : '') : `\`${JSON.stringify(p.default)}\``;
      lines.push(`| \`${k}\` | ${cell(typeText(p))} | ${cell(dflt)} | ${cell(p.description ?? '')} |`);
    }
    lines.push('');
  }
  const example: Record<string, unknown> = { type: c.type };
  for (const k of js.required ?? []) if (k !== 'type') example[k] = sample(k, js.properties?.[k] ?? {});
  lines.push(`Example (the required options; in \`${slot}\`):`, '', '```yaml', stringify(example).trimEnd(), '```', '');
  return lines.join('\n');
}

/** The whole reference, as docs/components.md holds it. */
export function componentDocs(): string {
  const parts = ['# Component reference', '', 'Generated from the zod schemas of the registries (`renkei schema --docs > docs/components.md`); a test keeps it current. `renkei schema --component TYPE` prints one entry.', ''];
  for (const [title, slot, list] of SLOTS) {
    parts.push(`## ${title}`, '');
    for (const c of list as readonly Component<z.ZodObject<Record<string, z.ZodType>>, unknown>[]) parts.push(componentDoc(c, slot));
  }
  return parts.join('\n').trimEnd() + '\n';
}

/** One entry by type (the first registry that has it), or undefined. */
export function componentDocFor(type: string): string | undefined {
  for (const [, slot, list] of SLOTS) {
    const c = (list as readonly Component<z.ZodObject<Record<string, z.ZodType>>, unknown>[]).find((x) => x.type === type);
    if (c) return componentDoc(c, slot);
  }
  return undefined;
}

/** Every registered type, for "valid types" messages. */
export const componentTypes = (): string[] => SLOTS.flatMap(([, , list]) => (list as readonly { type: string }[]).map((c) => c.type));
