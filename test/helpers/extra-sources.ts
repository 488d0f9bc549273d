/**
 * A registry built for one test: the shipped sources plus extra ones that are not in sources/index.ts
 * (a fake API's list source). The pipeline is validated against the pipeline schema with its source
 * slot widened to those extra sources, and run with factories that know them (the runner's
 * `components` option). The shipped registries are left as they are.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { LoadedPipeline } from '../../config/load.ts';
import { components } from '../../config/registry.ts';
import { pipelineSchema, type PipelineConfig } from '../../config/schema.ts';
import type { Components, SourceComponent } from '../../engine/types.ts';

export function loadWithSources(text: string, file: string, extra: readonly [SourceComponent, ...SourceComponent[]]): LoadedPipeline {
  const sourceSchema = extra.length === 1
    ? extra[0].schema
    : z.discriminatedUnion('type', extra.map((c) => c.schema) as [z.ZodObject<any>, z.ZodObject<any>, ...z.ZodObject<any>[]]);
  const config = pipelineSchema().extend({ source: sourceSchema }).parse(parseYaml(text));
  const factories: Components = {
    ...components,
    createSource: (cfg, ctx) => extra.find((c) => c.type === cfg.type)?.create(cfg, ctx) ?? components.createSource(cfg, ctx),
  };
  return {
    file, baseDir: path.dirname(path.resolve(file)),
    // PipelineConfig types its source as the union of the shipped sources; this one is the test's.
    config: config as unknown as PipelineConfig,
    secrets: new Set(), hash: 'test', overrides: [], params: {}, paramArgs: [], components: factories,
  };
}
