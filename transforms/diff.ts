/**
 * Transform `diff`: compares the stream with a target snapshot read through ANY source config, by key,
 * on a list of fields (K5/K6). A record becomes `new` (rec.meta.status = 'new'), `changed` (meta
 * carries every differing field as old → new), or unchanged (an `unchanged` Drop: counted, not written).
 * Target records the stream never matched are emitted at end of input as *filtered* Drops with code
 * `MISSING_IN_SOURCE` — reported, never deleted by this stage.
 *
 * Values compare as text (lib/fields.ts canon: blank = null = '', 1 = "1", DATE columns as YYYY-MM-DD),
 * so run `normalize` on both sides' formats first. Memory for the target: see lib/target-index.ts
 * (per key a hash of the compared fields and a file offset; full values on disk). Target records whose
 * key is blank or repeated are not indexed (counted in a warning log line: counts only, no values);
 * those with a blank key are also a fact of the run (`target_blank_keys`: the count, and for the first
 * 1,000 their origin, `carry` fields and label) so the plan and the review page list them.
 */
import path from 'node:path';
import { z } from 'zod';
import { defineComponent, filtered, reject, unchanged, type Ctx, type Drop, type Rec, type Row, type Stage } from '../engine/types.ts';
import { canon, getter, keyText, type Getter } from './lib/fields.ts';
import { sourceConfig, readSource } from './lib/source-ref.ts';
import { hash64, TargetIndex } from './lib/target-index.ts';

const schema = z.strictObject({
  type: z.literal('diff'),
  key: z.array(z.string().min(1)).min(1).describe('Stream fields that identify a record on both sides, e.g. [emp_code] (K1).'),
  fields: z.array(z.string().min(1)).min(1).describe('Stream fields compared with the target (K6: name, gender, birth date, hire date, resign date, email).'),
  target: sourceConfig.describe('Any source config reading the target snapshot (SaaS API, Postgres table, file).'),
  target_fields: z.record(z.string(), z.string()).default({}).describe('Stream field → target field name, for key and compared fields named differently in the target.'),
  carry: z.array(z.string().min(1)).default([]).describe('Target fields copied into the record\'s `meta.target` when it is changed, e.g. [id] so a sink can PATCH the target record.'),
  label: z.array(z.string().min(1)).default([]).describe('Stream fields that tell a reviewer who a record is, e.g. [last_name, first_name, department]: `renkei plan` shows their values next to the key (terminal, review page) and keeps them in the plan (a private file, G6). Read from the target (through `target_fields`) for records missing in the source and for target records with a blank key. Never compared.'),
  temp_dir: z.string().optional().describe('Directory for the target snapshot file (default: the OS temp dir). Relative to the pipeline file.'),
}).describe('Classify records as new / changed / unchanged against a target snapshot; report target records missing from the stream.');

export type DiffOptions = z.infer<typeof schema>;
/** Feeds every target record to `each`; resolves to the number of unreadable target records. */
export type TargetReader = (each: (rec: Rec) => void) => Promise<number>;

const BATCH = 1000;
/** Blank-key target records listed one by one in the facts (the count is always complete). */
const BLANK_LISTED = 1000;

/** A label: the non-blank values of `fields` joined with a space; undefined when there is none. */
export function labelText(gets: Getter[], d: Row): string | undefined {
  let s = '';
  for (const g of gets) {
    const v = canon(g(d));
    if (v !== '') s = s === '' ? v : `${s} ${v}`;
  }
  return s === '' ? undefined : s;
}

/** A target record the diff could not index because its key is blank (see `BlankKeyTarget` in sync/plan.ts). */
interface BlankKeyRecord { origin?: string; identity?: Row; label?: string }
const SEP = '\u0000';

/** A diff stage that can also answer, after `open`, what the target holds for a key (apply's re-check). */
export interface DiffStage extends Stage {
  /** Fingerprint of the target record with this key (null when the target has none). */
  targetHash(key: string): string | null;
}

/**
 * Order-independent fingerprint of a target snapshot (sum of per-record key+hash hashes): a plan
 * stores it, so it can be matched to the target state it was computed against.
 */
