/**
 * Guessing how a CSV file is written, from a sample of it (what Embulk's `guess` does): the text
 * encoding, the delimiter and quote, and the rows of the sample as the csv source would read them.
 * The sample is the first {@link SAMPLE_BYTES} of the file cut at its last line end, so neither a
 * character nor a row is cut in half.
 */
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { CsvScanner } from '../../sources/csv-scanner.ts';

/** Bytes read from the start of the file. */
export const SAMPLE_BYTES = 64 * 1024;
/** Rows looked at, header included. */
export const SAMPLE_ROWS = 1000;

/** An encoding as the csv source's `encoding` option names it. */
export type GuessedEncoding = 'utf-8' | 'shift_jis' | 'euc-jp';

export interface EncodingGuess {
  encoding: GuessedEncoding;
  /** The sample starts with a UTF-8 byte-order mark (the csv source strips it). */
  bom: boolean;
  /** Set when no candidate decodes the sample cleanly: the guess is the least bad one. */
  doubt?: string;
}

/** The first bytes of a file, cut after its last line end unless the whole file fits. */
export function readSample(file: string): { bytes: Buffer; complete: boolean } {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES + 1);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    if (n <= SAMPLE_BYTES) return { bytes: buf.subarray(0, n), complete: true };
    // 0x0A is never part of a multi-byte character in UTF-8, Shift_JIS or EUC-JP.
    const lf = buf.lastIndexOf(0x0a, SAMPLE_BYTES - 1);
    return { bytes: buf.subarray(0, lf >= 0 ? lf + 1 : SAMPLE_BYTES), complete: false };
  } finally {
    fs.closeSync(fd);
  }
}

const decodeAs = (bytes: Uint8Array, enc: string): string => iconv.decode(Buffer.from(bytes), enc);
const badCount = (s: string): number => s.split('\uFFFD').length - 1;

/**
 * How Japanese a decoding looks: kana and kanji count for it; half-width katakana (what EUC-JP bytes
 * turn into when read as CP932) and rare symbols count against it.
 */
function plausibility(s: string): number {
  let score = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xff10 && c <= 0xff5a) || c === 0x3000) score += 1;
    else if (c >= 0xff61 && c <= 0xff9f) score -= 1;
    else if (c > 0x7f) score -= 0.5;
  }
  return score;
}

/**
 * UTF-8 (a BOM, or bytes that are valid UTF-8: plain ASCII is UTF-8 too), else whichever of CP932
 * (`shift_jis`) and EUC-JP decodes the sample without bad bytes; when both do, the one that reads
 * more like Japanese text.
 */
export function guessEncoding(bytes: Uint8Array): EncodingGuess {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (isUtf8(bytes)) return { encoding: 'utf-8', bom: false };
  const sjis = decodeAs(bytes, 'cp932');
  const euc = decodeAs(bytes, 'euc-jp');
  const bad = { sjis: badCount(sjis), euc: badCount(euc) };
  if (bad.sjis === 0 && bad.euc > 0) return { encoding: 'shift_jis', bom: false };
  if (bad.euc === 0 && bad.sjis > 0) return { encoding: 'euc-jp', bom: false };
  if (bad.sjis === 0 && bad.euc === 0) return { encoding: plausibility(euc) > plausibility(sjis) ? 'euc-jp' : 'shift_jis', bom: false };
  const encoding = bad.euc < bad.sjis ? 'euc-jp' : 'shift_jis';
  return { encoding, bom: false, doubt: `no encoding reads the sample cleanly (undecodable bytes: ${Math.min(bad.sjis, bad.euc)} as ${encoding}); those rows will be rejected` };
}

/** Decodes the sample as the csv source will (a BOM is dropped). */
export function decodeSample(bytes: Uint8Array, g: EncodingGuess): string {
  if (g.encoding === 'utf-8') return Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  return decodeAs(bytes, g.encoding === 'shift_jis' ? 'cp932' : 'euc-jp');
}

export const DELIMITERS = [',', '\t', ';', '|'] as const;

/** Rows of fields, read the way the csv source reads them (at most {@link SAMPLE_ROWS}). */
export function scanRows(text: string, delimiter: string, quote: string): string[][] {
  const rows: string[][] = [];
  const scanner = new CsvScanner({
    row(fields, count) { if (rows.length < SAMPLE_ROWS) rows.push(fields.slice(0, count)); },
    unterminated() { /* counted as no row: the dialect that leaves quotes open scores lower */ },
  }, { delimiter, quote, trim: false, skipLines: 0 });
  scanner.push(text);
  scanner.end();
  return rows;
}

export interface DialectGuess { delimiter: string; quote: string; rows: string[][] }

/**
 * The delimiter that splits the most rows into the same number of fields (more than one); ties go
 * to more fields, then to the order of {@link DELIMITERS}. A quote is `'` only when fields are
 * wrapped in `'` and never in `"`.
 */
export function guessDialect(text: string): DialectGuess {
  const quote = guessQuote(text);
  let best: DialectGuess & { score: number; width: number } = { delimiter: ',', quote, rows: scanRows(text, ',', quote), score: -1, width: 0 };
  for (const d of DELIMITERS) {
    const rows = scanRows(text, d, quote);
    if (!rows.length) continue;
    const widths = new Map<number, number>();
    for (const r of rows) widths.set(r.length, (widths.get(r.length) ?? 0) + 1);
    const [width, n] = [...widths].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
    const score = width > 1 ? n / rows.length : 0;
    if (score > best.score || (score === best.score && width > best.width)) best = { delimiter: d, quote, rows, score, width };
  }
  return { delimiter: best.delimiter, quote: best.quote, rows: best.rows };
}

function guessQuote(text: string): string {
  const wrapped = (q: string) => (text.match(new RegExp(`(^|[,\\t;|])${q}[^${q}\\r\\n]*${q}(?=[,\\t;|]|\\r?\\n|$)`, 'gm')) ?? []).length;
  return wrapped('"') === 0 && wrapped("'") > 0 ? "'" : '"';
}
