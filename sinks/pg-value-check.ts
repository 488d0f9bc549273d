/**
 * Values checked against their column's type before they are sent, so a row the server would refuse
 * for its type costs nothing: without this, each bad value is found by splitting its COPY segment and
 * asking the server again (a round trip per split: a wrong column type on a large file ran for hours).
 *
 * A check refuses only what PostgreSQL certainly refuses, with the server's own wording
 * (`invalid input syntax for type integer: "abc"`). Input in a form the check does not know (dates
 * like `Jan 8 1999`, which depend on the server's DateStyle) is left to the server, whose refusals are
 * still isolated by bisection — as are constraints, triggers and lengths declared in the table.
 */
import type { Row } from '../engine/types.ts';
import type { ColumnType, CopyColumn } from './pg-copy-text.ts';

/** A value the column cannot take: which column (its record field) and why. */
export interface BadValue { column: string; field: string; message: string }

type Check = (v: unknown) => string | null;

const INT_RANGE: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
// PostgreSQL skips ASCII white space only around a value (C isspace), and since version 16 reads
// underscores between digits and 0x/0o/0b integers: those forms are accepted here and left to it.
const W = '[ \\t\\n\\r\\f\\v]*';
const rx = (body: string, flags = '') => new RegExp(`^${W}${body}${W}$`, flags);
const DECIMAL_INT = rx('([+-]?\\d+(?:_\\d+)*)');
const OTHER_INT = rx('[+-]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)');
const NUMERIC_TEXT = rx('[+-]?(\\d+(_\\d+)*(\\.(\\d+(_\\d+)*)?)?|\\.\\d+(_\\d+)*)([eE][+-]?\\d+)?');
const FLOAT_WORDS = rx('[+-]?(inf|infinity|nan)', 'i');
const BOOL_TEXT = rx('(t|tr|tru|true|y|ye|yes|on|1|f|fa|fal|fals|false|n|no|of|off|0)', 'i');
const ISO_DATE = rx('(\\d{4})-(\\d{2})-(\\d{2})');
const ISO_TS = rx('(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?)?[ ]*(?:Z|[+-]\\d{2}(?::?\\d{2})?)?', 'i');
const HMS = rx('(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?');
const BLANK = rx('');
const UUID_CHARS = /^[0-9a-f{}-]+$/i;

const syntax = (type: string, v: string) => `invalid input syntax for type ${type}: ${JSON.stringify(v)}`;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const dayValid = (y: number, m: number, d: number) => y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && leap(y) ? 29 : MONTH_DAYS[m - 1]);
const timeValid = (h: number, mi: number, s: number) => (h < 24 && mi < 60 && s < 60) || (h === 24 && mi === 0 && s === 0);

/** `s[from, to)` as a number when it is only ASCII digits, else -1 (the hot path: no regex, no allocation). */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function intCheck(type: 'smallint' | 'integer' | 'bigint'): Check {
  const [lo, hi] = INT_RANGE[type];
  const nlo = Number(lo), nhi = Number(hi);
  return (v) => {
    if (typeof v === 'string' && v.length > 0 && v.length <= 10) {
      const sign = v.charCodeAt(0) === 45 ? -1 : v.charCodeAt(0) === 43 ? 1 : 0;
      const n = sign !== 0 && v.length === 1 ? -1 : digits(v, sign === 0 ? 0 : 1, v.length);
      if (n >= 0) {
        const x = sign === -1 ? -n : n;
        return x >= nlo && x <= nhi ? null : `value "${v}" is out of range for type ${type}`;
      }
    }
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return syntax(type, String(v));
      return BigInt(v) < lo || BigInt(v) > hi ? `value "${v}" is out of range for type ${type}` : null;
    }
    if (typeof v !== 'string') return null;
    const m = DECIMAL_INT.exec(v);
    if (!m) return OTHER_INT.test(v) ? null : syntax(type, v);
    const text = m[1].includes('_') ? m[1].replaceAll('_', '') : m[1];
    // Up to 15 characters a double holds the value exactly; longer ones are compared as BigInt.
    const inRange = text.length <= 15 ? Number(text) >= Number(lo) && Number(text) <= Number(hi) : BigInt(text) >= lo && BigInt(text) <= hi;
    return inRange ? null : `value "${m[1]}" is out of range for type ${type}`;
  };
}