function snapshotFingerprint(idx: TargetIndex): string {
  let a = 0, b = 0;
  const fh = new Uint32Array(2);
  for (const [k, i] of idx.keys) {
    hash64(k + SEP + idx.hashHex(i), fh);
    a = (a + fh[0]) >>> 0;
    b = (b + fh[1]) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

export function diffStage(o: Omit<DiffOptions, 'type' | 'target' | 'carry' | 'label'> & { carry?: string[]; label?: string[] }, readTarget: TargetReader, ctx: Pick<Ctx, 'logger'>, tempDir?: string): DiffStage {
  const fields = o.fields, n = fields.length;
  const keyGets = o.key.map(getter);
  const getsS = fields.map(getter);
  const tName = (f: string) => o.target_fields[f] ?? f;
  const keyGetsT = o.key.map((f) => getter(tName(f)));
  const getsT: Getter[] = fields.map((f) => getter(tName(f)));
  const keyFieldsT = o.key.map(tName), fieldsT = fields.map(tName);
  const h = new Uint32Array(2);
  const carry = o.carry ?? [];
  const labelT = (o.label ?? []).map(tName);
  const labelGetsT = labelT.map(getter);
  let index: TargetIndex | undefined;
  let blank = 0;
  let blankListed: BlankKeyRecord[] = [];

  const fieldText = (gets: Getter[], d: Row): string => {
    let s = canon(gets[0](d));
    for (let i = 1; i < n; i++) s += SEP + canon(gets[i](d));
    return s;
  };
  /** Enough to find a blank-key target record again, and no other values (G6). */
  const blankRecord = (t: Rec): BlankKeyRecord => {
    const r: BlankKeyRecord = {};
    if (t.origin !== undefined) r.origin = t.origin;
    if (carry.length) {
      r.identity = {};
      for (const f of carry) r.identity[f] = t.data[f] ?? null;
    }
    const label = labelText(labelGetsT, t.data);
    if (label !== undefined) r.label = label;
    return r;
  };
  /** Only the fields the pipeline reads are kept from the target (G6). */
  const project = (d: Row): Row => {
    const p: Row = {};
    for (const f of keyFieldsT) p[f] = d[f] ?? null;
    for (const f of fieldsT) p[f] = d[f] ?? null;
    for (const f of carry) p[f] = d[f] ?? null;
    for (const f of labelT) p[f] = d[f] ?? null;
    return p;
  };

  return {
    expands: true,
    async open() {
      const idx = index = new TargetIndex(tempDir);
      let repeated = 0;
      blank = 0;
      blankListed = [];
      const unreadable = await readTarget((t) => {
        const k = keyText(keyGetsT, t.data);
        if (k === '') {
          if (blank++ < BLANK_LISTED) blankListed.push(blankRecord(t));
          return;
        }
        hash64(fieldText(getsT, t.data), h);
        if (!idx.add(k, h, t.origin, project(t.data))) repeated++;
      });
      idx.sync();
      if (blank || repeated || unreadable) ctx.logger.warn({ blank_key: blank, repeated_key: repeated, unreadable }, 'diff: target records not indexed');
    },
    process(rec: Rec) {
      const idx = index!;
      const k = keyText(keyGets, rec.data);
      if (k === '') return reject(rec, 'MISSING_KEY', `${o.key.join('+')} is required to compare with the target`, o.key[0]);
      const i = idx.keys.get(k);
      if (i === undefined) { rec.meta = { status: 'new' }; return rec; }
      idx.seen[i] = 1;
      hash64(fieldText(getsS, rec.data), h);
      if (idx.sameHash(i, h)) return unchanged(rec);
      const t = idx.read(i).data;
      const changes: Array<{ field: string; old: unknown; new: unknown }> = [];
      for (let j = 0; j < n; j++) {
        const nv = getsS[j](rec.data), ov = getsT[j](t);
        if (canon(nv) !== canon(ov)) changes.push({ field: fields[j], old: ov ?? null, new: nv ?? null });
      }
      if (changes.length === 0) return unchanged(rec);
      const target: Row = {};
      for (const f of carry) target[f] = t[f] ?? null;
      rec.meta = { status: 'changed', changes, target, target_hash: idx.hashHex(i) };
      return rec;
    },
    async *flush() {
      const idx = index!;
      let batch: Array<Rec | Drop> = [];
      for (let i = 0; i < idx.size; i++) {
        if (idx.seen[i]) continue;
        const t = idx.read(i);
        const key = keyText(keyGetsT, t.data).replaceAll(SEP, '|');
        batch.push(filtered(t, 'MISSING_IN_SOURCE', `target record ${o.key.join('+')} ${JSON.stringify(key)} is not in the source (not deleted)`));
        if (batch.length >= BATCH) { yield batch; batch = []; }
      }
      if (batch.length) yield batch;
    },
    targetHash(key: string) {
      const i = index?.keys.get(key);
      return i === undefined ? null : index!.hashHex(i);
    },
    facts() {
      if (!index) return {};
      const f: Record<string, unknown> = { target_records: index.size, target_fingerprint: snapshotFingerprint(index) };
      if (blank) f.target_blank_keys = { count: blank, records: blankListed };
      return f;
    },
    async close() { index?.dispose(); index = undefined; },
  };
}

export const diff = defineComponent({
  type: 'diff',
  description: 'Compare with a target snapshot: new / changed (old → new) / unchanged; report target records missing from the source.',
  schema,
  create(options, ctx): Stage {
    const { target, ...rest } = options;
    const dir = options.temp_dir === undefined ? undefined : path.resolve(ctx.baseDir, options.temp_dir);
    return diffStage(rest, (each) => readSource(target, ctx, each), ctx, dir);
  },
});
