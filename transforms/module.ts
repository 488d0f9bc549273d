/**
 * Transform `module`: what the declarative stages cannot say, in a TypeScript/JavaScript file next to
 * the pipeline. The file exports a stage factory as `default` (or `create`):
 * `(options, ctx) => Stage | Promise<Stage>`, with the same contract as every stage (process stays
 * per-record; bad records are Drops). Loaded when the stage opens; YAML itself never holds code.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { defineComponent, type Ctx, type Rec, type Stage } from '../engine/types.ts';
import { ConfigError, errorMessage } from '../engine/errors.ts';

const schema = z.strictObject({
  type: z.literal('module'),
  path: z.string().regex(/\.(m?[jt]s|cjs)$/, 'a .ts or .js file').describe('Module file exporting a stage factory (`default` or `create`); relative to the pipeline file.'),
  options: z.record(z.string(), z.unknown()).default({}).describe('Passed as-is to the factory as its first argument.'),
}).describe('Run a stage written in a TypeScript/JavaScript module.');

export type StageFactory = (options: Record<string, unknown>, ctx: Ctx) => Stage | Promise<Stage>;

/** Imports the module and builds its stage; a missing file or factory is a ConfigError. */
export async function loadModuleStage(file: string, options: Record<string, unknown>, ctx: Ctx): Promise<Stage> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`module ${file}: cannot load: ${errorMessage(e)}`);
  }
  const factory = (mod.default ?? mod.create) as StageFactory | undefined;
  if (typeof factory !== 'function') throw new ConfigError(`module ${file}: exports no stage factory (default or create)`);
  const stage = await factory(options, ctx);
  if (!stage || typeof stage.process !== 'function') throw new ConfigError(`module ${file}: the factory returned no stage with a process function`);
  return stage;
}

export const moduleStage = defineComponent({
  type: 'module',
  description: 'A stage loaded from a .ts/.js module (default export: stage factory).',
  schema,
  create(options, ctx): Stage {
    const file = path.resolve(ctx.baseDir, options.path);
    let inner: Stage | undefined;
    return {
      get expands() { return inner?.expands ?? false; },
      async open() {
        inner = await loadModuleStage(file, options.options, ctx);
        await inner.open?.();
      },
      process(rec: Rec) { return inner!.process(rec); },
      flush() { return inner!.flush?.() ?? []; },
      async close() { await inner?.close?.(); },
    };
  },
});
