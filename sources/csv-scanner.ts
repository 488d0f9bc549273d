/**
 * The CSV scanner: decoded text in (any chunking), rows of fields out, with the physical line each
 * row starts on. This is renkei's one CSV reader.
 *
 * Hand-written rather than a library: none of the candidates reports the line a record starts on
 * (needed for origins once quoted fields span lines), and none is clearly faster. `bench/csv-parse.ts`,
 * 1M rows of 15 columns with Japanese text, ~10% quoted fields with commas, 2% with line breaks
 * (181 MB UTF-8), medians of 3 runs on the shared 2-core dev machine, file → rows, seconds:
 *
 *   quiet machine (load ~1), before fields were copied (see {@link own}):
 *     read + decode 0.79 · this scanner 1.42 (csv source with Rec objects 1.89) · udsv 1.41 ·
 *     papaparse 1.68 · csv-parser 5.17 · fast-csv 16.0
 *   loaded machine (load ~8), final code, wall / CPU:
 *     read + decode 1.50/1.34 · this scanner 2.71/2.46 (csv source 3.45/3.01) · udsv 2.88/1.94 ·
 *     papaparse 2.97/2.49 · csv-parser 10.5/6.7 · fast-csv 33.6/17.2
 *
 * udsv and papaparse are in the same tier (udsv uses ~20% less CPU; it does not copy fields, count
 * lines or check bytes) but give no record line numbers, ragged-row or unterminated-quote reports.
 * So this is the one CSV reader (fast-csv stays in the tests, as an independent reader and writer).
 * The scanner jumps with `indexOf` to the next delimiter / quote / line end (positions cached, so each
 * character is looked at about once; a charCodeAt loop per field measured no faster), takes fields
 * with `slice` made into own strings (see {@link own}), and reuses one fields array.
 *
 * Dialect (RFC 4180 plus what real exports do):
 * - line ends: CRLF, LF or a lone CR, mixed freely; blank lines are skipped (they are not records);
 * - a field that starts with the quote character is quoted: delimiters and line ends inside are data
 *   (a CRLF inside stays CRLF), a doubled quote is one quote;
 * - a quote inside an unquoted field is an ordinary character (`ab"c` → `ab"c`), as Excel and most
 *   parsers read it;
 * - text after a closing quote (`"ab"c`) is ambiguous — Excel reads `abc`, others refuse — and silently
 *   changing the data is worse than either: the row is flagged (`afterQuote`) and rejected;
 * - a quoted empty field (`""`) is told apart from an unquoted empty one: its index is in the row's
 *   `quotedEmpty` list (PostgreSQL reads the first as an empty string, the second as NULL);
 * - a line longer than `maxQuoted` characters without a line end is rejected and skipped to its end;
 * - a quote still open at the end of input, or open for more than `maxQuoted` characters (4 Mi by
 *   default; bounds memory), rejects the line it opened on, and reading resumes on the next line:
 *   a stray quote costs one row, not the rest of the file.
 */

/** Receives what the scanner finds. `fields` is reused: copy what you keep before returning. */
export interface ScanHandler {
  /** `quotedEmpty`: indexes of the row's fields that were written `""` (reused like `fields`). */
  row(fields: string[], count: number, line: number, badBytes: boolean, quotedEmpty: number[], afterQuote: boolean): void;
  /** A quoted field opened on `line` and never closed; `raw` runs from the row start to the end of that line. */
  unterminated(line: number, raw: string): void;
  /** A line longer than the limit without a line end: it is skipped to its end; `prefix` is its start. */
  tooLong?(line: number, prefix: string): void;
}

export interface ScanOptions {
  delimiter: string;
  quote: string;
  trim: boolean;
  /** Physical lines to skip before the first row, quotes ignored (title lines above a header). */
  skipLines: number;
  /** Longest a quoted field may stay open before it is taken as unterminated (default 4 Mi chars). */
  maxQuoted?: number;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** Line ends in s[a, b): CRLF, lone CR and LF each count once. */
function countBreaks(s: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR && s.charCodeAt(i + 1) !== LF) n++;
  }
  return n;
}

/**
 * A field as a string of its own. V8 makes a slice of 13+ characters a view into its parent, so
 * one kept field (a dedupe key, say) would keep the whole decoded chunk alive and memory would grow
 * with the file. Concatenating forces a flat copy (measured: keeping one 21-char field per row of a
 * 54 MB file held 88 MB of heap as views, 43 MB as copies; `normalize`/`toWellFormed` do not copy).
 * It costs ~0.2 s per 1M rows of the benchmark file, the price of memory that stays flat.
 */
