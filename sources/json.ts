/**
 * Source `json`: records from a JSON file — one array of objects (top level or nested under
 * `items_path`), or NDJSON (one object per line). Streamed in batches; see `json-array.ts` and
 * `json-ndjson.ts` for what becomes a rejected record and what fails the source.
 */
import path from 'node:path';
import type fs from 'node:fs';
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { checkEncoding, encodingCheckOption, encodingOption, readFileChunks } from './text-decode.ts';
import { ndjsonRecords } from './json-ndjson.ts';
import { jsonArrayRecords } from './json-array.ts';

const schema = z
  .strictObject({
    type: z.literal('json'),
    path: z.string().min(1).describe('JSON file to read; relative to the pipeline file.'),
    format: z.enum(['array', 'ndjson']).default('array').describe('`array`: the file holds one array of objects (origins `<path>:[index]`); `ndjson`: one JSON object per line (origins `<path>:<line>`; a bad line is rejected and the read goes on).'),
    items_path: z.string().min(1).regex(/^[^.]+(\.[^.]+)*$/, 'dot-separated keys, e.g. "data.items"').optional()
      .describe('For `format: array`: where the array sits inside the top-level object, as dot-separated keys (`data.items` for {"data": {"items": [...]}}). Omit when the file is the array.'),
    encoding: encodingOption,
    encoding_check: encodingCheckOption,
  })
  .superRefine((o, ctx) => {
    if (o.items_path && o.format !== 'array') ctx.addIssue({ code: 'custom', path: ['items_path'], message: '`items_path` applies to `format: array` only' });
  })
  .describe('Read records from a JSON array file or an NDJSON file.');

export const jsonSource = defineComponent({
  type: 'json',
  description: 'Read records from a JSON file (an array of objects, possibly nested, or NDJSON), streaming.',
  schema,
  create(options, ctx): Source {
    const file = path.resolve(ctx.baseDir, options.path);
    let stream: fs.ReadStream | null = null;
    return {
      read() {
        const chunks = checkEncoding(readFileChunks(file, options.path, (s) => { stream = s; }), options.encoding, options.path, options.encoding_check);
        const o = { encoding: options.encoding, batchSize: ctx.options.batch_size };
        return options.format === 'ndjson'
          ? ndjsonRecords(chunks, o, options.path)
          : jsonArrayRecords(chunks, { ...o, itemsPath: options.items_path }, options.path);
      },
      async close() {
        stream?.destroy();
      },
    };
  },
});
