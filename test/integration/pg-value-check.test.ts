/**
 * The postgres sink's type checks refuse only what PostgreSQL itself refuses: every value the checker
 * refuses is refused by the server too (asked with a cast), and every value it lets through that the
 * server accepts still loads. Values in forms the checker does not know are left to the server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { valueChecker } from '../../sinks/pg-value-check.ts';
import type { ColumnType } from '../../sinks/pg-copy-text.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
beforeAll(async () => { db = await freshDb(); });

const checkOf = (type: ColumnType) => {
  const c = valueChecker([{ name: 'c', type, from: 'v' }]);
  return (v: unknown) => c({ v })?.message ?? null;
};

async function serverAccepts(type: ColumnType, v: string): Promise<boolean> {
  try { await db.pool.query(`SELECT $1::${type}`, [v]); return true; } catch { return false; }
}

const SAMPLES: Partial<Record<ColumnType, string[]>> = {
  integer: ['1', ' 42 ', '-7', '+3', '1.5', 'abc', '', '2147483647', '2147483648', '-2147483649', '1e3', '０１', '1_000', '0x1F', '0b101', '\u30001', '\t5\n'],
  smallint: ['32767', '32768', '-32769', 'x'],
  bigint: ['9223372036854775807', '9223372036854775808', '12a'],
  numeric: ['1.50', '.5', '5.', '-1e-3', 'NaN', 'abc', '1,5', '', ' 2 ', '1_000.5', 'Infinity', '\u00a02'],
  real: ['1.5', 'Infinity', '-inf', 'nan', 'x', ''],
  boolean: ['t', 'TRUE', 'yes', 'on', '0', 'off', 'n', 'maybe', '2', '', 'o'],
  date: ['2026-02-28', '2026-02-29', '2024-02-29', '2026-13-01', '2026-04-31', '', ' 2026-01-01 ', '2026/04/01', 'Jan 8 1999', 'not a date'],
  timestamp: ['2026-01-01 10:00', '2026-01-01T24:00:00', '2026-01-01 25:00', '2026-02-30 10:00', '2026-01-01 10:61', ''],
  timestamptz: ['2026-01-01T10:00:00Z', '2026-01-01 10:00:00+09', '2026-01-01T10:00:00+09:00', '2026-02-30T00:00:00Z'],
  time: ['09:05', '24:00', '24:01', '25:30', '12:60', '', '7:05:09'],
  uuid: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'zzeebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
};

describe('postgres sink value checks', () => {
  it('refuse only what the server refuses (tricky samples of every checked type)', async () => {
    for (const [type, values] of Object.entries(SAMPLES) as Array<[ColumnType, string[]]>) {
      const check = checkOf(type);
      for (const v of values) {
        const local = check(v);
        const server = await serverAccepts(type, v);
        if (local) expect(server, `${type} ${JSON.stringify(v)}: refused locally (${local}) but the server accepts it`).toBe(false);
      }
    }
  });

  it('catch the common mistakes the issue names: letters in numbers, impossible dates, empty strings for dates', () => {
    expect(checkOf('integer')('abc')).toBe('invalid input syntax for type integer: "abc"');
    expect(checkOf('date')('2026-02-30')).toBe('date/time field value out of range: "2026-02-30"');
    expect(checkOf('date')('')).toBe('invalid input syntax for type date: ""');
    expect(checkOf('boolean')('maybe')).toBe('invalid input syntax for type boolean: "maybe"');
    expect(checkOf('integer')(1.5)).toBe('invalid input syntax for type integer: "1.5"');
    expect(checkOf('date')(new Date('x'))).toMatch(/invalid date value/);
    expect(checkOf('integer')(null)).toBeNull();
    expect(checkOf('jsonb')('not json')).toBeNull(); // encoded as a JSON string: always valid
  });

  it('property: integers and ISO dates — the checker agrees with the server', async () => {
    const int = checkOf('integer');
    await fc.assert(fc.asyncProperty(fc.oneof(fc.integer().map(String), fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }).map(String)), async (v) => {
      expect(int(v) === null).toBe(await serverAccepts('integer', v));
    }), { numRuns: 100 });
    // Any text: what the checker refuses, the server refuses.
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 6 }), async (v) => {
      if (int(v) !== null) expect(await serverAccepts('integer', v)).toBe(false);
    }), { numRuns: 150 });
    const date = checkOf('date');
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), async (y, m, d) => {
      const v = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      expect(date(v) === null).toBe(await serverAccepts('date', v));
    }), { numRuns: 150 });
  });
});