const own = (x: string): string => (x.length < 13 ? x : (' ' + x).slice(1));

const enum Wait { None, Quote, LineEnd }

export class CsvScanner {
  private buf = '';
  /** Offset of buf[0] in the whole decoded stream (bad-byte offsets are in that coordinate). */
  private base = 0;
  private line = 1;
  private skipLines: number;
  /** The previous chunk ended a row with CR: a LF starting the next chunk belongs to it. */
  private skipLF = false;
  /** Text held back while an incomplete row waits for a character that can complete it. */
  private held: string[] = [];
  /** Discarding the rest of a line that was too long, up to its line end. */
  private skipping = false;
  private heldLen = 0;
  private readonly maxQuoted: number;
  private wait = Wait.None;
  private bad: number[] = [];
  private badHead = 0;
  private readonly fields: string[] = [];
  private readonly quotedEmpty: number[] = [];
  private readonly d: string;
  private readonly dc: number;
  private readonly q: string;
  private readonly qc: number;
  private readonly trim: boolean;
  /** Row bounds in buf during a handler call, for {@link rowText}. */
  private rowStart = 0;
  private rowEnd = 0;

  constructor(private readonly handler: ScanHandler, o: ScanOptions) {
    if (o.delimiter.length !== 1 || o.quote.length !== 1) throw new Error('delimiter and quote must be one character');
    this.d = o.delimiter;
    this.dc = o.delimiter.charCodeAt(0);
    this.q = o.quote;
    this.qc = o.quote.charCodeAt(0);
    this.trim = o.trim;
    this.skipLines = o.skipLines;
    this.maxQuoted = o.maxQuoted ?? 4 * 1024 * 1024;
  }

  /** The current row's raw text (without its line end); valid only inside a handler call. */
  rowText(): string {
    return this.buf.slice(this.rowStart, this.rowEnd);
  }

  /** Feed the next piece of text; `bad` lists stream offsets of characters that stand for undecodable bytes. */
  push(text: string, bad: number[] | null = null): void {
    if (bad) for (const b of bad) this.bad.push(b);
    if (this.skipping) {
      const nl = text.indexOf('\n');
      const cr = text.indexOf('\r');
      const e = nl === -1 ? cr : cr === -1 || nl < cr ? nl : cr;
      if (e === -1) { this.base += text.length; return; }
      const end = text.charCodeAt(e) === CR && text.charCodeAt(e + 1) === LF ? e + 2 : e + 1;
      this.base += end;
      this.line++;
      this.skipping = false;
      text = text.slice(end);
      if (!text) return;
    }
    if (this.wait === Wait.LineEnd && text.indexOf('\n') === -1 && text.indexOf('\r') === -1 && this.buf.length + this.heldLen + text.length > this.maxQuoted) {
      // A line with no end in sight past the limit (a runaway field, /dev/zero): reject it and skip to
      // its end, with memory and time bounded instead of growing with the line.
      const shown = Math.min(200, this.maxQuoted);
      this.handler.tooLong?.(this.line, (this.buf + this.held.join('') + text).slice(0, shown));
      this.base += this.buf.length + this.heldLen + text.length;
      this.buf = '';
      this.held = [];
      this.heldLen = 0;
      this.wait = Wait.None;
      this.skipping = true;
      return;
    }
    if (this.wait !== Wait.None) {
      // Rescanning a long pending row on every chunk would be quadratic: only rescan when the new
      // text holds a character that could complete it.
      const could = this.wait === Wait.Quote
        ? text.indexOf(this.q) !== -1
        : text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1;
      if (!could && this.buf.length + this.heldLen + text.length <= this.maxQuoted) {
        this.held.push(text);
        this.heldLen += text.length;
        return;
      }
      this.wait = Wait.None;
    }
    if (this.held.length) {
      this.held.push(text);
      text = this.held.join('');
      this.held = [];
      this.heldLen = 0;
    }
    if (this.buf.length) {
      // A row cut by the chunk boundary: `buf + text` would copy the whole chunk (V8 flattens the
      // concatenation on first search). Usually the row ends at the first line end of the new
      // text, so complete it with just that much and scan the rest as a view of the chunk.
      const nl = text.indexOf('\n');
      const cr = text.indexOf('\r');
      const e = nl === -1 ? cr : cr === -1 || nl < cr ? nl : cr;
      if (e !== -1 && e + 1 < text.length) {
        this.buf += text.slice(0, e + 1);
        this.scan(false);
        text = text.slice(e + 1);
      }
    }
    this.buf = this.buf.length ? this.buf + text : text;
    this.scan(false);
  }

