/**
 * Config schemas built from the component registries, and factories that turn a validated config
 * into a live component. The source half lives in config/sources.ts (stages that read through any
 * source import it from there); the runner hands `createSource` to stages through their ctx.
 */
import type { z } from 'zod';
import { sources } from '../sources/index.ts';
import { transforms } from '../transforms/index.ts';
import { errorSinks, sinks } from '../sinks/index.ts';
import type { Components, Ctx, ErrorSink, Sink, Stage } from '../engine/types.ts';
import { findComponent, unionOf, type ConfigOf } from './components.ts';
import { createSource } from './sources.ts';

export { createSource, sourceConfigSchema, type SourceConfig } from './sources.ts';
export { configOf, type ComponentConfig } from './components.ts';

/** A transform stage config of any registered type (inferred from the stage schemas). */
export type StageConfig = ConfigOf<typeof transforms>;
/** A sink config of any registered type. */
export type SinkConfig = ConfigOf<typeof sinks>;
/** An error sink config of any registered type. */
export type ErrorSinkConfig = ConfigOf<typeof errorSinks>;

const stageSchema = unionOf('transform', transforms);
const sinkSchema = unionOf('sink', sinks);
const errorSinkSchema = unionOf('error sink', errorSinks);
export const stageConfigSchema = (): z.ZodType<StageConfig> => stageSchema;
export const sinkConfigSchema = (): z.ZodType<SinkConfig> => sinkSchema;
export const errorSinkConfigSchema = (): z.ZodType<ErrorSinkConfig> => errorSinkSchema;

export const createStage = (cfg: StageConfig, ctx: Ctx): Stage => findComponent('transform', transforms, cfg.type).create(cfg, ctx);
export const createSink = (cfg: SinkConfig, ctx: Ctx): Sink => findComponent('sink', sinks, cfg.type).create(cfg, ctx);
export const createErrorSink = (cfg: ErrorSinkConfig, ctx: Ctx): ErrorSink => findComponent('error sink', errorSinks, cfg.type).create(cfg, ctx);

export const registries = { sources, transforms, sinks, errorSinks };

/** The factories the runner builds a pipeline's components with (engine/types.ts `Components`). */
export const components: Components = { createSource, createStage, createSink, createErrorSink };
