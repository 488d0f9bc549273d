/**
 * The error CSV's layout: columns, formula neutralising (G3) and quoting. Plain JavaScript because
 * the error file is written on a worker thread (sinks/error-csv-worker.js), which Node loads as is —
 * from the sources and from the compiled CLI alike — while the sink (error-csv.ts) imports it too.
 */

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
export function csvRow(cells) {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + quoted(cells[i]);
  return line;
}

/**
 * One row of an error file: the cells of {@link COLUMNS}, each neutralised and quoted.
 * @param {readonly string[]} cells
 * @returns {string}
 */
export function errorCsvRow(cells) {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + quoted(neutralise(cells[i]));
  return line;
}
