/**
 * The full employee chain through the CLI, side by side with what a user could do instead, in one
 * run, on one server, same file, same table shape (15 columns, primary key on emp_code), medians of
 * `repeats` rounds. Each figure is also given as a ratio to server-side COPY (1 = as fast as the
 * server reading the file itself; higher is faster):
 *
 * - `server_copy`: `COPY t FROM '/abs/file.csv' CSV HEADER` — the server reads the file: the limit;
 * - `raw_copy_streams`: the file piped unparsed into `COPY t FROM STDIN CSV HEADER` (pg-copy-streams,
 *   in this process) — the transport alone;
 * - `renkei_plain`: `node bin/renkei.js run` as a whole process, csv → postgres `append`, no transforms;
 * - `renkei_chain`: `node bin/renkei.js run`, csv → normalize (kana, emails, dates) → map with a
 *   lookup table → validate → dedupe keep-first (email) → postgres `upsert` on emp_code;
 * - `pgloader`: pgloader 3 with a CSV load command, when it is on PATH (otherwise skipped, with a note).
 *
 *   node bin/run-ts.js bench/chain.ts [rows] [--repeats N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EMPLOYEE_COLUMNS, writeEmployeesCsv } from '../sandbox/employees-csv.ts';
import { DATE_COLS, ddl, pipelineYaml } from './load-csv.ts';
import { cliFlavour, median, round, runCli } from './cli-process.ts';
import { isEntry, withBenchDb } from './entry.ts';

const run = promisify(execFile);

export interface ChainFigure { s: number; ratio: number }
export interface ChainBenchResult {
  rows: number;
  csv_mb: number;
  cli: 'compiled' | 'tsx';
  server_copy: ChainFigure;
  raw_copy_streams: ChainFigure;
  renkei_plain: ChainFigure & { peak_rss_mb: number };
  /** The plain load of the first 100,000 rows, for the peak RSS of a small load (issue 12: the 1M load's ≤ 1.2× this). */
  renkei_plain_100k: { s: number; peak_rss_mb: number };
  renkei_chain: ChainFigure & { written: number; rejected: number; filtered: number };
  pgloader: ChainFigure | { skipped: string };
}

const COLUMNS_YAML = EMPLOYEE_COLUMNS.map((c) => `      - { name: ${c}, type: ${DATE_COLS.has(c) ? 'date' : 'text'} }`).join('\n');

/** The employee chain of issue 12, as a pipeline file. */
export function chainYaml(csv: string, table: string): string {
  return `name: bench-chain
key: [emp_code]
source: { type: csv, path: ${JSON.stringify(csv)} }
transforms:
  - type: normalize
    fields: { last_name_yomi: kana, first_name_yomi: kana, email: email, birth_at: date, entered_at: date, resigned_at: date }
  - type: map
    keep: true
    fields:
      employment_type:
        lookup: employment_type
        table: { 正社員: 正社員, 契約社員: 契約社員, アルバイト・パート: パート・アルバイト, 派遣社員: 派遣社員, 業務委託: 業務委託, 役員: 役員（任用契約） }
        default: その他
  - type: validate
    rules:
      - { fields: [emp_code, last_name, first_name], check: required, code: MISSING_FIELD }
      - { fields: [email], check: email, code: INVALID_EMAIL }
      - { fields: [last_name_yomi, first_name_yomi], check: katakana, code: INVALID_KANA }
  - type: dedupe
    key: [email]
    policy: keep-first
    code: DUPLICATE_EMAIL
sinks:
  - type: postgres
    table: ${table}
    mode: upsert
    key: [emp_code]
    columns:
${COLUMNS_YAML}
errors: { type: csv, path: chain-errors.csv }
options: { max_rejected_ratio: 1 }
`;
}

function pgloaderPath(): string | undefined {
  try { return execFileSync('sh', ['-c', 'command -v pgloader'], { encoding: 'utf8' }).trim() || undefined; } catch { return undefined; }
}

/** pgloader 3 loading the CSV into an existing table (its defaults otherwise). */
async function pgloader(bin: string, dir: string, url: string, csv: string, table: string): Promise<void> {
  const cols = EMPLOYEE_COLUMNS.join(', ');
  const cmd = path.join(dir, 'load.pgloader');
  fs.writeFileSync(cmd, `LOAD CSV FROM '${csv}' (${cols})
  INTO ${url.replace(/^postgres:/, 'postgresql:')}?tablename=${table} (${cols})
  WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote, fields terminated by ',';
`);
  await run(bin, ['--quiet', cmd], { maxBuffer: 1 << 24 });
}

