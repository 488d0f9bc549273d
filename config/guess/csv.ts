/**
 * `guessCsv`: everything `renkei init --from FILE.csv` guesses about a file, from a sample of it
 * (encoding, dialect, header, columns, key), ready to be written out as a pipeline.
 */
import path from 'node:path';
import { decodeSample, guessDialect, guessEncoding, readSample, type EncodingGuess } from './sample.ts';
import { guessColumn, guessHeader, guessKey, guessPattern, type ColumnGuess } from './columns.ts';
import { columnNames, tableName } from './names.ts';

export interface GuessedColumn extends ColumnGuess {
  /** The header as written in the file (undefined without a header row). */
  header?: string;
  /** The field name the pipeline gives it (ASCII snake_case). */
  name: string;
  /** A `pattern` every sampled value matches, for identifier columns. */
  pattern?: string;
}

export interface CsvGuess {
  file: string;
  encoding: EncodingGuess;
  delimiter: string;
  quote: string;
  header: boolean;
  columns: GuessedColumn[];
  /** Field names that identify a row, when the sample shows some. */
  key?: string[];
  table: string;
  /** Data rows sampled (header excluded), and whether they are the whole file. */
  rows: number;
  complete: boolean;
  sampleBytes: number;
}

/** Reads the start of `file` and guesses how to load it. */
export function guessCsv(file: string, table?: string): CsvGuess {
  const { bytes, complete } = readSample(file);
  const encoding = guessEncoding(bytes);
  const { delimiter, quote, rows } = guessDialect(decodeSample(bytes, encoding));
  return guessFromRows(rows, { file, encoding, delimiter, quote, complete, sampleBytes: bytes.length, table: table ?? tableName(path.basename(file)) });
}

/** The column part of the guess, from rows already split (exported for tests on arrays). */
export function guessFromRows(rows: string[][], base: Omit<CsvGuess, 'header' | 'columns' | 'key' | 'rows'>): CsvGuess {
  const header = guessHeader(rows);
  const data = header ? rows.slice(1) : rows;
  const width = header ? rows[0].length : Math.max(0, ...rows.map((r) => r.length));
  const headers = Array.from({ length: width }, (_, i) => (header ? rows[0][i] : undefined));
  const names = columnNames(headers);
  const guesses = headers.map((h, i) => guessColumn(h ?? '', data.map((r) => r[i] ?? '')));
  const keyIdx = guessKey(headers.map((h) => h ?? ''), guesses, data);
  const columns: GuessedColumn[] = guesses.map((g, i) => {
    const pattern = keyIdx?.includes(i) && g.kind === 'text' ? guessPattern(data.map((r) => r[i] ?? '')) : undefined;
    return { ...g, header: headers[i], name: names[i], ...(pattern ? { pattern } : {}) };
  });
  return { ...base, header, columns, key: keyIdx?.map((i) => names[i]), rows: data.length };
}