  /** End of input: flush the last row (which needs no line end) or report an unterminated quote. */
  end(): void {
    if (this.skipping) { this.skipping = false; this.buf = ''; return; }
    if (this.held.length) { this.buf += this.held.join(''); this.held = []; this.heldLen = 0; }
    this.wait = Wait.None;
    this.scan(true);
    this.buf = '';
  }

  private skipPreamble(s: string, p: number, final: boolean): number {
    while (this.skipLines > 0 && p < s.length) {
      const nl = s.indexOf('\n', p);
      const cr = s.indexOf('\r', p);
      if (nl === -1 && cr === -1) {
        if (final) return s.length;
        this.finish(p, this.line); // keep what was skipped, wait for the line end
        return -1;
      }
      let e = nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr);
      if (s.charCodeAt(e) === CR) {
        if (e + 1 === s.length && !final) { this.finish(p, this.line); return -1; } // might be CRLF
        e += s.charCodeAt(e + 1) === LF ? 2 : 1;
      } else e += 1;
      p = e;
      this.line++;
      this.skipLines--;
    }
    return p;
  }

  private scan(final: boolean): void {
    this.wait = Wait.None; // set again by hold() if the last row stays incomplete
    const s = this.buf;
    const len = s.length;
    const { dc, qc, d, q, trim, fields, handler, quotedEmpty } = this;
    let p = 0;
    let line = this.line;
    if (this.skipLines > 0) {
      const at = this.skipPreamble(s, 0, final);
      if (at === -1) return;
      p = at;
      line = this.line;
    }
    if (this.skipLF && p < len) {
      this.skipLF = false;
      if (s.charCodeAt(p) === LF) p++;
    }
    // Next positions of the characters that matter, each valid for offsets >= its own value;
    // -1 means none in the rest of the buffer. Recomputed only when passed.
    let nextNL = s.indexOf('\n', p);
    let nextCR = s.indexOf('\r', p);
    let nextD = s.indexOf(d, p);
    let nextQ = s.indexOf(q, p);

    rows: while (p < len) {
      const rowStart = p;
      const rowLine = line;
      if (nextNL !== -1 && nextNL < p) nextNL = s.indexOf('\n', p);
      if (nextCR !== -1 && nextCR < p) nextCR = s.indexOf('\r', p);
      let eol = nextNL === -1 ? nextCR : nextCR === -1 || nextNL < nextCR ? nextNL : nextCR;
      if (eol === p) { // blank line
        if (s.charCodeAt(p) === CR) {
          if (p + 1 === len && !final) { this.skipLF = true; p++; line++; break; }
          p += s.charCodeAt(p + 1) === LF ? 2 : 1;
        } else p++;
        line++;
        continue;
      }
      let n = 0;
      quotedEmpty.length = 0;
      let afterQuote = false;
      let extra = 0; // line ends inside quoted fields of this row
      for (;;) {
        if (trim) while (p < len && (s.charCodeAt(p) === SPACE || (s.charCodeAt(p) === TAB && dc !== TAB))) p++;
        if (s.charCodeAt(p) === qc) {
          const open = p;
          let val = '';
          let from = p + 1;
          let k: number;
          for (;;) {
            if (nextQ !== -1 && nextQ < from) nextQ = s.indexOf(q, from);
            k = nextQ;
            if (k === -1) {
              if (!final && len - rowStart <= this.maxQuoted) { this.hold(rowStart, rowLine, Wait.Quote); return; }
              // Unterminated: reject up to the end of the line the quote opened on, resume after it.
              // (The caches stay valid: they were computed from positions before `open`.)
              const nl = s.indexOf('\n', open);
              const cr = s.indexOf('\r', open);
              const e = nl === -1 ? (cr === -1 ? len : cr) : cr === -1 || nl < cr ? nl : cr;
              if (!final && e === len) { this.hold(rowStart, rowLine, Wait.Quote); return; } // that line is not complete yet
              const before = countBreaks(s, rowStart, open);
              this.rowStart = rowStart;
              this.rowEnd = e;
              handler.unterminated(rowLine + before, s.slice(rowStart, e));
              p = e;
              if (p < len) {
                if (s.charCodeAt(p) === CR) {
                  if (p + 1 === len) { if (!final) this.skipLF = true; p++; } else p += s.charCodeAt(p + 1) === LF ? 2 : 1;
                } else p++;
              }
              line = rowLine + before + 1;
              continue rows;
            }
            if (k + 1 === len && !final) { this.hold(rowStart, rowLine, Wait.None); return; }
            if (s.charCodeAt(k + 1) === qc) { // doubled quote
              val += s.slice(from, k + 1);
              from = k + 2;
              continue;
            }
            break;
          }
          val = val === '' ? s.slice(from, k) : val + s.slice(from, k);
          if (eol !== -1 && eol < k) { // line ends inside the quotes
            extra += countBreaks(s, open, k);
            if (nextNL !== -1 && nextNL < k) nextNL = s.indexOf('\n', k);
            if (nextCR !== -1 && nextCR < k) nextCR = s.indexOf('\r', k);
            eol = nextNL === -1 ? nextCR : nextCR === -1 || nextNL < nextCR ? nextNL : nextCR;
          }
          p = k + 1;
          if (p === len && !final) { this.hold(rowStart, rowLine, Wait.None); return; }
          const c = s.charCodeAt(p);
          if (val === '') quotedEmpty.push(n);
          if (c === dc) { fields[n++] = own(val); p++; continue; }
          if (c === LF || c === CR || p === len) { fields[n++] = own(val); break; }
          // Text after the closing quote: the row is flagged (rejected by the reader, never silently
          // joined). Blanks only (`"y" ,`) are kept as Excel keeps them.
          if (eol === -1 && !final) { this.hold(rowStart, rowLine, Wait.LineEnd); return; }
          const stop = eol === -1 ? len : eol;
          if (nextD !== -1 && nextD < p) nextD = s.indexOf(d, p);
          const e = nextD !== -1 && nextD < stop ? nextD : stop;
          const tail = s.slice(p, e);
          if (tail.trim() !== '') afterQuote = true;
          fields[n++] = own(val + (trim ? tail.trimEnd() : tail));
          p = e;
          if (e === stop) break;
          p++;
          continue;
        }
        // Unquoted field: up to the next delimiter on this line, or the line end.
        if (eol === -1) {
          if (!final) { this.hold(rowStart, rowLine, Wait.LineEnd); return; }
          eol = len;
        }
        if (nextD !== -1 && nextD < p) nextD = s.indexOf(d, p);
        if (nextD !== -1 && nextD < eol) {
          fields[n++] = own(trim ? s.slice(p, nextD).trim() : s.slice(p, nextD));
          p = nextD + 1;
          continue;
        }
        fields[n++] = own(trim ? s.slice(p, eol).trim() : s.slice(p, eol));
        p = eol;
        break;
      }
      // p is at the line end (or the end of input).
      const rowEnd = p;
      if (p < len) {
        if (s.charCodeAt(p) === CR) {
          if (p + 1 === len) { if (!final) this.skipLF = true; p++; } else p += s.charCodeAt(p + 1) === LF ? 2 : 1;
        } else p++;
      }
      line = rowLine + 1 + extra;
      this.rowStart = rowStart;
      this.rowEnd = rowEnd;
      // Too long, even if its end arrived in the same chunk: the same verdict whatever the chunking.
      if (rowEnd - rowStart > this.maxQuoted && handler.tooLong) { this.hasBad(rowStart, rowEnd); handler.tooLong(rowLine, s.slice(rowStart, rowStart + Math.min(200, this.maxQuoted))); continue rows; }
      handler.row(fields, n, rowLine, this.hasBad(rowStart, rowEnd), quotedEmpty, afterQuote);
      continue rows;
    }
    this.finish(p, line);
  }

  /** Whether any bad character lies in buf[a, b); drops the ones before b. */
  private hasBad(a: number, b: number): boolean {
    const bad = this.bad;
    if (this.badHead === bad.length) return false;
    const lo = this.base + a;
    const hi = this.base + b;
    while (this.badHead < bad.length && bad[this.badHead] < lo) this.badHead++;
    const found = this.badHead < bad.length && bad[this.badHead] < hi;
    while (this.badHead < bad.length && bad[this.badHead] < hi) this.badHead++;
    if (this.badHead === bad.length) { this.bad = []; this.badHead = 0; }
    return found;
  }

  /** Everything before p is consumed. */
  private finish(p: number, line: number): void {
    this.base += p;
    this.buf = p === this.buf.length ? '' : this.buf.slice(p);
    this.line = line;
  }

  /** The row starting at `rowStart` is incomplete: keep it for the next push. */
  private hold(rowStart: number, rowLine: number, wait: Wait): void {
    this.finish(rowStart, rowLine);
    this.wait = wait;
  }
}
