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
import { parentPort, workerData } from 'node:worker_threads';
import { writeErrorRows } from './error-csv-format.js';

const { fd, runId } = workerData;
/** @type {string | undefined} */
let failed;

parentPort.on('message', (/** @type {{ rows?: unknown[][], end?: boolean }} */ m) => {
  if (m.rows) {
    const rows = m.rows;
    if (failed === undefined) {
      try {
        writeErrorRows(fd, runId, rows);
      } catch (e) {
        failed = /** @type {Error} */ (e).message;
        parentPort.postMessage({ error: failed });
      }
    }
    parentPort.postMessage({ done: rows.length });
  } else if (m.end) {
    // Every write is done (they are synchronous); the thread that opened the file closes it.
    parentPort.postMessage({ closed: true });
  }
});
