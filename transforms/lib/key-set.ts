/**
 * A set of strings kept off the JavaScript heap, for stages that must remember every key of a run
 * (dedupe keep-first). A `Set<string>` of a million keys is a million strings the garbage collector
 * traces on every full collection, and its growth rehashes them: in the full employee chain that was
 * 1.1 s of `Set.add` and most of 2 s of GC. Here a key is hashed once (32-bit FNV-1a, mixed; its low
 * bits pick the slot, all 32 screen the entries met), its code units are copied into an arena (one byte each when all are below 256),
 * and the open-addressing table holds numbers only. Exact: a hash match is confirmed by comparing the
 * stored code units with the key's (UTF-16, so keys that differ only in lone surrogates stay apart).
 */

const EMPTY = 0;

export class KeySet {
  /** Slot → entry number + 1 (0: empty). Capacity a power of two, at most half full. */
  private slots: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private starts: Float64Array;
  private lengths: Int32Array;
  private arena: Buffer;
  private used = 0;
  private count = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.hashes = new Int32Array(cap >> 1);
    this.starts = new Float64Array(cap >> 1);
    this.lengths = new Int32Array(cap >> 1);
    this.arena = Buffer.allocUnsafe(Math.max(1024, expected * 32));
  }

  get size(): number {
    return this.count;
  }

  /** Adds the key; true when it was not in the set yet. */
  add(key: string): boolean {
    let h = 0x811c9dc5 | 0;
    let wide = 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h = Math.imul(h ^ c, 0x01000193);
      wide |= c;
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    const { slots, mask, hashes } = this;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s];
      if (e === EMPTY) {
        this.insert(s, h, key, wide > 0xff);
        return true;
      }
      // The whole 32-bit hash (the slot uses its low bits) screens out most entries before a comparison.
      if (hashes[e - 1] === h && this.same(e - 1, key)) return false;
    }
  }

  /**
   * Whether entry e holds exactly `key`. A key whose code units are all below 256 (emails, codes) is
   * stored one byte a unit, any other two (UTF-16LE): `lengths` is the unit count, negative for two.
   * Keys stored narrow and wide never compare equal by mistake: a wide key has a unit ≥ 256 that no
   * narrow byte matches.
   */
  private same(e: number, key: string): boolean {
    const len = this.lengths[e];
    const start = this.starts[e];
    const a = this.arena;
    if (len >= 0) {
      if (len !== key.length) return false;
      for (let i = 0; i < len; i++) if (a[start + i] !== key.charCodeAt(i)) return false;
      return true;
    }
    if (-len !== key.length) return false;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (a[start + 2 * i] !== (c & 0xff) || a[start + 2 * i + 1] !== c >>> 8) return false;
    }
    return true;
  }

  private insert(slot: number, h: number, key: string, wide: boolean): void {
    const bytes = wide ? key.length * 2 : key.length;
    if (this.used + bytes > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + bytes));
      this.arena.copy(bigger, 0, 0, this.used);
      this.arena = bigger;
    }
    const e = this.count++;
    this.hashes[e] = h;
    this.starts[e] = this.used;
    this.lengths[e] = wide ? -key.length : key.length;
    // Code units written by hand: cheaper than a Buffer.write call for short keys.
    const a = this.arena;
    if (wide) {
      for (let i = 0, p = this.used; i < key.length; i++, p += 2) {
        const c = key.charCodeAt(i);
        a[p] = c & 0xff;
        a[p + 1] = c >>> 8;
      }
    } else {
      for (let i = 0, p = this.used; i < key.length; i++, p++) a[p] = key.charCodeAt(i);
    }
    this.used += bytes;
    this.slots[slot] = e + 1;
    if (this.count * 2 >= this.slots.length) this.grow();
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    for (let e = 0; e < this.count; e++) {
      let s = this.hashes[e] & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    const widen = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(cap >> 1); b.set(a); return b; };
    this.hashes = widen(this.hashes, (n) => new Int32Array(n));
    this.starts = widen(this.starts, (n) => new Float64Array(n));
    this.lengths = widen(this.lengths, (n) => new Int32Array(n));
    this.slots = slots;
    this.mask = mask;
  }

  clear(): void {
    this.slots.fill(0);
    this.count = 0;
    this.used = 0;
  }
}
