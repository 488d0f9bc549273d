/**
 * NDJSON (one JSON value per line) → batches of records. A line splitter and `JSON.parse` per line:
 * faster than a streaming tokenizer, and a bad line only costs that line (`JSON_INVALID`, the read
 * goes on). Origin `<path>:<line>`. Blank lines are skipped; CRLF is accepted.
 */
import { Drop, type Rec, type Row } from '../engine/types.ts';
import { decodeText, type ByteChunks } from './text-decode.ts';
import { jsonProblem } from './json-checks.ts';

export interface JsonReadOptions {
  encoding: string;
  batchSize: number;
}

export const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function* ndjsonRecords(chunks: ByteChunks, o: JsonReadOptions, shown: string): AsyncGenerator<Array<Rec | Drop>> {
  const size = Math.max(1, o.batchSize);
  let batch: Array<Rec | Drop> = [];
  const ready: Array<Array<Rec | Drop>> = [];
  const put = (item: Rec | Drop) => {
    batch.push(item);
    if (batch.length >= size) { ready.push(batch); batch = []; }
  };
  let lineNo = 0;
  let bad: number[] = [];
  /** Stream offset (UTF-16 units) of the start of the current text and of the pending line. */
  let offset = 0;
  let lineStart = 0;
  let pending: string[] = [];

  const take = (raw: string, start: number) => {
    lineNo++;
    const end = start + raw.length;
    let badHere = false;
    while (bad.length && bad[0] < end) { badHere ||= bad[0] >= start; bad.shift(); }
    const text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    const origin = `${shown}:${lineNo}`;
    if (badHere) return put(new Drop('rejected', 'JSON_ENCODING', `line ${lineNo}: bytes that are not valid ${o.encoding}`, origin, text));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return put(new Drop('rejected', 'JSON_INVALID', `line ${lineNo}: ${(e as Error).message}`, origin, text));
    }
    if (!isObject(value)) {
      return put(new Drop('rejected', 'JSON_NOT_OBJECT', `line ${lineNo}: expected an object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, origin, text));
    }
    const problem = jsonProblem(value);
    if (problem) return put(new Drop('rejected', problem.code, `line ${lineNo}: ${problem.message}`, origin, text.length > 4096 ? `${text.slice(0, 4096)}…` : text));
    put({ data: value, origin });
  };

  for await (const d of decodeText(chunks, o.encoding)) {
    const text = d.text;
    if (d.bad) bad.push(...d.bad);
    let i = 0;
    for (let j = text.indexOf('\n'); j !== -1; j = text.indexOf('\n', i)) {
      let raw = text.slice(i, j);
      if (pending.length) { pending.push(raw); raw = pending.join(''); pending = []; }
      take(raw, lineStart);
      i = j + 1;
      lineStart = offset + i;
    }
    if (i < text.length) pending.push(text.slice(i));
    offset += text.length;
    while (ready.length) yield ready.shift()!;
  }
  if (pending.length) take(pending.join(''), lineStart);
  if (batch.length) ready.push(batch);
  while (ready.length) yield ready.shift()!;
}
