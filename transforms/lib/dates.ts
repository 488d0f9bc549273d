/**
 * Dates and clock times as HR exports write them, read into one form each:
 * dates → ISO `YYYY-MM-DD`; clock times → minutes since the day began (`25:30` → 1530, so a night
 * shift ending after midnight stays on the day it began, as KING OF TIME records it).
 */
import { narrowNfkc } from './japanese.ts';

interface Era { name: string; letter: string; start: number; end: number; first: number }

// start/end as yyyymmdd numbers; `first` is the Gregorian year of the era's year 1 (元年).
const ERAS: Era[] = [
  { name: '明治', letter: 'M', start: 18681023, end: 19120729, first: 1868 },
  { name: '大正', letter: 'T', start: 19120730, end: 19261224, first: 1912 },
  { name: '昭和', letter: 'S', start: 19261225, end: 19890107, first: 1926 },
  { name: '平成', letter: 'H', start: 19890108, end: 20190430, first: 1989 },
  { name: '令和', letter: 'R', start: 20190501, end: 99991231, first: 2019 },
];
const ERA_BY_KEY = new Map<string, Era>();
for (const e of ERAS) { ERA_BY_KEY.set(e.name, e); ERA_BY_KEY.set(e.letter, e); ERA_BY_KEY.set(e.letter.toLowerCase(), e); }