export async function benchChain(opts: { url: string; rows?: number; repeats?: number; log?: (s: string) => void }): Promise<ChainBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-chain-'));
  fs.chmodSync(dir, 0o755);
  const admin = new pg.Client({ connectionString: opts.url });
  await admin.connect();
  const count = async (t: string) => Number((await admin.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  const fresh = async (t: string) => { await admin.query(ddl(t)); await admin.query('CHECKPOINT'); };
  try {
    const csv = await writeEmployeesCsv(path.join(dir, `emp-${rows}.csv`), rows);
    fs.chmodSync(csv, 0o644);
    const small = Math.min(100_000, rows);
    const csvSmall = await writeEmployeesCsv(path.join(dir, `emp-${small}.csv`), small);
    fs.chmodSync(csvSmall, 0o644);
    const rss: Record<'plain' | 'small', number[]> = { plain: [], small: [] };
    const smallS: number[] = [];
    const loader = pgloaderPath();
    const t: Record<string, number[]> = { server_copy: [], raw_copy_streams: [], renkei_plain: [], renkei_chain: [], pgloader: [] };
    let last = { written: 0, rejected: 0, filtered: 0 };
    const time = async (name: string, f: () => Promise<void>) => { const t0 = performance.now(); await f(); t[name].push((performance.now() - t0) / 1000); };
    for (let i = 0; i < repeats; i++) {
      await fresh('bench_server');
      await time('server_copy', async () => { await admin.query(`COPY bench_server FROM ${admin.escapeLiteral(csv)} CSV HEADER`); });
      await fresh('bench_raw');
      const c = new pg.Client({ connectionString: opts.url });
      await c.connect();
      try {
        await time('raw_copy_streams', () => pipeline(fs.createReadStream(csv, { highWaterMark: 1 << 16 }), c.query(copyFrom('COPY bench_raw FROM STDIN CSV HEADER'))));
      } finally { await c.end(); }
      await fresh('bench_plain');
      const p = await runCli(dir, opts.url, 'plain', pipelineYaml(csv, 'bench_plain'));
      t.renkei_plain.push(p.seconds);
      rss.plain.push(p.max_rss_mb);
      await fresh('bench_plain');
      const ps = await runCli(dir, opts.url, 'plain-small', pipelineYaml(csvSmall, 'bench_plain'));
      if (ps.counts.written !== small) throw new Error(`plain load of ${small} rows wrote ${ps.counts.written}`);
      smallS.push(ps.seconds);
      rss.small.push(ps.max_rss_mb);
      await fresh('bench_chain');
      const r = await runCli(dir, opts.url, 'chain', chainYaml(csv, 'bench_chain'));
      t.renkei_chain.push(r.seconds);
      last = { written: r.counts.written, rejected: r.counts.rejected, filtered: r.counts.filtered };
      if (loader) {
        await fresh('bench_pgloader');
        await time('pgloader', () => pgloader(loader, dir, opts.url, csv, 'bench_pgloader'));
        if (await count('bench_pgloader') !== rows) throw new Error('pgloader did not load every row');
      }
      for (const x of ['bench_server', 'bench_raw']) if (await count(x) !== rows) throw new Error(`${x}: expected ${rows} rows`);
      if (p.counts.written !== rows) throw new Error(`plain load wrote ${p.counts.written}`);
      log(`round ${i + 1}: peak RSS plain ${p.max_rss_mb} MB (${small.toLocaleString('en')} rows: ${ps.max_rss_mb} MB); ${Object.entries(t).filter(([, v]) => v.length).map(([k, v]) => `${k} ${v[i].toFixed(2)} s`).join(', ')}`);
    }
    await admin.query('DROP TABLE IF EXISTS bench_server, bench_raw, bench_plain, bench_chain, bench_pgloader');
    const base = median(t.server_copy);
    const fig = (k: string): ChainFigure => { const s = median(t[k]); return { s: round(s), ratio: round(base / s) }; };
    return {
      rows, csv_mb: round(fs.statSync(csv).size / 1e6, 1), cli: cliFlavour(),
      server_copy: fig('server_copy'), raw_copy_streams: fig('raw_copy_streams'),
      // Peak RSS: the highest of the rounds, for both sizes.
      renkei_plain: { ...fig('renkei_plain'), peak_rss_mb: Math.max(...rss.plain) },
      renkei_plain_100k: { s: round(median(smallS)), peak_rss_mb: Math.max(...rss.small) },
      renkei_chain: { ...fig('renkei_chain'), ...last },
      pgloader: loader ? fig('pgloader') : { skipped: 'pgloader is not on PATH (apt-get install pgloader to include it)' },
    };
  } finally {
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (isEntry(import.meta.url)) {
  const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const i = process.argv.indexOf('--repeats');
  const r = await withBenchDb((url) => benchChain({ url, rows, repeats: i === -1 ? 3 : Number(process.argv[i + 1]), log: (l) => process.stderr.write(l + '\n') }));
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
