/**
 * Values the column type cannot take, caught before the server (issue 12 item 2; numbers only, never
 * pass/fail): the same employee file loaded twice through `renkei run` as a whole process — clean, and
 * with 85% of its rows carrying a date that does not exist (`birth_at` = `YYYY-02-30`) — into the same
 * table shape. The bad file must finish at ≥ 0.5× the clean file's speed (the bad rows are refused by
 * the sink's value check, with no server round trip and no bisection) and every bad row must be in the
 * error CSV. Medians of `repeats` rounds, alternating the two files.
 *
 *   node bin/run-ts.js bench/bad-types.ts [rows] [--repeats N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import pg from 'pg';
import { writeEmployeesCsv } from '../sandbox/employees-csv.ts';
import { ddl, pipelineYaml } from './load-csv.ts';
import { median, round, runCli } from './cli-process.ts';
import { isEntry, withBenchDb } from './entry.ts';

export interface BadTypesBenchResult {
  rows: number;
  bad_rows: number;
  clean_s: number;
  bad_s: number;
  /** clean seconds ÷ bad seconds: 1 = as fast as the clean file (target ≥ 0.5). */
  ratio: number;
  /** Data rows in the bad run's error CSV (must equal bad_rows). */
  error_csv_rows: number;
}

/** Rewrites `clean` with birth_at (8th column) set to a date that does not exist in rows where i % 20 < 17. */
async function writeBadCopy(clean: string, bad: string): Promise<number> {
  const out = fs.createWriteStream(bad);
  let i = -1;
  let n = 0;
  let buf: string[] = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(clean), crlfDelay: Infinity })) {
    if (i >= 0 && i % 20 < 17) {
      const f = line.split(',');
      f[7] = `${f[7].slice(0, 4)}-02-30`;
      buf.push(f.join(','));
      n++;
    } else buf.push(line);
    i++;
    if (buf.length >= 5000) { if (!out.write(buf.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r())); buf = []; }
  }
  out.end(buf.length ? buf.join('\n') + '\n' : '');
  await new Promise<void>((r) => out.once('finish', () => r()));
  return n;
}

/** Data rows of an error CSV: its line ends (the header ends with one, each row after it starts with one; JSON records hold no raw line end). */
async function csvRows(file: string): Promise<number> {
  if (!fs.existsSync(file)) return 0;
  let n = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

export async function benchBadTypes(opts: { url: string; rows?: number; repeats?: number; log?: (s: string) => void }): Promise<BadTypesBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-badtypes-'));
  try {
    const clean = await writeEmployeesCsv(path.join(dir, 'clean.csv'), rows);
    const badFile = path.join(dir, 'bad.csv');
    const badRows = await writeBadCopy(clean, badFile);
    log(`generated ${rows.toLocaleString('en')} rows; ${badRows.toLocaleString('en')} of them (${Math.round((100 * badRows) / rows)}%) with birth_at = YYYY-02-30`);
    const client = new pg.Client({ connectionString: opts.url });
    await client.connect();
    const cleanS: number[] = [];
    const badS: number[] = [];
    let errorRows = 0;
    try {
      for (let i = 0; i < repeats; i++) {
        for (const which of ['clean', 'bad'] as const) {
          await client.query(ddl('bench_badtypes'));
          await client.query('CHECKPOINT');
          const errors = `errors-${which}-${i}.csv`;
          const yaml = pipelineYaml(which === 'clean' ? clean : badFile, 'bench_badtypes')
            .replace('errors: { type: csv, path: errors.csv }', `errors: { type: csv, path: ${errors} }\noptions: { max_rejected_ratio: 1 }`);
          const r = await runCli(dir, opts.url, `badtypes-${which}`, yaml);
          const want = which === 'clean' ? rows : rows - badRows;
          if (r.counts.written !== want || r.counts.rejected !== rows - want) {
            throw new Error(`${which}: expected ${want} written and ${rows - want} rejected, got ${JSON.stringify(r.counts)}`);
          }
          (which === 'clean' ? cleanS : badS).push(r.seconds);
          if (which === 'bad') errorRows = await csvRows(path.join(dir, errors));
          log(`round ${i + 1} ${which}: ${r.seconds.toFixed(2)} s (${r.counts.written.toLocaleString('en')} written, ${r.counts.rejected.toLocaleString('en')} rejected)`);
        }
      }
      await client.query('DROP TABLE IF EXISTS bench_badtypes');
    } finally {
      await client.end();
    }
    const clean_s = median(cleanS);
    const bad_s = median(badS);
    return { rows, bad_rows: badRows, clean_s: round(clean_s), bad_s: round(bad_s), ratio: round(clean_s / bad_s), error_csv_rows: errorRows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (isEntry(import.meta.url)) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const repeats = Number(process.argv[process.argv.indexOf('--repeats') + 1] || 3);
  await withBenchDb(async (url) => {
    console.log(JSON.stringify(await benchBadTypes({ url, rows, repeats, log: (s) => console.log(`  ${s}`) }), null, 2));
  });
}
