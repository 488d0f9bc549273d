/**
 * `COPY … TO STDOUT` text format → rows of fields, incrementally: chunks of bytes in (split anywhere,
 * even inside a UTF-8 character), arrays of `string | null` out, one array per row. Only the bytes of
 * the current incomplete row are kept between chunks. A newline byte never occurs inside a multi-byte
 * UTF-8 character and COPY escapes newlines inside values, so splitting on byte 0x0A is exact.
 *
 * Text format: fields separated by tab, rows ended by newline, `\N` is NULL, and in values COPY TO
 * writes `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v` (never octal or hex escapes; those are read too).
 */

const ESC: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Undo COPY text escaping of one field. */
export function unescapeCopy(f: string): string {
  return f.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, c: string) => {
    if (c.length > 1 || /[0-7]/.test(c)) return String.fromCharCode(c[0] === 'x' ? parseInt(c.slice(1), 16) : parseInt(c, 8));
    return ESC[c] ?? c;
  });
}

/** Splits COPY text chunks into rows; `push` each chunk, then `end()`. */
export class CopyTextRows {
  private pending: Buffer[] = [];

  /** The complete rows in this chunk (and the rest held from earlier chunks). */
  push(chunk: Buffer): Array<Array<string | null>> {
    const nl = chunk.lastIndexOf(10);
    if (nl === -1) { this.pending.push(chunk); return []; }
    let buf = chunk;
    let end = nl;
    if (this.pending.length) {
      const held = this.pending.reduce((n, b) => n + b.length, 0);
      buf = Buffer.concat([...this.pending, chunk.subarray(0, nl)]);
      end = held + nl;
      this.pending = [];
    }
    if (nl + 1 < chunk.length) this.pending.push(chunk.subarray(nl + 1));
    return rowsOf(buf.toString('utf8', 0, end));
  }

  /** Rows left at the end of input (COPY always ends rows with a newline, so normally none). */
  end(): Array<Array<string | null>> {
    if (!this.pending.length) return [];
    const text = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    return text ? rowsOf(text) : [];
  }
}

function rowsOf(text: string): Array<Array<string | null>> {
  const lines = text.split('\n');
  const out: Array<Array<string | null>> = new Array(lines.length);
  for (let r = 0; r < lines.length; r++) {
    const fields: Array<string | null> = lines[r].split('\t');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as string;
      if (f.length >= 2 && f.charCodeAt(0) === 92 /* \ */) fields[i] = f === '\\N' ? null : unescapeCopy(f);
      else if (f.includes('\\')) fields[i] = unescapeCopy(f);
    }
    out[r] = fields;
  }
  return out;
}
