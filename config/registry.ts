/**
 * Config schemas built from the component registries, and factories that turn a validated config
 * into a live component. Components that embed another component's config (e.g. a diff stage reading
 * its target through any source) use `sourceConfigSchema()` and `createSource()` from here.
 */
import { z } from 'zod';
import { sources } from '../sources/index.ts';
import { transforms } from '../transforms/index.ts';
import { errorSinks, sinks } from '../sinks/index.ts';
import type { Component, Ctx, ErrorSink, Sink, Source, Stage } from '../engine/types.ts';
import { ConfigError } from '../engine/errors.ts';
import { provideSourceRegistry } from '../transforms/lib/source-ref.ts';

function union(kind: string, list: Component<any, unknown>[]): z.ZodType {
  if (list.length === 0) return z.never().describe(`no ${kind} types registered`);
  if (list.length === 1) return list[0].schema;
  return z.discriminatedUnion('type', list.map((c) => c.schema) as [z.ZodObject<any>, z.ZodObject<any>, ...z.ZodObject<any>[]]);
}

export const sourceConfigSchema = (): z.ZodType => union('source', sources);
export const stageConfigSchema = (): z.ZodType => union('transform', transforms);
export const sinkConfigSchema = (): z.ZodType => union('sink', sinks);
export const errorSinkConfigSchema = (): z.ZodType => union('error sink', errorSinks);

export type ComponentConfig = { type: string } & Record<string, unknown>;

function find<T>(kind: string, list: Component<any, T>[], type: string): Component<any, T> {
  const c = list.find((x) => x.type === type);
  if (!c) throw new ConfigError(`unknown ${kind} type "${type}"; valid: ${list.map((x) => x.type).join(', ')}`);
  return c;
}

export const createSource = (cfg: ComponentConfig, ctx: Ctx): Source => find('source', sources, cfg.type).create(cfg, ctx);
export const createStage = (cfg: ComponentConfig, ctx: Ctx): Stage => find('transform', transforms, cfg.type).create(cfg, ctx);
export const createSink = (cfg: ComponentConfig, ctx: Ctx): Sink => find('sink', sinks, cfg.type).create(cfg, ctx);
export const createErrorSink = (cfg: ComponentConfig, ctx: Ctx): ErrorSink => find('error sink', errorSinks, cfg.type).create(cfg, ctx);

export const registries = { sources, transforms, sinks, errorSinks };

// Stages that read through any source (diff target, lookups) get the registry without an import cycle.
provideSourceRegistry({ sourceConfigSchema, createSource });
