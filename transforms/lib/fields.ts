/** Field access compiled once: `employment_type.name` → a getter that walks plain objects. */
import type { Row } from '../../engine/types.ts';
import { isBlank } from './japanese.ts';

export type Getter = (row: Row) => unknown;

/** A getter for a field name or a dot path into nested objects (a missing step yields undefined). */
export function getter(path: string): Getter {
  if (!path.includes('.')) return (row) => row[path];
  const parts = path.split('.');
  const n = parts.length;
  return (row) => {
    let v: unknown = row;
    for (let i = 0; i < n; i++) {
      if (v == null || typeof v !== 'object') return undefined;
      v = (v as Row)[parts[i]];
    }
    return v;
  };
}

/**
 * The text a value compares as: blank → '' (null, undefined and '' are the same "no value"),
 * dates at local midnight as YYYY-MM-DD, other Dates as ISO instants, objects as JSON, everything else as String(). Used by filters, diff and dedupe keys.
 */
export function canon(v: unknown): string {
  if (isBlank(v)) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) {
    // node-postgres reads DATE columns as local midnight: compare those as the calendar day.
    if (v.getHours() === 0 && v.getMinutes() === 0 && v.getSeconds() === 0 && v.getMilliseconds() === 0) {
      return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
    }
    return v.toISOString();
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The key text of a record for the given getters (`a\u0000b` for composite keys). */
export function keyText(getters: Getter[], row: Row): string {
  if (getters.length === 1) return canon(getters[0](row));
  let k = canon(getters[0](row));
  for (let i = 1; i < getters.length; i++) k += '\u0000' + canon(getters[i](row));
  return k;
}
