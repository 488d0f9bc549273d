/**
 * Turning a registry (an explicit list of components) into a config schema, a config type and a
 * factory lookup. Shared by the source half of the registry (config/sources.ts) and the rest
 * (config/registry.ts).
 */
import { z } from 'zod';
import type { Component } from '../engine/types.ts';
import { ConfigError } from '../engine/errors.ts';

/** What every component config has: its `type` name, and its options. */
export type ComponentConfig = { type: string } & Record<string, unknown>;

type AnyComponent = Component<any, unknown>;
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * The config type of a registry, inferred from its components' zod schemas: a union discriminated
 * on `type`. A registry typed as a plain `Component<any, …>[]` has erased its schemas; its configs
 * are then only known to be a {@link ComponentConfig} (declare the list `[…] as const satisfies
 * readonly XComponent[]` to keep them).
 */
export type ConfigOf<L extends readonly AnyComponent[]> =
  IsAny<L[number]['schema']> extends true ? ComponentConfig : z.output<L[number]['schema']>;

/** The config schema of a registry: a discriminated union on `type` (one schema alone when one is registered). */
export function unionOf<const L extends readonly AnyComponent[]>(kind: string, list: L): z.ZodType<ConfigOf<L>> {
  if (list.length === 0) return z.never().describe(`no ${kind} types registered`) as z.ZodType<never>;
  if (list.length === 1) return list[0].schema as z.ZodType<ConfigOf<L>>;
  const schemas = list.map((c) => c.schema) as [z.ZodObject<any>, z.ZodObject<any>, ...z.ZodObject<any>[]];
  return z.discriminatedUnion('type', schemas) as unknown as z.ZodType<ConfigOf<L>>;
}

/** The component registered under `type`; an unknown type is a ConfigError listing the valid ones. */
export function findComponent<T>(kind: string, list: readonly Component<any, T>[], type: string): Component<any, T> {
  const c = list.find((x) => x.type === type);
  if (!c) throw new ConfigError(`unknown ${kind} type "${type}"; valid: ${list.map((x) => x.type).join(', ')}`);
  return c;
}

/**
 * Narrows a validated component config to one component's options type, checking its `type`
 * (for callers that need one component's options, e.g. the demo reading its postgres sink's table).
 */
export function configOf<S extends z.ZodObject<any>>(component: Component<S, unknown>, cfg: ComponentConfig): z.output<S> | undefined {
  return cfg.type === component.type ? (cfg as z.output<S>) : undefined;
}
