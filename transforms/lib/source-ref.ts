/**
 * Late access to the source registry for stages that read a second input through ANY source config
 * (diff's target snapshot, validate's `in_source` lookups).
 *
 * Why not a static import: config/registry.ts imports transforms/index.ts, which imports these stages;
 * a static import back would make whichever module is loaded first see the other half-initialised
 * (a TDZ error in the registry array). Instead the registry hands itself over (provideSourceRegistry,
 * called by config/registry.ts as it loads), and a dynamic import makes sure it is loaded whatever the
 * entry point; schemas and factories only touch it later, at parse/open time.
 */
import { z } from 'zod';
import { RenkeiError } from '../../engine/errors.ts';
import { Drop, type Ctx, type Rec, type Source } from '../../engine/types.ts';

type SourceCfg = { type: string } & Record<string, unknown>;
/** What these stages need from config/registry.ts, which hands it over as it loads. */
export interface SourceRegistry { sourceConfigSchema: () => z.ZodType; createSource: (cfg: SourceCfg, ctx: Ctx) => Source }

let registry: SourceRegistry | undefined;
export function provideSourceRegistry(r: SourceRegistry): void { registry = r; }

// Whatever module was imported first, make sure the registry gets loaded (it then calls provideSourceRegistry).
let loadError: unknown;
const loading = import('../../config/registry.ts').then(() => undefined, (e: unknown) => { loadError = e; });

/** The source config schema (for `z.lazy`); available once the module graph has loaded. */
export function sourceSchema(): z.ZodType {
  if (!registry) throw new RenkeiError('INTERNAL', 'source registry not loaded yet: parse configs after imports settle', { cause: loadError });
  return registry.sourceConfigSchema();
}

/** A source config, validated against the registered source types. */
export const sourceConfig = z.lazy(() => sourceSchema()) as z.ZodType<SourceCfg>;

/**
 * Reads every record of a source config, calling `each` per record; Drops (unparseable input) are
 * counted and returned so the caller can report them. Nothing is collected here: memory is the caller's.
 */
export async function readSource(cfg: SourceCfg, ctx: Ctx, each: (rec: Rec) => void): Promise<number> {
  await loading;
  if (!registry) throw new RenkeiError('INTERNAL', 'source registry failed to load', { cause: loadError });
  const source = registry.createSource(cfg, ctx);
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
