/**
 * For stages that read a second input through ANY source config (diff's target snapshot, validate's
 * `in_source` lookups): the schema of that embedded config, and reading it.
 *
 * The schema comes from config/sources.ts, the source half of the registry, which does not import
 * transforms/ (no import cycle). The source itself is built with the `createSource` the runner puts in
 * the stage's ctx; a ctx built elsewhere (tests, apply's re-check) without one gets the registered sources.
 */
import type { z } from 'zod';
import { Drop, type Ctx, type Rec } from '../../engine/types.ts';
import { createSource, sourceConfigSchema, type SourceConfig } from '../../config/sources.ts';

/** A source config, validated against the registered source types. */
export const sourceConfig: z.ZodType<SourceConfig> = sourceConfigSchema();

/**
 * Reads every record of a source config, calling `each` per record; Drops (unparseable input) are
 * counted and returned so the caller can report them. Nothing is collected here: memory is the caller's.
 */
export async function readSource(cfg: SourceConfig, ctx: Ctx, each: (rec: Rec) => void): Promise<number> {
  const source = (ctx.createSource ?? createSource)(cfg, ctx);
  let bad = 0;
  try {
    for await (const batch of source.read()) {
      for (const item of batch) {
        if (item instanceof Drop) bad++;
        else each(item);
      }
    }
  } finally {
    await source.close?.();
  }
  return bad;
}
