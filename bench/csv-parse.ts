/**
 * CSV parser benchmark: the same generated file (15 columns of employee data with Japanese names,
 * ~10% quoted fields with commas, some with line breaks and doubled quotes) read by each candidate.
 * Prints seconds and rows/s; never asserts. Numbers only compare within one run on one machine.
 *
 *   node bin/run-ts.js bench/csv-parse.ts [--rows N] [--runs N] [--only name,name]
 *
 * Rows are counted (and fields touched) by every parser so none is measured on skipped work.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parse as fastCsvParse } from 'fast-csv';
import csvParser from 'csv-parser';
import Papa from 'papaparse';
import { inferSchema, initParser } from 'udsv';
import { CsvScanner } from '../sources/csv-scanner.ts';
import { csvRecords } from '../sources/csv-records.ts';
import { decodeText, readFileChunks } from '../sources/text-decode.ts';
import { isEntry } from './entry.ts';

export interface CsvBenchOptions {
  rows?: number;
  runs?: number;
  /** Parser names to run (default: all). */
  only?: string[];
  /** Directory for the data file (default: a fresh temp dir, removed afterwards). */
  dir?: string;
}

export interface CsvBenchResult {
  parser: string;
  /** Wall-clock seconds (median of runs). */
  seconds: number;
  /** CPU seconds of the process, all threads (median of runs): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  rowsPerSec: number;
  rows: number;
  /** Whether the parser reports the line each record starts on (needed for origins). */
  lineNumbers: boolean;
}

export interface CsvBenchReport {
  rows: number;
  bytes: number;
  results: CsvBenchResult[];
}

/** Small seeded PRNG (mulberry32): the same file on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LAST = [['山田', 'ヤマダ'], ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['髙橋', 'タカハシ'], ['田中', 'タナカ'], ['渡邊', 'ワタナベ'], ['伊藤', 'イトウ'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['齋藤', 'サイトウ']];
const FIRST = [['太郎', 'タロウ'], ['花子', 'ハナコ'], ['健一', 'ケンイチ'], ['美咲', 'ミサキ'], ['翔太', 'ショウタ'], ['陽菜', 'ヒナ'], ['大輔', 'ダイスケ'], ['結衣', 'ユイ']];
const DEPT = ['営業部', '開発部 第一課', '人事総務部', '経理部', 'カスタマーサクセス部', '製造部'];
const TYPE = ['正社員', '契約社員', 'パート', 'アルバイト', '業務委託'];
const PREF = ['東京都千代田区丸の内1-1-1', '大阪府大阪市北区梅田2-2-2', '愛知県名古屋市中村区3-3', '福岡県福岡市博多区4-4-4'];

export const HEADER = ['employee_code', 'last_name', 'first_name', 'last_name_kana', 'first_name_kana', 'email', 'gender',
  'birth_date', 'entered_at', 'resigned_at', 'department', 'position', 'employment_type', 'address', 'memo'];

/** One generated data row as CSV text (LF line end). */
function makeRow(i: number, r: () => number): string {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const [ln, lk] = pick(LAST);
  const [fn, fk] = pick(FIRST);
  const y = 1960 + Math.floor(r() * 45);
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const pad = (n: number) => String(n).padStart(2, '0');
  const x = r();
  // ~10% of addresses carry a comma (quoted); ~2% of memos a line break; ~1% doubled quotes.
  const address = x < 0.1 ? `"${pick(PREF)}, ${pick(['マンション101', 'ビル5F', '寮'])}"` : pick(PREF);
  const memo = x < 0.02 ? '"前職: 株式会社サンプル\n転籍"' : x < 0.03 ? '"通称 ""タロ"" あり"' : x < 0.5 ? '' : '特記事項なし';
  return [`E${String(i).padStart(7, '0')}`, ln, fn, lk, fk, `user${i}@example.co.jp`, pick(['男性', '女性', '']),
    `${y}-${pad(m)}-${pad(d)}`, `20${pad(Math.floor(r() * 24))}-04-01`, x > 0.9 ? '2024-03-31' : '', pick(DEPT),
    pick(['部長', '課長', '主任', '一般']), pick(TYPE), address, memo].join(',') + '\n';
}

