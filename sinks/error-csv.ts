/**
 * Error sink `csv`: every rejected record, one row each (G2), in a file that opens cleanly in Excel
 * (UTF-8 with BOM) and never carries a live formula (G3). Records a stage excluded on purpose and
 * listed (opt-out, no match …) are rows too, told apart by the `outcome` column: rejected | excluded.
 *
 * Beyond the first {@link INLINE_ROWS} of a run, the rows are formatted and written on a worker
 * thread (error-csv-worker.js): this thread only hands each record's cells over. With most rows of a
 * large file rejected, formatting, encoding and writing ~600 bytes a row here took a third of the
 * run's main thread. A small error file is written here: a thread costs 30-40 ms to start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { defineComponent, type Drop, type ErrorSink } from '../engine/types.ts';
import { dropKey } from '../engine/keys.ts';
import { ConfigError, RenkeiError } from '../engine/errors.ts';

import { writeErrorHeader, writeErrorRows } from './error-csv-format.js';

export { COLUMNS, neutralise } from './error-csv-format.js';

const schema = z.strictObject({
  type: z.literal('csv'),
  path: z.string().min(1).describe('Error file to write; `{run_id}` is replaced by the run id. Relative to the pipeline file, and then it must stay inside the pipeline\'s folder (see allow_outside). Created only when the first record is rejected; an existing file is never overwritten (a new name is taken: name-2.csv, …).'),
  allow_outside: z.boolean().default(false).describe('Allow a relative path that leads out of the pipeline\'s folder (`../…`).'),
}).describe('Rejected records as CSV (UTF-8 with BOM, formula cells neutralised), 0600.');

/** Where the error file goes, or a configuration error for a place it must not go. */
export function errorFilePath(baseDir: string, given: string, runId: string, allowOutside: boolean): string {
  const file = path.resolve(baseDir, given.replaceAll('{run_id}', runId));
  if (/^\/(proc|sys|dev)(\/|$)/.test(file)) throw new ConfigError(`errors.path ${given}: ${file} is not a regular file location`);
  const rel = path.relative(path.resolve(baseDir), file);
  if (!path.isAbsolute(given) && (rel.startsWith('..') || path.isAbsolute(rel)) && !allowOutside) {
    throw new ConfigError(`errors.path ${given}: leads out of the pipeline's folder (${baseDir}); give an absolute path, or set errors.allow_outside: true`);
  }
  return file;
}

