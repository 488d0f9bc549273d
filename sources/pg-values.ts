/**
 * PostgreSQL text-format values → JavaScript values for the `postgres` source, chosen per column from
 * the result's type OIDs (see {@link convertersFor}). Decided once, documented in the README:
 *
 * - smallint, integer, oid, real, double precision → number;
 * - bigint → number while it is a safe integer (|v| ≤ 2^53 − 1), otherwise the exact decimal string
 *   (a number would silently lose digits; the postgres sink takes both for a bigint column);
 * - numeric → string (exact: no float rounding of money or hours);
 * - boolean → true/false; json, jsonb → parsed;
 * - date → `YYYY-MM-DD`; timestamp → `YYYY-MM-DDTHH:MM:SS[.ffffff]`; timestamptz →
 *   `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (the session runs in UTC; `infinity` stays as text);
 * - arrays (any dimension) → arrays of their element type's values, NULL elements → null;
 * - domains → their base type; enums, text, uuid, time, interval, bytea (`\x…`) and the rest → string.
 *
 * The session must use `DateStyle = ISO, YMD` and `TimeZone = UTC` (the source sets both).
 */

export type Convert = (text: string) => unknown;

/** What pg_type says about a column type. */
export interface PgTypeInfo { oid: number; elem: number; base: number; category: string }

const SAFE = Number.MAX_SAFE_INTEGER;
const toNumber: Convert = (t) => Number(t);
const int8: Convert = (t) => {
  const n = Number(t);
  return n <= SAFE && n >= -SAFE ? n : t;
};
const bool: Convert = (t) => t === 't';
const json: Convert = (t) => JSON.parse(t);
const text: Convert = (t) => t;
const timestamp: Convert = (t) => (t.length > 10 && t.charCodeAt(10) === 32 ? t.slice(0, 10) + 'T' + t.slice(11) : t);
const timestamptz: Convert = (t) => {
  const s = timestamp(t) as string;
  // `2026-04-01T00:00:00+00` in a UTC session; other offsets (±HH, ±HH:MM, ±HH:MM:SS) padded to ±HH:MM.
  const m = /([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(s);
  if (!m || s.length < 19) return s;
  if (m[2] === '00' && !m[3] && !m[4]) return s.slice(0, m.index) + 'Z';
  return m[4] ? s : s.slice(0, m.index) + `${m[1]}${m[2]}:${m[3] ?? '00'}`;
};

const BY_OID: Record<number, Convert> = {
  16: bool, 20: int8, 21: toNumber, 23: toNumber, 26: toNumber, 700: toNumber, 701: toNumber,
  114: json, 3802: json, 1082: text, 1114: timestamp, 1184: timestamptz,
};

/** Converters for the columns of a result, given pg_type rows for their OIDs (and array element OIDs). */
export function convertersFor(oids: number[], types: Map<number, PgTypeInfo>): Convert[] {
  const one = (oid: number, depth = 0): Convert => {
    if (BY_OID[oid]) return BY_OID[oid];
    const t = types.get(oid);
    if (!t || depth > 4) return text;
    if (t.base) return one(t.base, depth + 1);
    if (t.category === 'A' && t.elem) {
      const el = one(t.elem, depth + 1);
      return (s) => parseArray(s, el);
    }
    return text;
  };
  return oids.map((o) => one(o));
}

/**
 * A PostgreSQL array literal (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`, `[0:1]={…}`) → nested
 * arrays, each element through `el`. Unquoted NULL is null; quoted "NULL" is the text NULL.
 */
export function parseArray(s: string, el: Convert): unknown[] {
  let i = s.charCodeAt(0) === 91 /* [ */ ? s.indexOf('=') + 1 : 0;
  const parse = (): unknown[] => {
    const out: unknown[] = [];
    i++; // {
    if (s[i] === '}') { i++; return out; }
    for (;;) {
      if (s[i] === '{') out.push(parse());
      else if (s[i] === '"') {
        let v = '';
        i++;
        while (s[i] !== '"') { if (s[i] === '\\') i++; v += s[i++]; }
        i++;
        out.push(el(v));
      } else {
        let j = i;
        while (s[j] !== ',' && s[j] !== '}') j++;
        const v = s.slice(i, j);
        i = j;
        out.push(v === 'NULL' ? null : el(v));
      }
      if (s[i] === ',') { i++; continue; }
      i++; // }
      return out;
    }
  };
  return parse();
}
