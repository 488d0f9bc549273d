/**
 * The source half of the registry: the source config schema and factory, built from sources/index.ts
 * alone. Stages that embed a source config (diff's target, validate's `in_source`) import it from
 * here; config/registry.ts re-exports it. It must not import transforms/ (that would close an import
 * cycle through the stages that embed it).
 */
import type { z } from 'zod';
import { sources } from '../sources/index.ts';
import type { Ctx, Source } from '../engine/types.ts';
import { findComponent, unionOf, type ComponentConfig, type ConfigOf } from './components.ts';

/** A source config of any registered type (inferred from the source schemas). */
export type SourceConfig = ConfigOf<typeof sources>;

const schema = unionOf('source', sources);
export const sourceConfigSchema = (): z.ZodType<SourceConfig> => schema;

/** Takes any component config (not only a typed {@link SourceConfig}) so it fits `Ctx.createSource`. */
export const createSource = (cfg: ComponentConfig, ctx: Ctx): Source => findComponent('source', sources, cfg.type).create(cfg, ctx);
