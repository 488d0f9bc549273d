import type { Row } from './types.ts';

/** The record's key as text (`a|b` for composite keys), '' when the pipeline declares none. */
export function keyOf(data: Row | string | undefined, key: string[]): string {
  if (!data || typeof data === 'string' || key.length === 0) return '';
  return key.map((k) => (data[k] == null ? '' : String(data[k]))).join('|');
}
