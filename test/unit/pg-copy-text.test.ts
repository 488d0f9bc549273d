/** COPY TEXT lines: what the postgres sink writes, and the rows it rebuilds from them when the server refuses one. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CopyChunker, rowEncoder } from '../../sinks/pg-copy-text.ts';
import { copyFields } from '../../db/copy-text.ts';
import { SegmentRows } from '../../sinks/pg-segment-rows.ts';
import type { Rec, Row } from '../../engine/types.ts';

const columns = [
  { name: 'a', type: 'text' as const, from: 'a' },
  { name: 'b', type: 'text' as const, from: 'x' },
  { name: 'c', type: 'date' as const, from: 'c' },
];
const text = fc.oneof(fc.string(), fc.constantFrom('\\N', '\\', '\t', '\n', '\r\n', 'a\\tb', '山田\t太郎', ''));
const value = fc.option(text, { nil: null });

describe('COPY TEXT lines', () => {
  it('property: a line decodes back to the strings and nulls it was encoded from', () => {
    const encode = rowEncoder(columns);
    fc.assert(fc.property(value, value, value, (a, x, c) => {
      const line = encode({ a, x, c });
      expect(line.endsWith('\n')).toBe(true);
      expect(copyFields(line.slice(0, -1))).toEqual([a, x, c]);
    }));
  });

  it('a segment holds lines, not records: refused rows are rebuilt exactly; records with other values or fields are kept', () => {
    const encode = rowEncoder(columns, true);
    const chunker = new CopyChunker();
    const rows = new SegmentRows(2, columns, new Set(['a', 'x', 'c']));
    const recs: Rec[] = [
      { origin: 'in.csv:2', data: { a: 'E1', x: 'tab\there', c: null } },
      { origin: 'in.csv:3', data: { a: 'E2', x: 'back\\slash\nline', c: '2026-01-02' } },
      { origin: 'in.csv:4', data: { a: 'E3', x: 'y', c: '2026-01-03', extra: 'not loaded' } }, // another field: kept
      { origin: 'in.csv:5', data: { a: 'E4', x: 5, c: null } as Row }, // a number: kept
    ];
    const sent: Buffer[] = [];
    recs.forEach((r, i) => {
      const chunk = chunker.add(encode(r.data, i));
      if (chunk) sent.push(chunk);
      rows.add(r, chunker);
    });
    const rest = chunker.take();
    if (rest) sent.push(rest);
    expect(rows.length).toBe(4); // grew past its capacity of 2
    recs.forEach((r, i) => expect(rows.rec(i)).toEqual(r));
    expect(rows.rec(2)).toBe(recs[2]);
    expect(rows.rec(0)).not.toBe(recs[0]); // rebuilt, not held
    // The lines of a range are the bytes that were sent, the sequence column included.
    expect(Buffer.concat(rows.lines(1, 3)).toString()).toBe(encode(recs[1].data, 1) + encode(recs[2].data, 2));
    expect(Buffer.concat(rows.lines(0, 4)).equals(Buffer.concat(sent))).toBe(true);
  });
});
