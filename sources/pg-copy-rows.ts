/**
 * `COPY … TO STDOUT` text format → rows of fields, incrementally: chunks of bytes in (split anywhere,
 * even inside a UTF-8 character), arrays of `string | null` out, one array per row. Only the bytes of
 * the current incomplete row are kept between chunks. A newline byte never occurs inside a multi-byte
 * UTF-8 character and COPY escapes newlines inside values, so splitting on byte 0x0A is exact.
 *
 * Text format: fields separated by tab, rows ended by newline, `\N` is NULL, and in values COPY TO
 * writes `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v` (never octal or hex escapes; those are read too).
 */
import { copyFields } from '../db/copy-text.ts';

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
  return text.split('\n').map(copyFields);
}