function dateCheck(type: 'date' | 'timestamp' | 'timestamptz'): Check {
  return (v) => {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? `invalid ${type} value (an invalid Date)` : null;
    if (typeof v !== 'string') return null;
    // The hot path: exactly YYYY-MM-DD.
    if (type === 'date' && v.length === 10 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45) {
      const y = digits(v, 0, 4), mo = digits(v, 5, 7), d = digits(v, 8, 10);
      if (y >= 0 && mo >= 0 && d >= 0) return dayValid(y, mo, d) ? null : `date/time field value out of range: ${JSON.stringify(v)}`;
    }
    if (BLANK.test(v)) return syntax(type === 'date' ? 'date' : `timestamp${type === 'timestamptz' ? ' with time zone' : ''}`, v);
    const m = (type === 'date' ? ISO_DATE : ISO_TS).exec(v);
    if (!m) return null; // another form (DateStyle-dependent): the server decides
    if (!dayValid(Number(m[1]), Number(m[2]), Number(m[3]))) return `date/time field value out of range: ${JSON.stringify(v)}`;
    if (m[4] !== undefined && !timeValid(Number(m[4]), Number(m[5]), Number(m[6] ?? 0))) return `date/time field value out of range: ${JSON.stringify(v)}`;
    return null;
  };
}

const CHECKS: Partial<Record<ColumnType, Check>> = {
  smallint: intCheck('smallint'),
  integer: intCheck('integer'),
  bigint: intCheck('bigint'),
  numeric: (v) => (typeof v === 'string' && !NUMERIC_TEXT.test(v) && !FLOAT_WORDS.test(v) ? syntax('numeric', v) : typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v) ? syntax('numeric', String(v)) : null),
  real: (v) => (typeof v === 'string' && !NUMERIC_TEXT.test(v) && !FLOAT_WORDS.test(v) ? syntax('real', v) : null),
  'double precision': (v) => (typeof v === 'string' && !NUMERIC_TEXT.test(v) && !FLOAT_WORDS.test(v) ? syntax('double precision', v) : null),
  boolean: (v) => (typeof v === 'string' && !BOOL_TEXT.test(v) ? syntax('boolean', v) : typeof v === 'number' && v !== 0 && v !== 1 ? syntax('boolean', String(v)) : null),
  date: dateCheck('date'),
  timestamp: dateCheck('timestamp'),
  timestamptz: dateCheck('timestamptz'),
  time: (v) => {
    if (typeof v !== 'string') return null;
    const m = HMS.exec(v);
    if (!m) return BLANK.test(v) ? syntax('time without time zone', v) : null;
    return timeValid(Number(m[1]), Number(m[2]), Number(m[3] ?? 0)) ? null : `date/time field value out of range: ${JSON.stringify(v)}`;
  },
  uuid: (v) => {
    if (typeof v !== 'string') return null;
    const hex = v.replace(/[{}-]/g, '');
    return !UUID_CHARS.test(v) || hex.length !== 32 || !/^[0-9a-f]+$/i.test(hex) ? syntax('uuid', v) : null;
  },
};

/**
 * Builds the checker for a column list: returns the first value the table certainly refuses, or null.
 * Nulls pass (NOT NULL is the table's business).
 */
export function valueChecker(columns: readonly CopyColumn[]): (row: Row) => BadValue | null {
  const cols = columns
    // text/varchar take any string (a NUL, which PostgreSQL refuses, is rare enough for the server to
    // find); json/jsonb values are always encoded as valid JSON.
    .map((c) => ({ c, check: CHECKS[c.type] ?? null }))
    .filter((x): x is { c: CopyColumn; check: Check } => x.check !== null);
  return (row) => {
    for (const { c, check } of cols) {
      const v = row[c.from];
      if (v === null || v === undefined) continue;
      const problem = check(v);
      if (problem) return { column: c.name, field: c.from, message: problem };
    }
    return null;
  };
}
