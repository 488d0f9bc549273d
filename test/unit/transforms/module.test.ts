import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { moduleStage } from '../../../transforms/module.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import { ConfigError } from '../../../engine/errors.ts';

const ctx = makeCtx({ baseDir: path.join(import.meta.dirname, 'fixtures') });
const stage = (o: Record<string, unknown>) => moduleStage.create(moduleStage.schema.parse({ type: 'module', ...o }), ctx);

describe('module', () => {
  it('loads a .ts stage factory relative to the pipeline file and passes its options', async () => {
    const s = stage({ path: './split-names.ts', options: { copies: 2 } });
    const { out, drops } = await runStage(s, [{ full_name: '山田 太郎' }, { full_name: '山田' }]);
    expect(out.map((r) => r.data)).toEqual([{ last_name: '山田', first_name: '太郎' }, { last_name: '山田', first_name: '太郎' }]);
    expect(drops.map((d) => d.code)).toEqual(['NAME_UNSPLIT']);
    expect(s.expands).toBe(true);
  });
  it('a missing file or a module without a factory is a config error', async () => {
    await expect(stage({ path: './nope.ts' }).open!()).rejects.toBeInstanceOf(ConfigError);
    await expect(stage({ path: './no-factory.ts' }).open!()).rejects.toThrow(/no stage factory/);
  });
  it('only .ts/.js paths are accepted', () => {
    expect(() => moduleStage.schema.parse({ type: 'module', path: './x.yaml' })).toThrow();
  });
});
