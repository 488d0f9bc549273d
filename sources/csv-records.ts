/**
 * CSV bytes → batches of records. The core of the `csv` source, kept apart from the file so tests can
 * feed the same bytes in chunks of every size: header or explicit columns, one object shape per file,
 * malformed rows as rejected Drops (the read goes on), origin `<path>:<line where the record starts>`.
 */
import { Drop, type Rec, type Row } from '../engine/types.ts';
import { ConfigError, RenkeiError } from '../engine/errors.ts';
import { CsvScanner } from './csv-scanner.ts';
import { decodeText, type ByteChunks } from './text-decode.ts';

export interface CsvReadOptions {
  encoding: string;
  delimiter: string;
  quote: string;
  header: boolean;
  columns?: string[];
  skipLines: number;
  trim: boolean;
  /**
   * Empty fields: undefined = PostgreSQL's CSV rules (unquoted empty → null, `""` → empty string);
   * true = every empty field null; false = every empty field an empty string.
   */
  emptyAsNull?: boolean;
  batchSize: number;
  /** Longest a quoted field may stay open (chars) before it is rejected as unterminated; default 4 Mi. */
  maxQuoted?: number;
}

/**
 * A constructor of row objects with fixed keys, so every record of a file shares one hidden class and
 * no per-row key handling is done. Keys are embedded as JSON string literals (`__proto__` as a computed
 * key, which defines an own property instead of setting the prototype).
 */
export function rowFactory(names: string[]): (f: Array<string | null>) => Row {
  const props = names.map((n, i) => (n === '__proto__' ? `[${JSON.stringify(n)}]` : JSON.stringify(n)) + `:f[${i}]`);
  return new Function('f', `return {${props.join(',')}};`) as (f: Array<string | null>) => Row;
}

/** Field names from a header row; empty or repeated names cannot become record keys. */
function headerNames(fields: string[], count: number, shown: string): string[] {
  const names = fields.slice(0, count);
  const seen = new Map<string, number>();
  if (names[0]?.startsWith('\uFEFF')) {
    throw new ConfigError(`${shown}: the file starts with two byte-order marks (a UTF-8 BOM added twice, e.g. by two tools in a row), so its first header would read "\\uFEFF${names[0].slice(1)}"; remove one (or name the columns with \`columns:\`)`);
  }
  names.forEach((n, i) => {
    if (n === '') throw new ConfigError(`${shown}: header column ${i + 1} is empty; name the columns with \`columns:\``);
    const first = seen.get(n);
    if (first !== undefined) {
      throw new ConfigError(`${shown}: header "${n}" appears twice (columns ${first + 1} and ${i + 1}); rename the columns with \`columns:\``);
    }
    seen.set(n, i);
  });
  return names;
}

/**
 * Parse CSV from byte chunks. `shown` is the path as given in the config (origins start with it).
 * Throws `RenkeiError('SOURCE_IO')` for a file with no header row, `ConfigError` for an unusable header.
 */
export async function* csvRecords(chunks: ByteChunks, o: CsvReadOptions, shown: string): AsyncGenerator<Array<Rec | Drop>> {
  const prefix = `${shown}:`;
  const size = Math.max(1, o.batchSize);
  let names: string[] | undefined = o.header ? undefined : o.columns;
  let make = names ? rowFactory(names) : undefined;
  let width = names ? names.length : 0;
  let batch: Array<Rec | Drop> = [];
  const ready: Array<Array<Rec | Drop>> = [];
  const put = (item: Rec | Drop) => {
    batch.push(item);
    if (batch.length >= size) { ready.push(batch); batch = []; }
  };
  const reject = (code: string, message: string, line: number, raw: string, fields?: string[], count = 0) => {
    const drop = new Drop('rejected', code, message, prefix + line, raw);
    // The fields a malformed row did yield, by column, so its error row still shows its key.
    if (fields && names) {
      const read: Row = {};
      for (let i = 0; i < Math.min(count, names.length); i++) read[names[i]] = fields[i];
      drop.read = read;
    }
    put(drop);
  };
  const emptyAsNull = o.emptyAsNull;

  const scanner: CsvScanner = new CsvScanner({
    row(fields, count, line, badBytes, quotedEmpty, afterQuote) {
      if (!make) {
        if (badBytes) throw new RenkeiError('SOURCE_IO', `${shown}:${line}: the header row has bytes that are not valid ${o.encoding}; is \`encoding\` right?`);
        if (o.columns) {
          if (count !== o.columns.length) {
            throw new ConfigError(`${shown}: \`columns\` names ${o.columns.length} columns but the header row (line ${line}) has ${count}`);
          }
          names = o.columns;
        } else names = headerNames(fields, count, shown);
        width = names.length;
        make = rowFactory(names);
        return;
      }
      if (badBytes) return reject('CSV_ENCODING', `line ${line}: bytes that are not valid ${o.encoding}`, line, scanner.rowText(), fields, count);
      if (afterQuote) return reject('CSV_TEXT_AFTER_QUOTE', `line ${line}: text after a closing quote (as in "b"c): the field is ambiguous, so the row is not read; quote the whole field`, line, scanner.rowText(), fields, count);
      if (count !== width) return reject('CSV_RAGGED_ROW', `line ${line}: expected ${width} columns, got ${count}`, line, scanner.rowText(), fields, count);
      const f: Array<string | null> = fields;
      if (emptyAsNull !== false) {
        for (let i = 0; i < count; i++) if (f[i] === '') f[i] = null;
        if (emptyAsNull === undefined) for (const i of quotedEmpty) if (f[i] === null) f[i] = '';
      }
      put({ data: make(f), origin: prefix + line });
    },
    tooLong(line, prefix) {
      if (!make) throw new RenkeiError('SOURCE_IO', `${shown}:${line}: the header row is longer than ${(o.maxQuoted ?? 0).toLocaleString('en-US')} characters`);
      reject('CSV_RECORD_TOO_LONG', `line ${line}: longer than the limit (max_record_chars) without a line end; the line is rejected and reading goes on with the next`, line, `${prefix}…`);
    },
    unterminated(line, raw) {
      if (!make) throw new RenkeiError('SOURCE_IO', `${shown}:${line}: the header row opens a quote that is never closed`);
      reject('CSV_UNTERMINATED_QUOTE', `line ${line}: quoted field opened here is never closed; the line is rejected and reading goes on with the next`, line, raw);
    },
  }, { delimiter: o.delimiter, quote: o.quote, trim: o.trim, skipLines: o.skipLines, maxQuoted: o.maxQuoted });

  for await (const { text, bad } of decodeText(chunks, o.encoding)) {
    scanner.push(text, bad);
    while (ready.length) yield ready.shift()!;
  }
  scanner.end();
  while (ready.length) yield ready.shift()!;
  if (!make) throw new RenkeiError('SOURCE_IO', `${shown}: the file is empty (expected a header row)`);
  if (batch.length) yield batch;
}
