/**
 * CSV → PostgreSQL with no transforms, against the physical limit: the server reading the same file
 * itself (`COPY … FROM '/abs/file' CSV HEADER`) in the same run, on the same server and table shape.
 * Also peak RSS of the whole renkei process at 100k vs 1M rows (memory must not grow with row count).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EMPLOYEE_COLUMNS, writeEmployeesCsv } from '../sandbox/employees-csv.ts';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATE_COLS = new Set(['birth_at', 'entered_at', 'resigned_at']);

export interface LoadCsvResult {
  rows: number;
  server_copy_s: number;
  renkei_s: number;
  ratio: number;
  rss_mb: Record<string, number>;
}

export function ddl(table: string): string {
  return `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${EMPLOYEE_COLUMNS.map((c) => `${c} ${DATE_COLS.has(c) ? 'date' : 'text'}${c === 'emp_code' ? ' PRIMARY KEY' : ''}`).join(', ')})`;
}

export function pipelineYaml(csv: string, table: string): string {
  return `name: bench-load
key: [emp_code]
source: { type: csv, path: ${JSON.stringify(csv)}, empty_as_null: true }
sinks:
  - type: postgres
    table: ${table}
    mode: append
    columns:
${EMPLOYEE_COLUMNS.map((c) => `      - { name: ${c}, type: ${DATE_COLS.has(c) ? 'date' : 'text'} }`).join('\n')}
errors: { type: csv, path: errors.csv }
`;
}

async function child(dir: string, url: string, yaml: string): Promise<{ seconds: number; max_rss_mb: number; counts: { read: number; written: number } }> {
  const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, yaml);
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'bench/run-child.ts'), file], { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  if (r.status !== 'succeeded') throw new Error(`bench run failed: ${JSON.stringify(r.error)}`);
  return r;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLoadCsv(opts: { url: string; rows?: number; repeats?: number; log?: (s: string) => void }): Promise<LoadCsvResult> {
  const rows = opts.rows ?? 1_000_000;
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-load-'));
  fs.chmodSync(dir, 0o755);
  try {
    const big = await writeEmployeesCsv(path.join(dir, `emp-${rows}.csv`), rows);
    const small = await writeEmployeesCsv(path.join(dir, 'emp-100k.csv'), Math.min(100_000, rows));
    fs.chmodSync(big, 0o644); fs.chmodSync(small, 0o644);
    log(`generated ${rows} rows (${(fs.statSync(big).size / 1e6).toFixed(0)} MB)`);
    const client = new pg.Client({ connectionString: opts.url });
    await client.connect();
    const server: number[] = [];
    const ours: number[] = [];
    const rss: Record<string, number> = {};
    try {
      for (let i = 0; i < repeats; i++) {
        await client.query(ddl('bench_server'));
        await client.query('CHECKPOINT');
        let t = performance.now();
        await client.query(`COPY bench_server FROM '${big.replace(/'/g, "''")}' CSV HEADER`);
        server.push((performance.now() - t) / 1000);
        await client.query(ddl('bench_renkei'));
        await client.query('CHECKPOINT');
        const r = await child(dir, opts.url, pipelineYaml(big, 'bench_renkei'));
        if (r.counts.written !== rows) throw new Error(`expected ${rows} written, got ${r.counts.written}`);
        ours.push(r.seconds);
        rss[`${rows}`] = Math.max(rss[`${rows}`] ?? 0, r.max_rss_mb);
        log(`round ${i + 1}: server COPY ${server[i].toFixed(2)} s, renkei ${r.seconds.toFixed(2)} s, RSS ${r.max_rss_mb.toFixed(0)} MB`);
      }
      await client.query(ddl('bench_renkei'));
      const s = await child(dir, opts.url, pipelineYaml(small, 'bench_renkei'));
      rss[`${Math.min(100_000, rows)}`] = s.max_rss_mb;
      await client.query('DROP TABLE IF EXISTS bench_server; DROP TABLE IF EXISTS bench_renkei');
    } finally {
      await client.end();
    }
    const server_copy_s = median(server);
    const renkei_s = median(ours);
    return { rows, server_copy_s, renkei_s, ratio: server_copy_s / renkei_s, rss_mb: rss };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
