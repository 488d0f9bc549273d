/**
 * The rows of a COPY segment, held until the server has confirmed it (pg-loader.ts), kept small: a
 * row is its origin and where its encoded line lies in the chunker's slabs (which are never
 * overwritten), not the record. Holding the records themselves — two segments of 5,000, each a row
 * object and 15 strings — kept ~15 MB alive across every young-generation GC, which then copied and
 * promoted them: a third of a plain load's CPU. A refused row's record is rebuilt from its line,
 * which is exact for records whose values are all strings or null and that carry only the loaded
 * fields (every CSV record loaded as is); any other record is kept as it is.
 */
import type { Rec, Row } from '../engine/types.ts';
import type { CopyChunker, CopyColumn, SlabPool } from './pg-copy-text.ts';
import { copyFields } from '../db/copy-text.ts';

export class SegmentRows {
  private readonly origins: string[] = [];
  /** Records that cannot be rebuilt from their line (see the header), by row. */
  private readonly kept = new Map<number, Rec>();
  private readonly slabs: Buffer[] = [];
  private slabOf: Int32Array;
  private startOf: Int32Array;
  private endOf: Int32Array;

  constructor(capacity: number, private readonly columns: readonly CopyColumn[], private readonly from: ReadonlySet<string>) {
    this.slabOf = new Int32Array(capacity);
    this.startOf = new Int32Array(capacity);
    this.endOf = new Int32Array(capacity);
  }

  get length(): number {
    return this.origins.length;
  }

  /** Records the row whose line the chunker has just added. */
  add(rec: Rec, chunker: CopyChunker): void {
    const i = this.origins.length;
    if (i === this.slabOf.length) this.grow();
    this.origins.push(rec.origin);
    if (this.slabs[this.slabs.length - 1] !== chunker.lastSlab) this.slabs.push(chunker.lastSlab);
    this.slabOf[i] = this.slabs.length - 1;
    this.startOf[i] = chunker.lastStart;
    this.endOf[i] = chunker.lastEnd;
    if (!this.rebuildable(rec.data)) this.kept.set(i, rec);
  }

  /** The segment settled: its slabs go back to `pool`, and its rows can no longer be read. */
  release(pool: SlabPool): void {
    pool.give(this.slabs);
    this.slabs.length = 0;
  }

  /** The encoded lines of rows [a, b), as few buffers as possible (rows of one slab are contiguous). */
  lines(a: number, b: number): Buffer[] {
    const out: Buffer[] = [];
    let i = a;
    while (i < b) {
      const slab = this.slabOf[i];
      const start = this.startOf[i];
      let j = i + 1;
      while (j < b && this.slabOf[j] === slab) j++;
      out.push(this.slabs[slab].subarray(start, this.endOf[j - 1]));
      i = j;
    }
    return out;
  }

  /** Row i's line as text, without its line end. */
  lineText(i: number): string {
    return this.slabs[this.slabOf[i]].toString('utf8', this.startOf[i], this.endOf[i] - 1);
  }

  /** Row i as a record: the one kept, or rebuilt from its line. */
  rec(i: number): Rec {
    const kept = this.kept.get(i);
    if (kept) return kept;
    const fields = copyFields(this.lineText(i));
    const data: Row = {};
    for (let c = 0; c < this.columns.length; c++) data[this.columns[c].from] = fields[c];
    return { origin: this.origins[i], data };
  }

  /** Values all strings or null, and exactly the loaded fields: the line gives the record back. */
  private rebuildable(data: Row): boolean {
    let n = 0;
    for (const k in data) {
      const v = data[k];
      if ((v !== null && typeof v !== 'string') || !this.from.has(k)) return false;
      n++;
    }
    return n === this.from.size;
  }

  private grow(): void {
    const size = this.slabOf.length * 2 || 16;
    const widen = (a: Int32Array) => { const b = new Int32Array(size); b.set(a); return b; };
    this.slabOf = widen(this.slabOf);
    this.startOf = widen(this.startOf);
    this.endOf = widen(this.endOf);
  }
}
