/**
 * A JSON array of objects (top level, or nested under `items_path`) → batches of records, streamed
 * with stream-json's tokenizer, `pick` and `streamArray` called directly (no Node stream per token).
 * Text is fed line by line so a syntax error names its line. A syntax error cannot be resynchronised:
 * it fails the source (`SOURCE_IO`) after the records before it have been yielded. A non-object
 * element is a rejected Drop (`JSON_NOT_OBJECT`); an element holding undecodable bytes is `JSON_ENCODING`.
 * Origin `<path>:[index]` (`<path>:data.items[index]` under `items_path`).
 */
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { pick } from 'stream-json/core/filters/pick.js';
import { streamArray } from 'stream-json/core/streamers/stream-array.js';
import { isMany, none } from 'stream-chain/defs.js';
import { Drop, type Rec } from '../engine/types.ts';
import { RenkeiError } from '../engine/errors.ts';
import { decodeText, type ByteChunks } from './text-decode.ts';
import { isObject, type JsonReadOptions } from './json-ndjson.ts';
import { jsonProblem } from './json-checks.ts';

/** Longest piece of one line handed to the tokenizer at once (keeps error positions near). */
const PIECE = 16 * 1024;

const each = <T>(out: unknown, f: (v: T) => void) => {
  if (out === none || out === undefined) return;
  if (isMany(out)) for (const v of out.values as T[]) f(v);
  else if (typeof out !== 'symbol') f(out as T);
};

/** U+FFFD characters in a value's strings and keys. */
function replacements(v: unknown): number {
  const inText = (t: string) => t.split('\uFFFD').length - 1;
  if (typeof v === 'string') return inText(v);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + replacements(x), 0);
  if (isObject(v)) return Object.entries(v).reduce((n, [k, x]) => n + inText(k) + replacements(x), 0);
  return 0;
}

export async function* jsonArrayRecords(
  chunks: ByteChunks,
  o: JsonReadOptions & { itemsPath?: string },
  shown: string,
): AsyncGenerator<Array<Rec | Drop>> {
  const size = Math.max(1, o.batchSize);
  const where = `${shown}:${o.itemsPath ?? ''}`;
  const tokenize = jsonParser();
  const select = o.itemsPath ? pick({ filter: o.itemsPath }) : null;
  const items = streamArray();
  let found = !o.itemsPath;
  let batch: Array<Rec | Drop> = [];
  const ready: Array<Array<Rec | Drop>> = [];
  let bad: number[] = [];
  let consumed = 0; // stream offset up to which text has been tokenized
  let pieceStart = 0; // where the piece being tokenized starts
  let from = 0; // where the next element can start at the earliest: the start of the piece the last one ended in
  let line = 1;
  let col = 1;
  let count = 0;

  const put = (item: Rec | Drop) => {
    batch.push(item);
    if (batch.length >= size) { ready.push(batch); batch = []; }
  };
  const onItem = ({ key, value }: { key: number; value: unknown }) => {
    count++;
    const origin = `${where}[${key}]`;
    // The element lies somewhere in [from, consumed) (several may end in one piece): when bad bytes
    // were decoded there and it holds U+FFFDs, it takes that many of them (the others are left for
    // the next element of the piece); offsets before this piece cannot belong to a later element.
    const here = bad.filter((b) => b >= from && b < consumed).length;
    const taken = here ? Math.min(here, replacements(value)) : 0;
    if (taken) { const i = bad.findIndex((b) => b >= from); bad.splice(i, taken); }
    while (bad.length && bad[0] < pieceStart) bad.shift();
    from = pieceStart;
    if (taken) {
      put(new Drop('rejected', 'JSON_ENCODING', `element [${key}]: bytes that are not valid ${o.encoding}`, origin, JSON.stringify(value)));
    } else if (!isObject(value)) {
      put(new Drop('rejected', 'JSON_NOT_OBJECT', `element [${key}]: expected an object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, origin, JSON.stringify(value)));
    } else {
      const problem = jsonProblem(value);
      if (problem) put(new Drop('rejected', problem.code, `element [${key}]: ${problem.message}`, origin, undefined));
      else put({ data: value, origin });
    }
  };
  const onToken = (t: Token) => {
    if (!select) return each(items(t), onItem);
    each<Token>(select(t), (u) => { found = true; each(items(u), onItem); });
  };
  const feed = (piece: string | typeof none) => {
    try {
      each<Token>(tokenize(piece as string), onToken);
    } catch (e) {
      // Valid JSON of the wrong shape is not "invalid JSON": say what is wrong and what to set.
      if (/should be an array/.test((e as Error).message)) {
        throw new RenkeiError('SOURCE_IO', o.itemsPath
          ? `${shown}: the value at items_path "${o.itemsPath}" is not an array`
          : `${shown}: the file holds an object or a value, not an array of records; set items_path to where the array is (e.g. data.items), or format: ndjson`, { cause: e });
      }
      const at = piece === none ? 'at the end of the file' : `at line ${line}${col > 1 ? `, after column ${col}` : ''}`;
      throw new RenkeiError('SOURCE_IO', `${shown}: invalid JSON ${at}: ${(e as Error).message} (${count} elements read before it)`, { cause: e });
    }
  };
  const fail = function* (e: unknown) {
    if (batch.length) { ready.push(batch); batch = []; }
    yield* ready.splice(0);
    throw e;
  };

  try {
    for await (const d of decodeText(chunks, o.encoding)) {
      const text = d.text;
      if (d.bad) bad.push(...d.bad);
      for (let i = 0; i < text.length;) {
        const nl = text.indexOf('\n', i);
        const end = Math.min(nl === -1 ? text.length : nl + 1, i + PIECE);
        pieceStart = consumed;
        consumed += end - i;
        feed(text.slice(i, end));
        if (end === nl + 1 && nl !== -1) { line++; col = 1; } else col += end - i;
        i = end;
      }
      yield* ready.splice(0);
    }
    feed(none);
  } catch (e) {
    yield* fail(e);
  }
  if (!found) throw new RenkeiError('SOURCE_IO', `${shown}: no array found at items_path "${o.itemsPath}"`);
  if (batch.length) ready.push(batch);
  yield* ready.splice(0);
}
