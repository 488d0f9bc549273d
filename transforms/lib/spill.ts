/**
 * Keyed record buffer for stages that must see every record of a key before deciding (dedupe
 * `reject-all` / `keep-last`), with memory that does not grow with the input:
 *
 * - up to `threshold` records stay in memory (one part, input order);
 * - beyond it every record goes to one of `partitions` temp files chosen by a hash of its key, as a
 *   line `<key as JSON>\t[origin, data]\n` (the key also to a side file of keys only). All records
 *   of a key land in the same file, so each part can be decided alone: a first pass reads only the
 *   keys (one Map per part: keys / partitions entries), a second pass reads the records.
 *   Memory ≈ threshold records + keys of one part.
 *
 * Records read back went through JSON: Dates become ISO strings and undefined fields disappear
 * (records from CSV/JSON/HTTP sources are unaffected). Order: input order within a part; parts follow
 * each other.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Rec } from '../../engine/types.ts';

const CHUNK = 1 << 20;
const PART_BUFFER = 64 * 1024;

/** An append buffer for one file: text is UTF-8-encoded straight into a Buffer (no string ropes). */
class FileBuffer {
  private buf = Buffer.allocUnsafe(PART_BUFFER);
  private pos = 0;
  constructor(readonly fd: number) {}
  add(text: string): void {
    // A UTF-16 unit never takes more than 3 UTF-8 bytes: flush first when the text might not fit.
    if (this.pos + text.length * 3 > this.buf.length) {
      this.flush();
      if (text.length * 3 > this.buf.length) { fs.writeSync(this.fd, text); return; }
    }
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }
  flush(): void {
    if (this.pos) fs.writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
}

export interface Part {
  /** Keys of the part's records, in order (batched). Keys are comparable within one part only. */
  keys(): AsyncGenerator<string[]>;
  /** The part's records with their keys, in the same order (batched). */
  records(): AsyncGenerator<Array<{ key: string; rec: Rec }>>;
}

function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Reads a file line by line in 1 MiB chunks; `parse(buf, start, end)` turns a line into an item. */
async function* lineBatches<T>(file: string, parse: (buf: Buffer, start: number, end: number) => T, batch: number): AsyncGenerator<T[]> {
  const fh = await fs.promises.open(file, 'r');
  try {
    let buf = Buffer.alloc(CHUNK);
    let have = 0;
    let out: T[] = [];
    for (;;) {
      if (have === buf.length) { const bigger = Buffer.alloc(buf.length * 2); buf.copy(bigger, 0, 0, have); buf = bigger; }
      const { bytesRead } = await fh.read(buf, have, buf.length - have, null);
      if (bytesRead === 0) break;
      const end = have + bytesRead;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1 && nl < end; nl = buf.indexOf(10, start)) {
        out.push(parse(buf, start, nl));
        start = nl + 1;
      }
      buf.copy(buf, 0, start, end);
      have = end - start;
      if (out.length >= batch) { yield out; out = []; }
    }
    if (out.length) yield out;
  } finally {
    await fh.close();
  }
}

const TAB = 9;
// Keys are compared as the latin1 reading of their JSON bytes: unique per key, cheaper than UTF-8 decoding.
const keyLine = (buf: Buffer, start: number, end: number): string => buf.toString('latin1', start, end);
const recordOfLine = (buf: Buffer, start: number, end: number): { key: string; rec: Rec } => {
  const tab = buf.indexOf(TAB, start);
  const [origin, data] = JSON.parse(buf.toString('utf8', tab + 1, end)) as [string, Rec['data']];
  return { key: buf.toString('latin1', start, tab), rec: { origin, data } };
};

export class KeyedSpill {
  private memKeys: string[] = [];
  private memRecs: Rec[] = [];
  private dir = '';
  private out: FileBuffer[] = [];
  private keyOut: FileBuffer[] = [];
  /** Records written to disk so far (0 while everything fits in memory). */
  spilled = 0;

  constructor(private readonly threshold: number, private readonly tempDir = os.tmpdir(), private readonly partitions = 64) {}

  push(key: string, rec: Rec): void {
    if (!this.dir) {
      this.memKeys.push(key);
      this.memRecs.push(rec);
      if (this.memRecs.length <= this.threshold) return;
      this.dir = fs.mkdtempSync(path.join(this.tempDir, 'renkei-spill-'));
      for (let p = 0; p < this.partitions; p++) {
        this.out.push(new FileBuffer(fs.openSync(path.join(this.dir, `part-${p}.ndjson`), 'w')));
        this.keyOut.push(new FileBuffer(fs.openSync(path.join(this.dir, `part-${p}.keys`), 'w')));
      }
      for (let i = 0; i < this.memRecs.length; i++) this.append(this.memKeys[i], this.memRecs[i]);
      this.memKeys = [];
      this.memRecs = [];
      return;
    }
    this.append(key, rec);
  }

  private append(key: string, rec: Rec): void {
    const p = hashKey(key) % this.partitions;
    // The key as JSON never holds a raw tab or newline, so the first tab ends it. Keys also go to a
    // small side file, so the first pass at the end reads keys only.
    const k = JSON.stringify(key);
    this.out[p].add(k + '\t' + JSON.stringify([rec.origin, rec.data]) + '\n');
    this.keyOut[p].add(k + '\n');
    this.spilled++;
  }

  /** The buffered records, part by part; temp files are removed when the last part has been read. */
  async *parts(batch = 1000): AsyncGenerator<Part> {
    if (!this.dir) {
      const keys = this.memKeys, recs = this.memRecs;
      this.memKeys = []; this.memRecs = [];
      yield {
        async *keys() { for (let i = 0; i < keys.length; i += batch) yield keys.slice(i, i + batch); },
        async *records() {
          for (let i = 0; i < recs.length; i += batch) {
            const out: Array<{ key: string; rec: Rec }> = [];
            for (let j = i; j < Math.min(i + batch, recs.length); j++) out.push({ key: keys[j], rec: recs[j] });
            yield out;
          }
        },
      };
      return;
    }
    for (let p = 0; p < this.partitions; p++) {
      for (const b of [this.out[p], this.keyOut[p]]) { b.flush(); fs.closeSync(b.fd); }
    }
    this.out = []; this.keyOut = [];
    try {
      for (let p = 0; p < this.partitions; p++) {
        const file = path.join(this.dir, `part-${p}.ndjson`);
        const keyFile = path.join(this.dir, `part-${p}.keys`);
        yield {
          keys: () => lineBatches(keyFile, keyLine, batch),
          records: () => lineBatches(file, recordOfLine, batch),
        };
        fs.rmSync(file, { force: true });
        fs.rmSync(keyFile, { force: true });
      }
    } finally {
      this.dispose();
    }
  }

  /** Removes the temp files (safe to call twice; the runner calls close on failure too). */
  dispose(): void {
    for (const b of [...this.out, ...this.keyOut]) fs.closeSync(b.fd);
    this.out = []; this.keyOut = [];
    if (this.dir) { fs.rmSync(this.dir, { recursive: true, force: true }); this.dir = ''; }
    this.memKeys = []; this.memRecs = [];
  }
}
