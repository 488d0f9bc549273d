/**
 * A compact index of a target snapshot for diff: per key only a 64-bit hash of the compared fields
 * (two Uint32Arrays) and the position of the record in a temp NDJSON file; full values are read back
 * (positional read) only for records whose hash differs and for target records missing from the source.
 *
 * Memory per target record: one Map entry (the key text + ~40 bytes) + 21 bytes of typed arrays.
 * Everything else lives on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Row } from '../../engine/types.ts';

const CHUNK = 1 << 20;

/** Two independent 32-bit hashes (FNV-1a and a murmur-style mix) of a string, in one pass. */
export function hash64(s: string, out: Uint32Array): void {
  let h1 = 0x811c9dc5, h2 = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  out[0] = h1 >>> 0;
  out[1] = (h2 ^ (h2 >>> 15)) >>> 0;
}

export class TargetIndex {
  readonly keys = new Map<string, number>();
  private h1 = new Uint32Array(1024);
  private h2 = new Uint32Array(1024);
  private off = new Float64Array(1024);
  private len = new Uint32Array(1024);
  seen = new Uint8Array(1024);
  size = 0;
  private dir: string;
  private fd: number;
  /** Bytes already written to the file. */
  private written = 0;
  /** Lines not yet written, UTF-8-encoded straight into a Buffer (no string ropes; the byte length comes for free). */
  private wbuf = Buffer.allocUnsafe(CHUNK);
  private wpos = 0;
  private buf = Buffer.alloc(64 * 1024);

  constructor(tempDir = os.tmpdir()) {
    this.dir = fs.mkdtempSync(path.join(tempDir, 'renkei-diff-'));
    this.fd = fs.openSync(path.join(this.dir, 'target.ndjson'), 'w+');
  }

  private grow(): void {
    const n = this.h1.length * 2;
    const g = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, C: new (n: number) => T): T => { const b = new C(n); b.set(a); return b; };
    this.h1 = g(this.h1, Uint32Array); this.h2 = g(this.h2, Uint32Array);
    this.off = g(this.off, Float64Array); this.len = g(this.len, Uint32Array); this.seen = g(this.seen, Uint8Array);
  }

  /** Adds a target record; false when its key is already indexed (the first one wins). */
  add(key: string, hash: Uint32Array, origin: string, data: Row): boolean {
    if (this.keys.has(key)) return false;
    if (this.size === this.h1.length) this.grow();
    const i = this.size++;
    this.keys.set(key, i);
    this.h1[i] = hash[0]; this.h2[i] = hash[1];
    const line = JSON.stringify([origin, data]) + '\n';
    // A UTF-16 unit never takes more than 3 UTF-8 bytes: make room first.
    if (this.wpos + line.length * 3 > this.wbuf.length) {
      this.sync();
      if (line.length * 3 > this.wbuf.length) this.wbuf = Buffer.allocUnsafe(line.length * 3);
    }
    const bytes = this.wbuf.write(line, this.wpos, 'utf8');
    this.off[i] = this.written + this.wpos; this.len[i] = bytes;
    this.wpos += bytes;
    return true;
  }

  /** Writes buffered lines; call once the snapshot is loaded. */
  sync(): void {
    if (this.wpos) { fs.writeSync(this.fd, this.wbuf, 0, this.wpos, this.written); this.written += this.wpos; this.wpos = 0; }
  }

  /** The stored hash of record i as 16 hex digits (a fingerprint of its compared fields). */
  hashHex(i: number): string {
    return this.h1[i].toString(16).padStart(8, '0') + this.h2[i].toString(16).padStart(8, '0');
  }

  sameHash(i: number, hash: Uint32Array): boolean {
    return this.h1[i] === hash[0] && this.h2[i] === hash[1];
  }

  /** The target record at index i, read back from disk. */
  read(i: number): { origin: string; data: Row } {
    const n = this.len[i];
    if (n > this.buf.length) this.buf = Buffer.alloc(n);
    fs.readSync(this.fd, this.buf, 0, n, this.off[i]);
    const [origin, data] = JSON.parse(this.buf.toString('utf8', 0, n)) as [string, Row];
    return { origin, data };
  }

  dispose(): void {
    if (this.fd >= 0) { fs.closeSync(this.fd); this.fd = -1; }
    fs.rmSync(this.dir, { recursive: true, force: true });
    this.keys.clear();
  }
}
