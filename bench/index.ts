/**
 * `npm run bench` — every benchmark, each reported as a ratio to a baseline measured in the same run
 * (the machine is noisy: absolute seconds mean little, ratios taken together mean more). Numbers
 * only, never pass/fail. Writes the full figures to bench/out/bench-<time>.json, and the latest
 * run's to bench/results.json and bench/results.md (ratios, machine, load average; see bench/README.md).
 *
 *   npm run bench                       # everything at full size (≈ 10 minutes on 2 cores)
 *   npm run bench -- --quick            # 10× smaller, for a quick look
 *   npm run bench -- --only chain,pgsource   # some of: chain, pgsource, badtypes, load, copy, parse, transforms, read, upsert, kot, tenants
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startEmbedded } from '../db/embedded.ts';
import { benchLoadCsv } from './load-csv.ts';
import { benchPgCopy } from './pg-copy.ts';
import { benchCsvParse, formatCsvBench } from './csv-parse.ts';
import { benchTransforms } from './transforms.ts';
import { benchSmarthrRead, formatSmarthrRead } from './smarthr-read.ts';
import { benchRestUpsert } from './rest-upsert.ts';
import { benchKingoftimeAttendance } from './kingoftime-attendance.ts';
import { benchChain } from './chain.ts';
import { benchBadTypes } from './bad-types.ts';
import { benchPgSource } from './pg-source.ts';
import { benchTenantRuns } from './tenant-runs.ts';
import { machineInfo, resultsMarkdown, writeResults } from './results.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['chain', 'pgsource', 'badtypes', 'load', 'copy', 'parse', 'transforms', 'read', 'upsert', 'kot', 'tenants'] as const;

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const only = new Set(values.only ? values.only.split(',') : ALL);
const bad = [...only].filter((x) => !(ALL as readonly string[]).includes(x));
if (bad.length) { console.error(`unknown benchmark ${bad.join(', ')}; valid: ${ALL.join(', ')}`); process.exit(2); }
const q = values.quick ? 10 : 1;
const log = (s: string) => console.log(`  ${s}`);
const results: Record<string, unknown> = { started_at: new Date().toISOString(), cpus: os.cpus().length, load_avg: os.loadavg(), quick: values.quick };
const summary: string[] = [];

let url = process.env.DATABASE_URL;
let stopDb = async () => {};
let tmp: string | undefined;
if (!url && ['chain', 'pgsource', 'badtypes', 'load', 'copy', 'kot', 'tenants'].some((x) => only.has(x))) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-pg-'));
  // Default (durable) settings: the baseline and renkei share the same server, so the ratio is fair.
  const h = await startEmbedded({ dir: tmp });
  url = h.url;
  stopDb = h.stop;
}

const machine = await machineInfo(url);
results.machine = machine;

try {
  if (only.has('chain')) {
    console.log(`\n▶ the full employee chain through the CLI, vs server-side COPY, raw pg-copy-streams, the plain load and pgloader`);
    const r = await benchChain({ url: url!, rows: 1_000_000 / q, repeats: 3, log });
    results.chain = r;
    summary.push(`chain: ${r.rows.toLocaleString('en')} rows, server-side COPY ${r.server_copy.s.toFixed(2)} s; raw pg-copy-streams ${r.raw_copy_streams.ratio.toFixed(2)}×, renkei plain load ${r.renkei_plain.ratio.toFixed(2)}× (target ≥ 0.7×), renkei full chain ${r.renkei_chain.ratio.toFixed(2)}× (target ≥ 0.5×), peak RSS plain ${r.renkei_plain_100k.peak_rss_mb.toFixed(0)} MB at 100k → ${r.renkei_plain.peak_rss_mb.toFixed(0)} MB at ${r.rows.toLocaleString('en')} (${(r.renkei_plain.peak_rss_mb / r.renkei_plain_100k.peak_rss_mb).toFixed(2)}×, target ≤ 1.2×), pgloader ${'skipped' in r.pgloader ? 'skipped (not installed)' : `${r.pgloader.ratio.toFixed(2)}×`} (CLI: ${r.cli})`);
  }
  if (only.has('pgsource')) {
    console.log(`\n▶ postgres source: Postgres → Postgres through renkei vs a COPY TO → COPY FROM pipe; reading with COPY vs a cursor`);
    const r = await benchPgSource({ url: url!, rows: 1_000_000 / q, repeats: 3, log });
    results.pgsource = r;
    summary.push(`pgsource: ${r.rows.toLocaleString('en')} rows Postgres → Postgres, COPY pipe ${r.pg_to_pg.copy_pipe_s.toFixed(2)} s, renkei ${r.pg_to_pg.renkei_s.toFixed(2)} s → ${r.pg_to_pg.ratio.toFixed(2)}× (target ≥ 0.5×); read alone COPY ${r.read.copy_s.toFixed(2)} s vs cursor ${r.read.cursor_s.toFixed(2)} s`);
  }
  if (only.has('badtypes')) {
    console.log(`\n▶ values the column type cannot take: a file with 85% of rows carrying a date that does not exist, vs the clean file`);
    const r = await benchBadTypes({ url: url!, rows: 1_000_000 / q, repeats: 3, log });
    results.badtypes = r;
    summary.push(`badtypes: ${r.rows.toLocaleString('en')} rows, ${r.bad_rows.toLocaleString('en')} with a bad date: ${r.bad_s.toFixed(2)} s vs the clean file's ${r.clean_s.toFixed(2)} s → ${r.ratio.toFixed(2)}× (target ≥ 0.5×); error CSV rows ${r.error_csv_rows.toLocaleString('en')}`);
  }
  if (only.has('load')) {
    console.log(`\n▶ CSV → PostgreSQL, no transforms, vs the server reading the same file (COPY … FROM '/file')`);
    const r = await benchLoadCsv({ url: url!, rows: 1_000_000 / q, repeats: 3, log });
    results.load = r;
    summary.push(`load: ${r.rows.toLocaleString('en')} rows in ${r.renkei_s.toFixed(2)} s vs server-side COPY ${r.server_copy_s.toFixed(2)} s → ${r.ratio.toFixed(2)}× (target ≥ 0.6×); peak RSS ${Object.entries(r.rss_mb).map(([n, mb]) => `${Number(n).toLocaleString('en')} rows ${mb.toFixed(0)} MB`).join(', ')}`);
  }
  if (only.has('copy')) {
    console.log(`\n▶ postgres sink alone (pre-built records) in each mode, vs server-side COPY`);
    const r = await benchPgCopy({ url: url!, rows: 1_000_000 / q, repeats: 3, log });
    results.copy = r;
    summary.push(`copy: ${Object.entries(r.sink).map(([m, x]) => `${m} ${x.ratio.toFixed(2)}×`).join(', ')} of server-side COPY (${r.server_copy_s.toFixed(2)} s for ${r.rows.toLocaleString('en')} rows)`);
  }
  if (only.has('parse')) {
    console.log(`\n▶ CSV parsers on the same file`);
    const r = await benchCsvParse({ rows: 1_000_000 / q, runs: 3 });
    results.parse = r;
    console.log(formatCsvBench(r));
    const best = [...r.results].filter((x) => x.lineNumbers || x.rows > 0).filter((x) => !x.parser.includes('floor')).sort((a, b) => a.seconds - b.seconds)[0];
    const ours = r.results.find((x) => x.parser.startsWith('renkei csv source'));
    const fast = r.results.find((x) => x.parser.includes('fast-csv'));
    summary.push(`parse: renkei csv source ${ours?.seconds.toFixed(2) ?? '?'} s for ${r.rows.toLocaleString('en')} rows; fastest ${best.parser} ${best.seconds.toFixed(2)} s${fast ? `; fast-csv ${fast.seconds.toFixed(2)} s` : ''}`);
  }
  if (only.has('transforms')) {
    console.log(`\n▶ transform chain normalize + map + validate + dedupe, and dedupe/diff memory`);
    const r = await benchTransforms({ rows: 1_000_000 / q, memRows: [100_000 / q, 1_000_000 / q], log });
    results.transforms = r;
    summary.push(`transforms: ${r.chain.map((c) => `${c.policy} ${Math.round(c.records_per_s).toLocaleString('en')} rec/s`).join(', ')}; memory ${r.memory.map((m) => `${m.kind}@${m.rows.toLocaleString('en')} ${m.max_rss_mb.toFixed(0)} MB`).join(', ')}`);
  }
  if (only.has('read')) {
    console.log(`\n▶ SmartHR read of 100k crews at a server limit of 200 requests/s, vs the floor (pages ÷ rate)`);
    const r = await benchSmarthrRead({ crews: 100_000 / q, rate: 200, log });
    results.read = r;
    console.log(formatSmarthrRead(r));
    summary.push(`read: ${r.records.toLocaleString('en')} crews in ${r.seconds.toFixed(2)} s, floor ${r.floorSeconds.toFixed(2)} s → ${r.ratio.toFixed(3)}× the floor (target ≤ 1.05–1.1×), ${r.server429} × 429`);
  }
  if (only.has('upsert')) {
    console.log(`\n▶ REST upserts to the sandbox with 20 ms latency, vs the ideal (concurrency ÷ latency)`);
    const r = await benchRestUpsert({ writes: 10_000 / q, log });
    results.upsert = r;
    summary.push(`upsert: ${r.results.map((x) => `c=${x.concurrency} ${Math.round(x.writes_per_s)}/s = ${x.pct_of_ideal.toFixed(0)}% of ideal ${Math.round(x.ideal_per_s)}/s`).join(', ')} (${r.results.reduce((a, x) => a + x.client_429, 0)} × 429)`);
  }
  if (only.has('kot')) {
    console.log(`\n▶ KING OF TIME daily workings of a month (requests of ≤ 7 days) into PostgreSQL through the API pipeline, then the same range again`);
    const r = await benchKingoftimeAttendance({ employees: 10_000 / q, month: '2026-03', daysPerRequest: 7, log, url });
    results.kot = r;
    const first = r.first as { records: number; seconds: number }, again = r.again as { seconds: number };
    summary.push(`kot: ${first.records.toLocaleString('en')} daily workings in ${first.seconds.toFixed(2)} s; the same range again ${again.seconds.toFixed(2)} s (${(again.seconds / first.seconds).toFixed(2)}× the first)`);
  }
  if (only.has('tenants')) {
    console.log(`\n▶ tenant-runs per minute on 1, 2 and 4 renkei worker processes (one SmartHR sandbox and token per company), vs the ideal the per-token limits set`);
    const r = await benchTenantRuns({ url: url!, tenants: values.quick ? 20 : 60, workers: [1, 2, 4], log });
    results.tenants = r;
    summary.push(`tenants: ${r.levels.map((l) => `${l.workers} worker(s) ${l.runs_per_min.toFixed(0)} runs/min = ${l.pct_of_ideal.toFixed(0)}% of ideal ${l.ideal_runs_per_min.toFixed(0)} (CPU ${l.cpu_s_per_worker.map((c) => c.toFixed(1)).join('/')} s)`).join(', ')}; ${r.note}`);
  }
} finally {
  await stopDb();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

const outDir = path.join(ROOT, 'bench', 'out');
fs.mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
machine.load_avg_end = os.loadavg().map((x) => Math.round(x * 100) / 100);
writeResults(path.join(ROOT, 'bench'), results, resultsMarkdown({ machine, quick: values.quick, started_at: results.started_at as string, chain: results.chain as never, pgsource: results.pgsource as never, summary }));
console.log(`\n=== summary (load average at start ${(results.load_avg as number[]).map((x) => x.toFixed(1)).join(' ')}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}) ===\n${summary.join('\n')}\nfull figures: ${path.relative(process.cwd(), out)}; table: bench/results.md`);
