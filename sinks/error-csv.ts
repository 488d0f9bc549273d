/**
 * Error sink `csv`: every rejected record, one row each (G2), in a file that opens cleanly in Excel
 * (UTF-8 with BOM) and never carries a live formula (G3). Records a stage excluded on purpose and
 * listed (opt-out, no match …) are rows too, told apart by the `outcome` column: rejected | excluded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { format } from 'fast-csv';
import { z } from 'zod';
import { defineComponent, type Drop, type ErrorSink } from '../engine/types.ts';
import { keyOf } from '../engine/keys.ts';

export const COLUMNS = ['run_id', 'stage', 'code', 'message', 'key', 'origin', 'record', 'outcome'] as const;

const schema = z.strictObject({
  type: z.literal('csv'),
  path: z.string().describe('Error file to write; `{run_id}` is replaced by the run id. Relative to the pipeline file.'),
}).describe('Rejected records as CSV (UTF-8 with BOM, formula cells neutralised).');

/** A cell starting with = + - @ (or tab/CR, which Excel also strips) is prefixed with ' (G3). */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function errorRow(runId: string, key: string[], d: Drop): string[] {
  const record = d.data === undefined ? '' : typeof d.data === 'string' ? d.data : JSON.stringify(d.data);
  // rejected: the data was wrong; excluded: a rule left the record out on purpose (opt-out, no match …).
  return [runId, d.stage, d.code, d.message, keyOf(d.data, key), d.origin, record, d.kind === 'rejected' ? 'rejected' : 'excluded'].map(neutralise);
}

export const errorCsvSink = defineComponent({
  type: 'csv',
  description: 'Write rejected records to a CSV file.',
  schema,
  create(options, ctx): ErrorSink {
    const file = path.resolve(ctx.baseDir, options.path.replaceAll('{run_id}', ctx.runId));
    let stream: ReturnType<typeof format> | undefined;
    let out: fs.WriteStream | undefined;
    let done: Promise<unknown> | undefined;
    return {
      location: file,
      async open() {
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        // Rejected records hold personal data (G6): readable by their owner only.
        const fd = fs.openSync(file, 'w', 0o600);
        fs.fchmodSync(fd, 0o600);
        out = fs.createWriteStream(file, { fd });
        out.write('\uFEFF');
        stream = format({ headers: [...COLUMNS], alwaysWriteHeaders: true, quoteColumns: true });
        stream.pipe(out);
        done = once(out, 'finish');
      },
      async write(drops) {
        for (const d of drops) {
          if (!stream!.write(errorRow(ctx.runId, ctx.key, d))) await once(stream!, 'drain');
        }
      },
      async close() {
        stream!.end();
        await done;
      },
    };
  },
});
