/**
 * PostgreSQL's COPY text format, both ways, for everything that speaks it: the postgres sink writes
 * it (sinks/pg-copy-text.ts) and reads back a held line when a row is refused (pg-segment-rows.ts),
 * the postgres source reads what `COPY … TO STDOUT` sends (sources/pg-copy-rows.ts), and the run
 * table takes its per-record errors by COPY (runs.ts). Fields are separated by tab, `\N` is NULL.
 */

/** Characters a value must escape: backslash, tab, newline, carriage return. */
export const COPY_SPECIAL = /[\\\t\n\r]/;
export const COPY_SPECIAL_G = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** The escape of one {@link COPY_SPECIAL} character (a `replace` callback). */
export const escapeCopyChar = (c: string): string => ESCAPES[c];

/** Escape a string for COPY text (the fast path returns it untouched). */
export function escapeText(s: string): string {
  return COPY_SPECIAL.test(s) ? s.replace(COPY_SPECIAL_G, escapeCopyChar) : s;
}

const ESC: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Undo COPY text escaping of one field: `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v`, octal and hex escapes. */
export function unescapeCopy(f: string): string {
  return f.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, c: string) => {
    if (c.length > 1 || /[0-7]/.test(c)) return String.fromCharCode(c[0] === 'x' ? parseInt(c.slice(1), 16) : parseInt(c, 8));
    return ESC[c] ?? c;
  });
}

/** One COPY text line (without its line end) → its fields, `\N` as null, escapes undone. */
export function copyFields(line: string): Array<string | null> {
  const fields: Array<string | null> = line.split('\t');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f.length >= 2 && f.charCodeAt(0) === 92 /* \ */) fields[i] = f === '\\N' ? null : unescapeCopy(f);
    else if (f.includes('\\')) fields[i] = unescapeCopy(f);
  }
  return fields;
}
