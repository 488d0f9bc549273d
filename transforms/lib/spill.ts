/**
 * A record buffer that stays in memory up to a threshold and beyond it appends to a temporary file
 * (NDJSON, one `[origin, data]` per line), so stages that must hold records until end of input keep
 * memory bounded. Records read back from disk went through JSON: Dates become ISO strings and
 * undefined fields disappear (records from CSV/JSON/HTTP sources are unaffected).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Rec } from '../../engine/types.ts';

const CHUNK = 1 << 20;

export class Spill {
  private mem: Rec[] = [];
  private dir = '';
  private file = '';
  private fd = -1;
  private pending = '';
  /** Records spilled to disk so far (0 while everything fits in memory). */
  spilled = 0;

  constructor(private readonly threshold: number, private readonly tempDir = os.tmpdir(), private readonly label = 'spill') {}

  push(rec: Rec): void {
    if (this.fd < 0) {
      this.mem.push(rec);
      if (this.mem.length <= this.threshold) return;
      this.dir = fs.mkdtempSync(path.join(this.tempDir, `renkei-${this.label}-`));
      this.file = path.join(this.dir, 'records.ndjson');
      this.fd = fs.openSync(this.file, 'w');
      for (const r of this.mem) this.append(r);
      this.mem = [];
      return;
    }
    this.append(rec);
  }

  private append(rec: Rec): void {
    this.pending += JSON.stringify([rec.origin, rec.data]) + '\n';
    this.spilled++;
    if (this.pending.length >= CHUNK) { fs.writeSync(this.fd, this.pending); this.pending = ''; }
  }

  /**
   * Every record pushed, in order, in batches of about `batch` records; the buffer is empty
   * afterwards. Read back with plain chunked reads split at '\n' (one promise per batch, not per record).
   */
  async *drain(batch = 1000): AsyncGenerator<Rec[]> {
    if (this.fd < 0) {
      const mem = this.mem;
      this.mem = [];
      for (let i = 0; i < mem.length; i += batch) yield mem.slice(i, i + batch);
      return;
    }
    if (this.pending) fs.writeSync(this.fd, this.pending);
    this.pending = '';
    fs.closeSync(this.fd);
    this.fd = -1;
    const fh = await fs.promises.open(this.file, 'r');
    try {
      let buf = Buffer.alloc(CHUNK);
      let have = 0;
      let out: Rec[] = [];
      for (;;) {
        if (have === buf.length) { const bigger = Buffer.alloc(buf.length * 2); buf.copy(bigger, 0, 0, have); buf = bigger; }
        const { bytesRead } = await fh.read(buf, have, buf.length - have, null);
        if (bytesRead === 0) break;
        const end = have + bytesRead;
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl !== -1 && nl < end; nl = buf.indexOf(10, start)) {
          const [origin, data] = JSON.parse(buf.toString('utf8', start, nl)) as [string, Rec['data']];
          out.push({ origin, data });
          start = nl + 1;
        }
        buf.copy(buf, 0, start, end);
        have = end - start;
        if (out.length >= batch) { yield out; out = []; }
      }
      if (out.length) yield out;
    } finally {
      await fh.close();
      this.dispose();
    }
  }

  /** Removes the temporary file (safe to call twice; the runner calls close on failure too). */
  dispose(): void {
    if (this.fd >= 0) { fs.closeSync(this.fd); this.fd = -1; }
    if (this.dir) { fs.rmSync(this.dir, { recursive: true, force: true }); this.dir = ''; }
    this.mem = [];
  }
}
