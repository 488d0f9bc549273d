/**
 * COPY TEXT encoding for the postgres sink: one record → one line, fields separated by tab, NULL as
 * `\N`, and backslash, tab, newline and carriage return escaped. Lines are gathered into ~64 KiB
 * chunks ({@link CopyChunker}) before writing: one stream write per row would cost a third of the main
 * thread (performance.md), so the per-row work is one small string and one copy into a slab.
 */
import type { Row } from '../engine/types.ts';
import { COPY_SPECIAL, COPY_SPECIAL_G, escapeCopyChar, escapeText } from '../db/copy-text.ts';

/** Column types the sink accepts (also used verbatim in CREATE TABLE, hence the allow-list). */
export const COLUMN_TYPES = [
  'text', 'varchar', 'integer', 'bigint', 'smallint', 'numeric', 'real', 'double precision',
  'boolean', 'date', 'timestamp', 'timestamptz', 'time', 'uuid', 'json', 'jsonb',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A column to load: its SQL name, type, and the record field it comes from. */
export interface CopyColumn { name: string; type: ColumnType; from: string }

/** A Date as a calendar date: UTC, because date-only values parse to UTC midnight in JavaScript. */
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Text for one non-string value. Strings take the inline fast path in {@link rowEncoder}; this covers
 * the rest. json/jsonb columns get every value as JSON (a string becomes a JSON string), so nothing
 * is ever guessed to be JSON text.
 */
function encodeValue(v: unknown, type: ColumnType): string {
  if (v === null || v === undefined) return '\\N';
  if (type === 'json' || type === 'jsonb') return escapeText(JSON.stringify(v instanceof Date ? v.toISOString() : v));
  switch (typeof v) {
    case 'string': return escapeText(v);
    case 'number': return String(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 't' : 'f';
    default:
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'invalid date' : type === 'date' ? isoDate(v) : v.toISOString();
      return escapeText(JSON.stringify(v));
  }
}

/**
 * Builds the line encoder for a column list: `(row, seq?) → 'a\tb\t\\N\n'`. When `withSeq` is set,
 * a last field carries the given sequence number (upsert keeps the latest duplicate by it).
 */
export function rowEncoder(columns: readonly CopyColumn[], withSeq = false): (row: Row, seq?: number) => string {
  const n = columns.length;
  const from = columns.map((c) => c.from);
  const types = columns.map((c) => c.type);
  const jsonCol = types.map((t) => t === 'json' || t === 'jsonb');
  return (row, seq) => {
    let line = '';
    for (let i = 0; i < n; i++) {
      const v = row[from[i]];
      if (i > 0) line += '\t';
      // Strings dominate (CSV input): inline them, unless the column wants JSON.
      if (typeof v === 'string' && !jsonCol[i]) line += COPY_SPECIAL.test(v) ? v.replace(COPY_SPECIAL_G, escapeCopyChar) : v;
      else line += encodeValue(v, types[i]);
    }
    return withSeq ? `${line}\t${seq ?? 0}\n` : line + '\n';
  };
}

/** Bytes gathered before a chunk is handed to the COPY stream. */
const CHUNK_BYTES = 64 * 1024;
const SLAB_BYTES = 1024 * 1024;

/**
 * Slabs of settled segments, handed to the next chunkers instead of new ones. A slab per segment
 * allocated 200 MB of buffers per million rows, freed only by full GCs: outside the heap it piled up
 * to ~40 MB before each one, most of the growth of peak memory from small loads to large ones.
 */
export class SlabPool {
  private readonly free: Buffer[] = [];

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
  }

  /** Slabs no chunk of which is still to be sent or read (their segment settled). */
  give(slabs: readonly Buffer[]): void {
    for (const slab of slabs) if (slab.length === SLAB_BYTES && this.free.length < 4 && !this.free.includes(slab)) this.free.push(slab);
  }
}

/**
 * Gathers encoded lines as UTF-8 in a 1 MiB slab and hands out chunks of ≥ 64 KiB (views into the
 * slab, never overwritten while its segment lives: a full slab is replaced, and reused only once its
 * segment settled, through a {@link SlabPool}). Writing each line into the slab is cheaper than
 * growing one big string, whose flattening costs more than the encoding itself.
 */
export class CopyChunker {
  private slab: Buffer;
  private start = 0;
  private off = 0;

  /** Where the last line added lies: its slab and byte range (slabs are never overwritten). */
  lastSlab: Buffer;
  lastStart = 0;
  lastEnd = 0;

  constructor(private readonly pool = new SlabPool()) {
    this.slab = this.lastSlab = pool.take();
  }

  /** Appends one line; returns a chunk to send when one is ready. */
  add(line: string): Buffer | undefined {
    const max = line.length * 3;
    let ready: Buffer | undefined;
    if (this.off + max > this.slab.length) {
      ready = this.take();
      this.slab = max > SLAB_BYTES ? Buffer.allocUnsafe(max) : this.pool.take();
      this.start = this.off = 0;
    }
    this.lastSlab = this.slab;
    this.lastStart = this.off;
    this.off += this.slab.write(line, this.off);
    this.lastEnd = this.off;
    return ready ?? (this.off - this.start >= CHUNK_BYTES ? this.take() : undefined);
  }

  /** Whatever is gathered and not yet handed out. */
  take(): Buffer | undefined {
    if (this.off === this.start) return undefined;
    const chunk = this.slab.subarray(this.start, this.off);
    this.start = this.off;
    return chunk;
  }
}
