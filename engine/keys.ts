import type { Row } from './types.ts';

/** The record's key as text (`a|b` for composite keys), '' when the pipeline declares none. */
export function keyOf(data: Row | string | undefined, key: string[]): string {
  if (!data || typeof data === 'string' || key.length === 0) return '';
  return key.map((k) => (data[k] == null ? '' : String(data[k]))).join('|');
}

/** A dropped record's key: from its data, or for raw input that could not be read whole, from the fields that were. */
export function dropKey(d: { data: Row | string | undefined; read?: Row }, key: string[]): string {
  return keyOf(typeof d.data === 'string' ? d.read : d.data, key);
}