/** Write the benchmark file; returns its size in bytes. */
export async function generateCsv(file: string, rows: number, seed = 42): Promise<number> {
  const r = prng(seed);
  const out = fs.createWriteStream(file);
  let bytes = 0;
  let piece = HEADER.join(',') + '\n';
  for (let i = 1; i <= rows; i++) {
    piece += makeRow(i, r);
    if (piece.length > 1 << 16 || i === rows) {
      bytes += Buffer.byteLength(piece);
      if (!out.write(piece)) await once(out, 'drain');
      piece = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

type Run = (file: string) => Promise<number>;

/** Each candidate returns the number of data rows (header included where it cannot skip it). */
const parsers: Record<string, { lineNumbers: boolean; run: Run }> = {
  'read+decode only (floor)': {
    lineNumbers: false,
    async run(file) {
      let n = 0;
      for await (const { text } of decodeText(readFileChunks(file, file), 'utf-8')) n += text.length;
      return n > 0 ? 0 : -1;
    },
  },
  'renkei scanner (arrays)': {
    lineNumbers: true,
    async run(file) {
      let rows = 0;
      let chars = 0;
      const s = new CsvScanner({
        row(f, n) { rows++; chars += f[n - 1].length; },
        unterminated() { throw new Error('unexpected'); },
      }, { delimiter: ',', quote: '"', trim: false, skipLines: 0 });
      for await (const { text, bad } of decodeText(readFileChunks(file, file), 'utf-8')) s.push(text, bad);
      s.end();
      return chars >= 0 ? rows - 1 : 0;
    },
  },
  'renkei csv source (Rec objects, batches)': {
    lineNumbers: true,
    async run(file) {
      let rows = 0;
      const o = { encoding: 'utf-8', delimiter: ',', quote: '"', header: true, skipLines: 0, trim: false, emptyAsNull: false, batchSize: 1000 };
      for await (const b of csvRecords(readFileChunks(file, file), o, 'bench.csv')) rows += b.length;
      return rows;
    },
  },
  'udsv (1 MiB chunks, arrays)': {
    lineNumbers: false,
    async run(file) {
      let rows = 0;
      const dec = new TextDecoder();
      let parser: ReturnType<typeof initParser> | null = null;
      const onRow = (row: string[]) => { rows += row.length > 0 ? 1 : 0; };
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
        const str = dec.decode(chunk as Buffer, { stream: true });
        parser ??= initParser(inferSchema(str, { col: ',', row: '\n', encl: '"' }));
        parser.chunk<string[]>(str, parser.stringArrs, onRow);
      }
      parser!.end();
      return rows;
    },
  },
  'papaparse (arrays)': {
    lineNumbers: false,
    run(file) {
      return new Promise((resolve, reject) => {
        let rows = 0;
        Papa.parse(fs.createReadStream(file, { encoding: 'utf8' }), {
          header: false,
          chunk(res: Papa.ParseResult<string[]>) { rows += res.data.length; },
          complete() { resolve(rows - 1); },
          error(e: Error) { reject(e); },
        });
      });
    },
  },
  'csv-parser (objects)': {
    lineNumbers: false,
    async run(file) {
      let rows = 0;
      const p = fs.createReadStream(file).pipe(csvParser());
      p.on('data', () => { rows++; });
      await once(p, 'end');
      return rows;
    },
  },
  'fast-csv (objects)': {
    lineNumbers: false,
    async run(file) {
      let rows = 0;
      const p = fs.createReadStream(file).pipe(fastCsvParse({ headers: true }));
      p.on('data', () => { rows++; });
      await once(p, 'end');
      return rows;
    },
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Generate the data and time each parser `runs` times (round robin); medians are reported. */
export async function benchCsvParse(opts: CsvBenchOptions = {}): Promise<CsvBenchReport> {
  const rows = opts.rows ?? 1_000_000;
  const runs = opts.runs ?? 1;
  const names = Object.keys(parsers).filter((n) => !opts.only || opts.only.some((o) => n.startsWith(o)));
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-csv-bench-'));
  const file = path.join(dir, 'employees.csv');
  try {
    const bytes = await generateCsv(file, rows);
    const times = new Map<string, number[]>(names.map((n) => [n, []]));
    const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
    const counts = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      for (const name of names) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const n = await parsers[name].run(file);
        const c = process.cpuUsage(c0);
        times.get(name)!.push((performance.now() - t0) / 1000);
        cpu.get(name)!.push((c.user + c.system) / 1e6);
        counts.set(name, n);
      }
    }
    const results = names.map((parser) => {
      const seconds = median(times.get(parser)!);
      return { parser, seconds, cpuSeconds: median(cpu.get(parser)!), rowsPerSec: rows / seconds, rows: counts.get(parser)!, lineNumbers: parsers[parser].lineNumbers };
    });
    return { rows, bytes, results };
  } finally {
    if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatCsvBench(r: CsvBenchReport): string {
  const lines = [`CSV parse: ${r.rows.toLocaleString('en')} rows, ${(r.bytes / 1e6).toFixed(1)} MB, 15 columns`,
    `${'parser'.padEnd(42)} ${'seconds'.padStart(8)} ${'cpu s'.padStart(7)} ${'rows/s'.padStart(11)}  line numbers  rows seen`];
  for (const x of r.results) {
    lines.push(`${x.parser.padEnd(42)} ${x.seconds.toFixed(2).padStart(8)} ${x.cpuSeconds.toFixed(2).padStart(7)} ${Math.round(x.rowsPerSec).toLocaleString('en').padStart(11)}  ${(x.lineNumbers ? 'yes' : 'no').padEnd(12)}  ${x.rows}`);
  }
  return lines.join('\n');
}


if (isEntry(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const report = await benchCsvParse({
    rows: arg('rows') ? Number(arg('rows')) : undefined,
    runs: arg('runs') ? Number(arg('runs')) : undefined,
    only: arg('only')?.split(','),
  });
  console.log(formatCsvBench(report));
}
