/**
 * The error CSV's layout (columns, formula neutralising (G3), quoting) and its writing. Plain
 * JavaScript because a large error file is written on a worker thread (sinks/error-csv-worker.js),
 * which Node loads as is — from the sources and from the compiled CLI alike — while the sink
 * (error-csv.ts) uses it too, for a small file.
 */
import fs from 'node:fs';

/** The columns of an error file, in order. */
export const COLUMNS = /** @type {const} */ (['run_id', 'stage', 'code', 'message', 'key', 'origin', 'record', 'outcome']);

/**
 * A cell Excel would read as a formula — starting with = + - @ (also full-width, or after spaces), or
 * with a tab/CR, which Excel strips — is prefixed with ' (G3).
 * @param {string} cell
 * @returns {string}
 */
export function neutralise(cell) {
  // Most cells start with an ASCII letter or digit, kana or kanji: only other first characters (a
  // sign, any kind of space, full-width forms …) need the test.
  const c = cell.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x7e) || (c >= 0x3040 && c <= 0x9fff)) return cell;
  return /^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r]/.test(cell) ? `'${cell}` : cell;
}

/**
 * A cell quoted, a quote inside doubled (fast-csv's `quoteColumns` layout).
 * @param {string} cell
 * @returns {string}
 */
const quoted = (cell) => '"' + (cell.includes('"') ? cell.replaceAll('"', '""') : cell) + '"';

/**
 * One CSV row, every cell quoted (a quote inside doubled), as fast-csv's `quoteColumns` wrote it. Done
 * here because it is one line of code and fast-csv's formatter cost 5 µs a row: with 850,000 rejected
 * rows (a wrong date type in 85% of a 1M-row file) it was most of the run's CPU.
 * @param {readonly string[]} cells
 * @returns {string}
 */
function csvRow(cells) {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + quoted(cells[i]);
  return line;
}

// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const JSON_SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;
/** @type {Map<string, string>} */
const keyCells = new Map();

/**
 * `JSON.stringify(data)` with every quote doubled — a record cell's text inside its quotes — in one
 * pass. Stringifying and then doubling the quotes of a whole record cost 4 µs a row (doubling alone
 * more than half); most values are plain strings, whose JSON is the value between quotes.
 * @param {Record<string, unknown>} data
 * @returns {string}
 */
function recordJsonCell(data) {
  let s = '{';
  for (const k in data) {
    const v = data[k];
    let val;
    if (typeof v === 'string') val = JSON_SPECIAL.test(v) ? JSON.stringify(v).replaceAll('"', '""') : '""' + v + '""';
    else if (v === null) val = 'null';
    else {
      const j = /** @type {string | undefined} */ (JSON.stringify(v));
      if (j === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
      val = j.includes('"') ? j.replaceAll('"', '""') : j;
    }
    let kc = keyCells.get(k);
    if (kc === undefined) {
      kc = JSON.stringify(k).replaceAll('"', '""') + ':';
      if (keyCells.size < 10_000) keyCells.set(k, kc);
    }
    s += (s.length === 1 ? kc : ',' + kc) + val;
  }
  return s + '}';
}

/** Where the record is among the cells after run_id. */
const RECORD = COLUMNS.indexOf('record') - 1;

/**
 * The cells of {@link COLUMNS} after run_id, each neutralised and quoted, joined. The record cell may
 * be the record itself, written as its JSON (which starts with {: never a formula).
 * @param {readonly unknown[]} cells
 * @returns {string}
 */
function restOfRow(cells) {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    line += (i === 0 ? '' : ',') + (i === RECORD && typeof c === 'object' && c !== null ? '"' + recordJsonCell(/** @type {Record<string, unknown>} */ (c)) + '"' : quoted(neutralise(/** @type {string} */ (c))));
  }
  return line;
}

/**
 * Writes all of `text` at the file's position.
 * @param {number} fd
 * @param {string} text
 */
function writeAll(fd, text) {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at);
}

/**
 * Writes an error file's first line: a UTF-8 BOM and the header.
 * @param {number} fd
 */
export function writeErrorHeader(fd) {
  writeAll(fd, '\uFEFF' + csvRow(COLUMNS));
}

/**
 * Writes rows of an error file, each after a line end (none after the last: fast-csv's layout), in
 * pieces of ~64 Ki characters. `rows` hold the cells after run_id, in {@link COLUMNS} order.
 * @param {number} fd
 * @param {string} runId
 * @param {readonly (readonly unknown[])[]} rows
 */
export function writeErrorRows(fd, runId, rows) {
  const prefix = '\n' + quoted(neutralise(runId)) + ',';
  let text = '';
  for (const cells of rows) {
    text += prefix + restOfRow(cells);
    if (text.length >= 65_536) {
      writeAll(fd, text);
      text = '';
    }
  }
  if (text) writeAll(fd, text);
}
