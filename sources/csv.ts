/**
 * Source `csv`: records from a CSV file, read as a stream in batches. Parsing is in
 * `csv-records.ts` / `csv-scanner.ts` (the dialect and the choice of parser are documented there).
 */
import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { csvRecords } from './csv-records.ts';
import { checkEncoding, encodingCheckOption, encodingOption, readFileChunks } from './text-decode.ts';

const oneChar = (what: string) =>
  z.string().refine((v) => v.length === 1 || v === '\\t', { message: `${what} must be one character (or "\\t" for tab)` });

const schema = z
  .strictObject({
    type: z.literal('csv'),
    path: z.string().min(1).describe('CSV file to read; relative to the pipeline file. Origins of records are `<path>:<line>`.'),
    encoding: encodingOption,
    max_record_chars: z.number().int().min(1024).default(16 * 1024 * 1024).describe('Longest a line (or a quoted field across lines) may be, in characters: a longer one is rejected with its line (CSV_RECORD_TOO_LONG / CSV_UNTERMINATED_QUOTE) and the read goes on, in bounded memory.'),
    encoding_check: encodingCheckOption,
    delimiter: oneChar('delimiter').default(',').describe('Field delimiter: one character, e.g. "," (default), ";" or "\\t" for tab-separated files.'),
    quote: oneChar('quote').default('"').describe('Quote character (default `"`); a doubled quote inside a quoted field is one quote.'),
    header: z.boolean().default(true).describe('The first row (after `skip_lines`) holds the field names. With `columns` too, that row is skipped and `columns` names the fields by position.'),
    columns: z.array(z.string().min(1)).min(1).optional().describe('Field names by position. Required when `header: false`; with `header: true` they replace the header\'s names.'),
    skip_lines: z.number().int().min(0).default(0).describe('Physical lines to skip before the header / first row (e.g. a title line above the table); quotes are not interpreted there.'),
    trim: z.boolean().default(false).describe('Remove whitespace around values (and around quoted values); text inside quotes is kept as is.'),
    empty_as_null: z.boolean().optional().describe('Empty fields. Unset: PostgreSQL\'s CSV rules (what COPY, psql \\copy and pgloader do): an unquoted empty field (`,,`) is null, a quoted one (`""`) an empty string. true: both null. false: both empty strings.'),
  })
  .superRefine((o, ctx) => {
    if (!o.header && !o.columns) ctx.addIssue({ code: 'custom', path: ['columns'], message: '`columns` is required when `header: false`' });
    if (o.columns) {
      const dup = o.columns.find((c, i) => o.columns!.indexOf(c) !== i);
      if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['columns'], message: `column "${dup}" is listed twice` });
    }
    const d = o.delimiter === '\\t' ? '\t' : o.delimiter;
    const q = o.quote === '\\t' ? '\t' : o.quote;
    if (d === q) ctx.addIssue({ code: 'custom', path: ['quote'], message: 'quote and delimiter must differ' });
    if (d === '\n' || d === '\r' || q === '\n' || q === '\r') ctx.addIssue({ code: 'custom', path: ['delimiter'], message: 'a line end cannot be the delimiter or quote' });
  })
  .describe('Read records from a CSV file (UTF-8, Shift_JIS/CP932, EUC-JP; quoted fields, CRLF/LF/CR line ends).');

export const csvSource = defineComponent({
  type: 'csv',
  description: 'Read records from a CSV file, streaming, with the line of each record as its origin.',
  schema,
  create(options, ctx): Source {
    const file = path.resolve(ctx.baseDir, options.path);
    let stream: fs.ReadStream | null = null;
    let size = 0;
    const tab = (v: string) => (v === '\\t' ? '\t' : v);
    return {
      read: () =>
        csvRecords(checkEncoding(readFileChunks(file, options.path, (s) => {
          stream = s;
          try { size = fs.statSync(file).size; } catch { size = 0; }
        }), options.encoding, options.path, options.encoding_check), {
          encoding: options.encoding,
          delimiter: tab(options.delimiter),
          quote: tab(options.quote),
          header: options.header,
          columns: options.columns,
          skipLines: options.skip_lines,
          trim: options.trim,
          emptyAsNull: options.empty_as_null,
          maxQuoted: options.max_record_chars,
          batchSize: ctx.options.batch_size,
        }, options.path),
      async close() {
        stream?.destroy();
      },
      progress: () => (stream && size ? { done: stream.bytesRead, total: size } : undefined),
    };
  },
});
