/**
 * The error file's writer thread (see sinks/error-csv.ts). It receives the cells of rejected records
 * a batch at a time and formats, encodes and writes them, so that a run rejecting most of a large
 * file does that work beside the record path instead of on it (with 85% of a 1M-row file rejected it
 * was a third of the main thread's time).
 *
 * The file is open, its header and first rows written (error-csv.ts writes a small file itself).
 * workerData: { fd, runId }. Messages in: { rows } — per row the cells after run_id in COLUMNS order,
 * the record as text or as the record itself (written as its JSON) — then { end: true }. Messages
 * out: { done: n } when a batch of n rows is written; { error } once writing failed (later batches
 * are dropped); { closed: true } when every row handed over is written (the sink then closes the
 * file it opened).
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { errorCsvRow } from './error-csv-format.js';

const { fd, runId } = workerData;
/** @type {string | undefined} */
let failed;

/** @param {string} text */
function put(text) {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at);
}

function attempt(/** @type {() => void} */ work) {
  if (failed !== undefined) return;
  try {
    work();
  } catch (e) {
    failed = /** @type {Error} */ (e).message;
    parentPort.postMessage({ error: failed });
  }
}

parentPort.on('message', (/** @type {{ rows?: unknown[][], end?: boolean }} */ m) => {
  if (m.rows) {
    // Rows are separated by a line end, none after the last (fast-csv's layout), written in pieces
    // of ~64 Ki characters.
    attempt(() => {
      let text = '';
      for (const cells of m.rows) {
        cells.unshift(runId);
        text += '\n' + errorCsvRow(cells);
        if (text.length >= 65_536) {
          put(text);
          text = '';
        }
      }
      if (text) put(text);
    });
    parentPort.postMessage({ done: m.rows.length });
  } else if (m.end) {
    // Every write is done (they are synchronous); the thread that opened the file closes it.
    parentPort.postMessage({ closed: true });
  }
});