/** Creates `file` exclusively (0600), or the first free `name-N.ext` beside it: an existing file is never overwritten. */
function createFresh(file: string): { fd: number; file: string } {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new RenkeiError('ERRORS_FILE', `cannot create the folder of the error file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const ext = path.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  for (let n = 1; n < 10_000; n++) {
    const candidate = n === 1 ? file : `${stem}-${n}${ext}`;
    try {
      const fd = fs.openSync(candidate, 'wx', 0o600);
      fs.fchmodSync(fd, 0o600);
      return { fd, file: candidate };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new RenkeiError('ERRORS_FILE', `cannot create the error file ${candidate}: ${(e as Error).message}`, { cause: e });
    }
  }
  throw new RenkeiError('ERRORS_FILE', `cannot create the error file ${file}: 10,000 files of that name exist`);
}

/**
 * True when `v` reaches the writer thread (structured clone) with the JSON it has here: plain data,
 * dates, nested plain objects and arrays; false for what JSON writes its own way (a toJSON method,
 * e.g. a Buffer's) or what cannot be cloned (functions, symbols) or JSON cannot write (bigint).
 */
function clonesAsJson(v: unknown, depth = 0): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'function' && typeof v !== 'symbol' && typeof v !== 'bigint';
  if (v instanceof Date) return true;
  if (depth > 4 || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const k in v) if (!clonesAsJson((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/**
 * The cells of a dropped record's row after run_id (COLUMNS order), as the writer thread takes them.
 * The record goes as the object itself (the thread writes its JSON: cloning it costs this thread
 * less than JSON text does), or as text: raw input, or JSON made here when cloning would change it.
 */
export function errorCells(key: string[], d: Drop): unknown[] {
  const data = d.data;
  const proto = typeof data === 'object' && data !== null ? Object.getPrototypeOf(data) as unknown : undefined;
  const plain = proto === Object.prototype || proto === null;
  const record = data === undefined ? '' : typeof data === 'string' || (plain && clonesAsJson(data)) ? data : JSON.stringify(data);
  // rejected: the data was wrong; excluded: a rule left the record out on purpose (opt-out, no match …).
  return [d.stage, d.code, d.message, dropKey(d, key), d.origin, record, d.kind === 'rejected' ? 'rejected' : 'excluded'];
}

/**
 * Rows of a run written on this thread before a writer thread takes over: a small error file needs
 * none (starting one costs 30-40 ms, paid at close by a run with a handful of rejects).
 */
export const INLINE_ROWS = 2_000;

/** Batches the writer thread may hold before a write waits for it (memory stays bounded). */
const MAX_QUEUED_BATCHES = 4;

/** The writer thread of one error file (see error-csv-worker.js for its messages). */
class ErrorFileThread {
  private readonly worker: Worker;
  private queued = 0;
  private closed = false;
  private exited = false;
  private waiter: (() => void) | undefined;
  failed: string | undefined;

  constructor(fd: number, runId: string) {
    // Plain JavaScript: it needs none of the process's flags (and some, like --input-type, would stop it).
    this.worker = new Worker(new URL('./error-csv-worker.js', import.meta.url), { workerData: { fd, runId }, execArgv: [] });
    this.worker.on('message', (m: { done?: number; error?: string; closed?: boolean }) => {
      if (m.done !== undefined) this.queued--;
      if (m.error !== undefined) this.failed ??= m.error;
      if (m.closed) this.closed = true;
      this.wake();
    });
    this.worker.on('error', (e) => { this.failed ??= e.message; this.wake(); });
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (!this.closed) this.failed ??= `its writer thread stopped (exit code ${code})`;
      this.wake();
    });
  }

  /** Hands a batch's rows over; waits while the thread holds more than {@link MAX_QUEUED_BATCHES}. */
  async write(rows: unknown[][]): Promise<void> {
    this.worker.postMessage({ rows });
    this.queued++;
    while (this.queued > MAX_QUEUED_BATCHES && this.failed === undefined && !this.exited) await this.next();
  }

  /** Waits until every row handed over is written, then ends the thread. */
  async close(): Promise<void> {
    if (!this.exited) this.worker.postMessage({ end: true });
    while (!this.closed && !this.exited) await this.next();
    await this.worker.terminate();
  }

  private next(): Promise<void> {
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

export const errorCsvSink = defineComponent({
  type: 'csv',
  description: 'Write rejected records to a CSV file.',
  schema,
  create(options, ctx): ErrorSink {
    const wanted = errorFilePath(ctx.baseDir, options.path, ctx.runId, options.allow_outside);
    let file: string | null = null;
    let fd: number | undefined;
    let inline = 0;
    let thread: ErrorFileThread | undefined;
    let failed: string | undefined;
    const check = () => {
      failed ??= thread?.failed;
      if (failed !== undefined) throw new RenkeiError('ERRORS_FILE', `cannot write the error file ${file}: ${failed}`);
    };
    const attempt = (work: () => void) => {
      try {
        work();
      } catch (e) {
        failed ??= (e as Error).message;
      }
    };
    return {
      get location() { return file; },
      async open() { /* the file is created when the first record is rejected */ },
      async write(drops) {
        if (drops.length === 0) return;
        if (fd === undefined) {
          // Rejected records hold personal data (G6): readable by their owner only.
          const created = createFresh(wanted);
          file = created.file;
          const opened = created.fd;
          fd = opened;
          attempt(() => writeErrorHeader(opened));
        }
        check();
        const rows = drops.map((d) => errorCells(ctx.key, d));
        if (!thread && inline + rows.length <= INLINE_ROWS) {
          const open = fd;
          attempt(() => writeErrorRows(open, ctx.runId, rows));
          inline += rows.length;
        } else {
          thread ??= new ErrorFileThread(fd, ctx.runId);
          await thread.write(rows);
        }
        check();
      },
      async close() {
        if (fd === undefined) return;
        if (thread) await thread.close();
        const open = fd;
        fd = undefined;
        attempt(() => fs.closeSync(open));
        check();
      },
    };
  },
});
