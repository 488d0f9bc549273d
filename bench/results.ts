/**
 * `bench/results.json` and `bench/results.md`: the figures of the latest `npm run bench`, with the
 * machine they were taken on and its load average, as a table of ratios a reader can compare with
 * their own run (bench/README.md says how each figure is obtained).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ChainBenchResult } from './chain.ts';
import type { PgSourceBenchResult } from './pg-source.ts';

export interface Machine {
  cpu: string; cores: number; memory_gb: number; node: string; os: string; postgres?: string;
  load_avg_start: number[]; load_avg_end?: number[];
}

export async function machineInfo(url?: string): Promise<Machine> {
  let postgres: string | undefined;
  if (url) {
    const c = new pg.Client({ connectionString: url });
    try { await c.connect(); postgres = (await c.query('SHOW server_version')).rows[0].server_version; } catch { /* figures stand without it */ } finally { await c.end().catch(() => {}); }
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memory_gb: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version, os: `${os.type()} ${os.release()}`, postgres, load_avg_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const f2 = (x: number) => x.toFixed(2);

export function resultsMarkdown(r: { machine: Machine; quick: boolean; started_at: string; chain?: ChainBenchResult; pgsource?: PgSourceBenchResult; summary: string[] }): string {
  const m = r.machine;
  const out = [
    `# Benchmark results`, '',
    `\`npm run bench${r.quick ? ' -- --quick' : ''}\` started ${r.started_at}. Ratios are taken within this run (the machine is shared and noisy: compare ratios, not seconds). How each figure is obtained: [README.md](README.md).`, '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres ?? '?'} on the same machine. Load average (1, 5, 15 min) at start ${m.load_avg_start.map(f2).join(' ')}${m.load_avg_end ? `, at end ${m.load_avg_end.map(f2).join(' ')}` : ''}.`, '',
  ];
  if (r.chain) {
    const c = r.chain;
    out.push(`## CSV → PostgreSQL: ${c.rows.toLocaleString('en')} employee rows (${c.csv_mb} MB, 15 columns, primary key), medians`, '',
      `renkei runs as a whole process (\`node bin/renkei.js run\`, ${c.cli === 'compiled' ? 'the compiled CLI' : 'the sources through tsx: the compiled CLI was older than the sources, ~1 s more start-up'}).`, '',
      '| how the rows got in | seconds | × server-side COPY |', '|---|---|---|',
      `| server-side \`COPY t FROM '/abs/file.csv' CSV HEADER\` (the limit) | ${f2(c.server_copy.s)} | 1.00 |`,
      `| file piped unparsed into pg-copy-streams \`COPY … FROM STDIN\` | ${f2(c.raw_copy_streams.s)} | ${f2(c.raw_copy_streams.ratio)} |`,
      `| renkei: csv → postgres \`append\`, no transforms | ${f2(c.renkei_plain.s)} | ${f2(c.renkei_plain.ratio)} |`,
      `| renkei: csv → normalize → map (lookup) → validate → dedupe keep-first → postgres \`upsert\` (${c.renkei_chain.written.toLocaleString('en')} written) | ${f2(c.renkei_chain.s)} | ${f2(c.renkei_chain.ratio)} |`,
      'skipped' in c.pgloader ? `| pgloader | — | skipped: ${c.pgloader.skipped} |` : `| pgloader 3, CSV load command | ${f2(c.pgloader.s)} | ${f2(c.pgloader.ratio)} |`,
      '', 'Targets (issue 12): plain load ≥ 0.7×, full chain ≥ 0.5× server-side COPY.', '',
      `Peak RSS of the whole \`renkei run\` process (every thread), plain load: ${c.renkei_plain_100k.peak_rss_mb.toFixed(0)} MB for the first 100,000 rows, ${c.renkei_plain.peak_rss_mb.toFixed(0)} MB for ${c.rows.toLocaleString('en')} → ${f2(c.renkei_plain.peak_rss_mb / c.renkei_plain_100k.peak_rss_mb)}× (target ≤ 1.2×, ≤ 250 MB; the highest of the rounds).`, '');
  }
  if (r.pgsource) {
    const p = r.pgsource;
    out.push(`## PostgreSQL → PostgreSQL: ${p.rows.toLocaleString('en')} employee rows, medians`, '',
      '| what | seconds | ratio |', '|---|---|---|',
      `| \`COPY (SELECT …) TO STDOUT\` piped into \`COPY … FROM STDIN\`, pg-copy-streams in one process (the floor) | ${f2(p.pg_to_pg.copy_pipe_s)} | 1.00 |`,
      `| renkei: postgres source → postgres sink \`append\`, whole process | ${f2(p.pg_to_pg.renkei_s)} | ${f2(p.pg_to_pg.ratio)} × the pipe |`,
      `| reading alone: the postgres source (COPY, parsed and typed) | ${f2(p.read.copy_s)} (${f2(p.read.copy_cpu_s)} CPU) | 1.00 |`,
      `| reading alone: server-side cursor, FETCH 5000, same conversion | ${f2(p.read.cursor_s)} (${f2(p.read.cursor_cpu_s)} CPU) | ${f2(p.read.cursor_vs_copy)} × the COPY read's time |`,
      '', 'Target (issue 12): renkei ≥ 0.5× the pipe.', '');
  }
  if (r.summary.length) out.push('## Every benchmark of this run', '', ...r.summary.map((s) => `- ${s}`), '');
  return out.join('\n');
}

export function writeResults(dir: string, results: Record<string, unknown>, md: string): void {
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'results.md'), md);
}
