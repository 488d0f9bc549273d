/**
 * Late access to the source registry for stages that read a second input through ANY source config
 * (diff's target snapshot, validate's `in_source` lookups).
 *
 * Why not a static import: config/registry.ts imports transforms/index.ts, which imports these stages;
 * a static import back would make whichever module is loaded first see the other half-initialised
 * (a TDZ error in the registry array). The dynamic import below resolves once the graph has finished
 * evaluating, whatever the entry point; schemas and factories only touch it later, at parse/open time.
 */
import { z } from 'zod';
import type * as Registry from '../../config/registry.ts';
import { RenkeiError } from '../../engine/errors.ts';
import { Drop, type Ctx, type Rec } from '../../engine/types.ts';

let registry: typeof Registry | undefined;
const loading = import('../../config/registry.ts').then((m) => { registry = m; });

/** The source config schema (for `z.lazy`); available once the module graph has loaded. */
export function sourceSchema(): z.ZodType {
  if (!registry) throw new RenkeiError('INTERNAL', 'source registry not loaded yet: parse configs after imports settle');
  return registry.sourceConfigSchema();
}

/** A source config, validated against the registered source types. */
export const sourceConfig = z.lazy(() => sourceSchema()) as z.ZodType<{ type: string } & Record<string, unknown>>;

/**
 * Reads every record of a source config, calling `each` per record; Drops (unparseable input) are
 * counted and returned so the caller can report them. Nothing is collected here: memory is the caller's.
 */
export async function readSource(cfg: { type: string } & Record<string, unknown>, ctx: Ctx, each: (rec: Rec) => void): Promise<number> {
  await loading;
  const source = registry!.createSource(cfg, ctx);
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
