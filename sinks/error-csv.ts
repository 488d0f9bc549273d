/**
 * Error sink `csv`: every rejected record, one row each (G2), in a file that opens cleanly in Excel
 * (UTF-8 with BOM) and never carries a live formula (G3). Records a stage excluded on purpose and
 * listed (opt-out, no match …) are rows too, told apart by the `outcome` column: rejected | excluded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { z } from 'zod';
import { defineComponent, type Drop, type ErrorSink, type Row } from '../engine/types.ts';
import { dropKey } from '../engine/keys.ts';
import { ConfigError, RenkeiError } from '../engine/errors.ts';

export const COLUMNS = ['run_id', 'stage', 'code', 'message', 'key', 'origin', 'record', 'outcome'] as const;

const schema = z.strictObject({
  type: z.literal('csv'),
  path: z.string().min(1).describe('Error file to write; `{run_id}` is replaced by the run id. Relative to the pipeline file, and then it must stay inside the pipeline\'s folder (see allow_outside). Created only when the first record is rejected; an existing file is never overwritten (a new name is taken: name-2.csv, …).'),
  allow_outside: z.boolean().default(false).describe('Allow a relative path that leads out of the pipeline\'s folder (`../…`).'),
}).describe('Rejected records as CSV (UTF-8 with BOM, formula cells neutralised), 0600.');

/**
 * A cell Excel would read as a formula — starting with = + - @ (also full-width, or after spaces), or
 * with a tab/CR, which Excel strips — is prefixed with ' (G3).
 */
export function neutralise(cell: string): string {
  // Most cells start with an ASCII letter or digit, kana or kanji: only other first characters (a
  // sign, any kind of space, full-width forms …) need the test.
  const c = cell.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x7e) || (c >= 0x3040 && c <= 0x9fff)) return cell;
  return /^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r]/.test(cell) ? `'${cell}` : cell;
}

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

/** A cell as the row writes it: quoted, a quote inside doubled (fast-csv's `quoteColumns` layout). */
const quoted = (c: string): string => '"' + (c.includes('"') ? c.replaceAll('"', '""') : c) + '"';

/**
 * One CSV row, every cell quoted (a quote inside doubled), as fast-csv's `quoteColumns` wrote it. Done
 * here because it is one line of code and fast-csv's formatter cost 5 µs a row: with 850,000 rejected
 * rows (a wrong date type in 85% of a 1M-row file) it was most of the run's CPU.
 */
export function csvRow(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + quoted(cells[i]);
  return line;
}

/** What JSON.stringify escapes in a string (quote, backslash, control characters, surrogates): such strings take the slow path. */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const JSON_SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;
const keyCells = new Map<string, string>();

/**
 * `JSON.stringify(data)` with every quote doubled — the record cell's text inside its quotes — in one
 * pass. Stringifying and then doubling the quotes of a whole record cost 4 µs a row (doubling alone
 * more than half); most values are plain strings, whose JSON is the value between quotes.
 */
export function recordJsonCell(data: Row): string {
  let s = '{';
  for (const k in data) {
    const v = data[k];
    let val: string;
    if (typeof v === 'string') val = JSON_SPECIAL.test(v) ? JSON.stringify(v).replaceAll('"', '""') : '""' + v + '""';
    else if (v === null) val = 'null';
    else {
      const j = JSON.stringify(v) as string | undefined;
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

/** The record cell, quoted: the record's JSON, or the raw text of input that could not be parsed. */
function recordCell(data: Drop['data']): string {
  if (data === undefined) return '""';
  if (typeof data === 'string') return quoted(neutralise(data));
  return '"' + recordJsonCell(data) + '"'; // starts with {: never a formula
}

/**
 * One row of the error file, after a line end: the cells of {@link COLUMNS}, each neutralised (G3) and
 * quoted; `prefix` is the line end, the quoted run id and its comma. With most rows of a large file rejected this row is the run's hottest code.
 */
export function errorLine(prefix: string, key: string[], d: Drop): string {
  return prefix + quoted(neutralise(d.stage)) + ',' + quoted(neutralise(d.code)) + ',' + quoted(neutralise(d.message)) + ','
    + quoted(neutralise(dropKey(d, key))) + ',' + quoted(neutralise(d.origin)) + ',' + recordCell(d.data) + (d.kind === 'rejected' ? ',"rejected"' : ',"excluded"');
}

export const errorCsvSink = defineComponent({
  type: 'csv',
  description: 'Write rejected records to a CSV file.',
  schema,
  create(options, ctx): ErrorSink {
    const prefix = '\n' + quoted(neutralise(ctx.runId)) + ',';
    const wanted = errorFilePath(ctx.baseDir, options.path, ctx.runId, options.allow_outside);
    let file: string | null = null;
    let out: fs.WriteStream | undefined;
    let failed: Error | undefined;
    const check = () => {
      if (failed) throw new RenkeiError('ERRORS_FILE', `cannot write the error file ${file}: ${failed.message}`);
    };
    return {
      get location() { return file; },
      async open() { /* the file is created when the first record is rejected */ },
      async write(drops) {
        if (drops.length === 0) return;
        if (!out) {
          // Rejected records hold personal data (G6): readable by their owner only.
          const created = createFresh(wanted);
          file = created.file;
          // A 1 MiB buffer: with most rows rejected, a 16 KiB one made every write wait for the disk.
          out = fs.createWriteStream(file, { fd: created.fd, highWaterMark: 1 << 20 });
          out.on('error', (e) => { failed ??= e; });
          out.write('\uFEFF' + csvRow(COLUMNS));
        }
        // Rows are separated by a line end, none after the last (as before: fast-csv's layout).
        // Written in pieces of ~16 Ki characters: one string per batch would be a large object, which
        // only a full GC frees (that tripled GC time with most rows rejected).
        let text = '';
        for (const d of drops) {
          text += errorLine(prefix, ctx.key, d);
          if (text.length >= 16_384) {
            if (!out.write(text)) await once(out, 'drain');
            text = '';
          }
        }
        if (text && !out.write(text)) await once(out, 'drain');
        check();
      },
      async close() {
        if (!out) return;
        check();
        const o = out;
        await new Promise<void>((resolve, reject) => { o.once('error', reject); o.end(resolve); });
        check();
      },
    };
  },
});
