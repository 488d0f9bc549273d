/**
 * What a JSON record must not carry into a run: nesting deeper than MAX_DEPTH (it would overflow the
 * stack of whatever serialises it later and fail the whole run) and a lone UTF-16 surrogate from a
 * `\ud800` escape (PostgreSQL and most targets would silently turn it into U+FFFD). Either rejects
 * that record alone, with a code.
 */
export const MAX_DEPTH = 64;

/** `String.prototype.isWellFormed` (Node 20; not in this TypeScript lib target). */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

export function jsonProblem(value: unknown): { code: string; message: string } | null {
  const stack: Array<[unknown, number, string]> = [[value, 0, '']];
  while (stack.length) {
    const [v, depth, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (!wellFormed(v)) return { code: 'JSON_LONE_SURROGATE', message: `${at || 'value'}: a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape) is not text; the record is not read` };
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) return { code: 'JSON_TOO_DEEP', message: `${at || 'value'}: nested more than ${MAX_DEPTH} levels deep; the record is not read` };
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, depth + 1, `${at}[${i}]`]));
    else for (const [k, x] of Object.entries(v)) stack.push([x, depth + 1, at ? `${at}.${k}` : k]);
  }
  return null;
}
