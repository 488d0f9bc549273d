/**
 * Transform `dedupe`: one record per key (compare after normalize: keys match as text).
 *
 * - `keep-first` streams: later records with a seen key are excluded (code `code`).
 * - `keep-last` holds records until end of input; earlier ones are excluded.
 *   Excluded duplicates are filtered and *listed* (issue 10 item 5): each is a row of the error file
 *   with outcome `excluded`, an `excluded` candidate of a plan and an entry of the sync report.
 * - `reject-all` (M-E9) holds records until end of input; every record whose key occurs more than once
 *   is rejected, the first one included.
 *
 * Memory: keep-first keeps one Set entry per distinct key (the key text, ~70 bytes per key: 1M keys
 * ≈ 70 MB). keep-last and reject-all hold up to `spill_after` records in memory; beyond that records go
 * to temp files partitioned by key hash and each partition is decided alone at end of input
 * (lib/spill.ts), so memory stays near `spill_after` records + the keys of one partition (1/64), however
 * long the input. Records whose key is blank pass through untouched (validate `required` rejects them).
 */
import path from 'node:path';
import { z } from 'zod';
import { defineComponent, reject, type Ctx, type Drop, type Rec, type Stage } from '../engine/types.ts';
import { excluded } from './lib/excluded.ts';
import { getter, keyText } from './lib/fields.ts';
import { KeyedSpill } from './lib/spill.ts';
import { KeySet } from './lib/key-set.ts';

const schema = z.strictObject({
  type: z.literal('dedupe'),
  key: z.array(z.string().min(1)).min(1).describe('Fields (or dot paths) that together identify a record, e.g. [email].'),
  policy: z.enum(['keep-first', 'keep-last', 'reject-all']).default('keep-first').describe(
    'keep-first: later duplicates are excluded and listed (streams); keep-last: earlier duplicates are excluded and listed; reject-all: every record sharing a key is rejected (M-E9).',
  ),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default('DUPLICATE_KEY').describe('Rule code of dropped duplicates, e.g. DUPLICATE_EMAIL.'),
  spill_after: z.int().min(0).default(10_000).describe('keep-last/reject-all: records held in memory before the rest are spilled to a temp file.'),
  temp_dir: z.string().optional().describe('Directory for spill files (default: the OS temp dir). Relative to the pipeline file.'),
}).describe('Drop or reject records with duplicate keys.');

export type DedupeOptions = z.infer<typeof schema>;
const BATCH = 1000;

export function dedupeStage(o: DedupeOptions, tempDir?: string): Stage {
  const gets = o.key.map(getter);
  const keyName = o.key.join('+');
  const field = o.key.length === 1 ? o.key[0] : undefined;
  const show = (k: string) => JSON.stringify(k.replaceAll('\u0000', '|'));

  if (o.policy === 'keep-first') {
    // Every key of the run, off the JavaScript heap (see key-set.ts: a Set of a million strings cost
    // more than the rest of the stage in GC and rehashing).
    const seen = new KeySet();
    return {
      process(rec: Rec) {
        const k = keyText(gets, rec.data);
        if (k === '') return rec;
        if (seen.add(k)) return rec;
        return excluded(rec, o.code, `${keyName} ${show(k)} already seen (keep-first)`, field);
      },
      async close() { seen.clear(); },
    };
  }

  const keepLast = o.policy === 'keep-last';
  const held = new KeyedSpill(o.spill_after, tempDir);
  return {
    process(rec: Rec) {
      const k = keyText(gets, rec.data);
      if (k === '') return rec;
      held.push(k, rec);
      return null;
    },
    async *flush() {
      for await (const part of held.parts(BATCH)) {
        // keep-last: key → position of its last record in the part; reject-all: key → occurrences.
        const index = new Map<string, number>();
        let i = 0;
        for await (const keys of part.keys()) {
          for (const k of keys) { if (keepLast) index.set(k, i); else index.set(k, (index.get(k) ?? 0) + 1); i++; }
        }
        i = 0;
        for await (const items of part.records()) {
          const batch: Array<Rec | Drop> = new Array(items.length);
          for (let j = 0; j < items.length; j++, i++) {
            const { key, rec } = items[j];
            const n = index.get(key)!;
            if (keepLast) batch[j] = n === i ? rec : excluded(rec, o.code, `${keyName} ${show(keyText(gets, rec.data))} appears again later (keep-last)`, field);
            else batch[j] = n === 1 ? rec : reject(rec, o.code, `${keyName} ${show(keyText(gets, rec.data))} is shared by ${n} records`, field);
          }
          yield batch;
        }
      }
    },
    async close() { held.dispose(); },
  };
}

export const dedupe = defineComponent({
  type: 'dedupe',
  description: 'Deduplicate by key: keep-first, keep-last, or reject-all (every record sharing a key).',
  schema,
  create(options, ctx: Ctx): Stage {
    return dedupeStage(options, options.temp_dir === undefined ? undefined : path.resolve(ctx.baseDir, options.temp_dir));
  },
});