const WESTERN = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const KANJI_WESTERN = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const ERA_KANJI = /^(明治|大正|昭和|平成|令和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日$/;
const ERA_LETTER = /^([MTSHRmtshr])(元|\d{1,2})[./-](\d{1,2})[./-](\d{1,2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const WS = /\s+/g;
const HAS_SPACE = /\s/;
const TOKYO_OFFSET_MS = 9 * 3600_000;

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

function daysIn(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** ISO text for a valid calendar date, else null. */
export function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

function fromEra(key: string, yy: string, m: number, d: number): string | null {
  const era = ERA_BY_KEY.get(key);
  if (!era) return null;
  const n = yy === '元' ? 1 : Number(yy);
  if (n < 1) return null;
  const y = era.first + n - 1;
  const iso = isoDate(y, m, d);
  const ymd = y * 10000 + m * 100 + d;
  // An era date outside the era (平成31年5月1日, 昭和64年1月8日) is a typo, not a date.
  return iso && ymd >= era.start && ymd <= era.end ? iso : null;
}

/** Calendar date of an instant in Asia/Tokyo (fixed +09:00, no DST). */
export function tokyoDate(t: Date): string {
  const j = new Date(t.getTime() + TOKYO_OFFSET_MS);
  return `${j.getUTCFullYear()}-${pad2(j.getUTCMonth() + 1)}-${pad2(j.getUTCDate())}`;
}

/**
 * Hand-rolled reader for the common ASCII forms (`2024-04-01`, `2024/4/1`, `2024.4.1`, `20240401`,
 * `R6.4.1`): the hot path of date normalization, no regex or intermediate strings. Returns undefined
 * for anything else, which then goes through the general reader.
 */
function asciiDate(s: string): string | null | undefined {
  const n = s.length;
  if (n < 5 || n > 10) return undefined;
  let i = 0, era: Era | undefined;
  const c0 = s.charCodeAt(0);
  if (c0 > 0x39) {
    era = ERA_BY_KEY.get(s[0]);
    if (!era) return undefined;
    i = 1;
  }
  // Three numeric groups in locals (no array per call): a.b.c with lengths la, lb, lc.
  let a = 0, b = 0, c = 0, la = 0, lb = 0, lc = 0, k = 0, sep = 0;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x30 && ch <= 0x39) {
      const d = ch - 0x30;
      if (k === 0) { a = a * 10 + d; la++; } else if (k === 1) { b = b * 10 + d; lb++; } else { c = c * 10 + d; lc++; }
      continue;
    }
    if (ch !== 0x2d && ch !== 0x2f && ch !== 0x2e) return undefined; // - / .
    if ((k === 0 ? la : lb) === 0 || k === 2) return undefined;
    if (sep === 0) sep = ch; else if (sep !== ch) return undefined;
    k++;
  }
  if (era) {
    if (k !== 2 || la === 0 || la > 2 || lb > 2 || lc === 0 || lc > 2) return undefined;
    return fromEra(s[0], String(a), b, c);
  }
  if (k === 0) return la === 8 ? isoDate(Math.floor(a / 10000), Math.floor(a / 100) % 100, a % 100) : undefined;
  if (k !== 2 || la !== 4 || lb > 2 || lc === 0 || lc > 2) return undefined;
  return isoDate(a, b, c);
}

/**
 * Reads a date written as `2024-04-01`, `2024/4/1`, `2024.4.1`, `20240401`, `2024年4月1日`,
 * `令和6年4月1日`, `令和元年5月1日`, `R6.4.1`, `H31/4/30`, or a timestamp (converted to its Tokyo date when
 * it carries an offset). Full-width digits are accepted. Returns ISO text, or null when unreadable.
 */
export function parseDate(v: unknown): string | null {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    // node-postgres returns DATE columns as local midnight: the local calendar day is the value.
    return isoDate(v.getFullYear(), v.getMonth() + 1, v.getDate());
  }
  if (typeof v !== 'string') return null;
  const fast = asciiDate(v);
  if (fast !== undefined) return fast;
  const narrow = narrowNfkc(v);
  let s = HAS_SPACE.test(narrow) ? narrow.replace(WS, '') : narrow;
  // Full-width digits and inner spaces are gone now: the common forms take the fast reader again.
  const again = s === v ? undefined : asciiDate(s);
  if (again !== undefined) return again;
  let m: RegExpExecArray | null;
  const c0 = s.charCodeAt(0);
  if (c0 >= 0x4e00) {
    if ((m = ERA_KANJI.exec(s))) return fromEra(m[1], m[2], +m[3], +m[4]);
    return null;
  }
  if ((m = KANJI_WESTERN.exec(s)) || (m = WESTERN.exec(s)) || (m = COMPACT.exec(s))) return isoDate(+m[1], +m[2], +m[3]);
  if ((m = ERA_LETTER.exec(s))) return fromEra(m[1], m[2], +m[3], +m[4]);
  s = narrow.trim();
  if ((m = DATETIME.exec(s))) {
    if (!m[6]) return isoDate(+m[1], +m[2], +m[3]);
    const t = new Date(s.replace(' ', 'T'));
    return Number.isNaN(t.getTime()) ? null : tokyoDate(t);
  }
  return null;
}

const HM = /^(翌)?(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const HM_KANJI = /^(翌)?(\d{1,2})時(?:(\d{1,2})分)?$/;

/** Latest clock time accepted: 47:59 (a shift may end on the next day, never two days later). */
export const MAX_MINUTES = 48 * 60 - 1;

/**
 * Reads a clock time (`8:30`, `08:30:00`, `25:30`, `翌1:30`, `8時30分`, full-width digits) as minutes
 * since the day began; a number is taken as minutes already. Seconds are dropped. Null when unreadable.
 */
export function parseTime(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= MAX_MINUTES ? v : null;
  if (typeof v !== 'string') return null;
  // Hot path: ASCII H:MM / HH:MM without regex or intermediate strings.
  const n = v.length;
  if ((n === 4 || n === 5) && v.charCodeAt(n - 3) === 0x3a) {
    const h1 = v.charCodeAt(0) - 0x30, h2 = n === 5 ? v.charCodeAt(1) - 0x30 : 0;
    const m1 = v.charCodeAt(n - 2) - 0x30, m2 = v.charCodeAt(n - 1) - 0x30;
    if (h1 >= 0 && h1 <= 9 && h2 >= 0 && h2 <= 9 && m1 >= 0 && m1 <= 5 && m2 >= 0 && m2 <= 9) {
      const total = (n === 5 ? h1 * 10 + h2 : h1) * 60 + m1 * 10 + m2;
      return total <= MAX_MINUTES ? total : null;
    }
  }
  const s = narrowNfkc(v).replace(WS, '');
  const m = HM.exec(s) ?? HM_KANJI.exec(s);
  if (!m) return null;
  const h = +m[2] + (m[1] ? 24 : 0);
  const min = m[3] === undefined ? 0 : +m[3];
  if (min > 59 || (m[4] !== undefined && +m[4] > 59)) return null;
  const total = h * 60 + min;
  return total <= MAX_MINUTES ? total : null;
}

/** Whole days between two ISO dates (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86_400_000);
}

/** ISO date shifted by whole years, clamped to the month's last day (2024-02-29 − 1y → 2023-02-28). */
export function addYears(iso: string, years: number): string {
  const y = +iso.slice(0, 4) + years, m = +iso.slice(5, 7);
  return isoDate(y, m, Math.min(+iso.slice(8, 10), daysIn(y, m)))!;
}
