/**
 * The `postgres` source (numbers only, never pass/fail), on a table of N employees (15 columns,
 * Japanese text, primary key) loaded by the server from the generated CSV:
 *
 * 1. read alone, in this process: the source (COPY TO STDOUT, parsed and typed as it arrives) against
 *    a server-side cursor (`DECLARE … NO SCROLL CURSOR`, `FETCH 5000` with node-postgres' row parsing,
 *    the same value conversion) — why the source uses COPY;
 * 2. Postgres → Postgres: `renkei run` as a whole process (postgres source → postgres sink, append)
 *    against the floor of moving the same rows without renkei: `COPY (SELECT …) TO STDOUT` piped into
 *    `COPY … FROM STDIN` with pg-copy-streams in this process (what `psql -c … | psql -c …` does,
 *    without needing psql). Same server, same target table shape, medians of `repeats` rounds.
 *
 *   node bin/run-ts.js bench/pg-source.ts [rows] [--repeats N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { makeCtx } from '../engine/context.ts';
import { postgresSource } from '../sources/postgres.ts';
import { convertersFor, type PgTypeInfo } from '../sources/pg-values.ts';
import { EMPLOYEE_COLUMNS, writeEmployeesCsv } from '../sandbox/employees-csv.ts';
import { ddl, DATE_COLS } from './load-csv.ts';
import { median, round, runCli } from './cli-process.ts';
import { isEntry, withBenchDb } from './entry.ts';

export interface PgSourceBenchResult {
  rows: number;
  /** Medians of wall seconds and of this process's CPU seconds. */
  read: { copy_s: number; cursor_s: number; copy_cpu_s: number; cursor_cpu_s: number; cursor_vs_copy: number };
  pg_to_pg: { copy_pipe_s: number; renkei_s: number; ratio: number };
}

/** The source alone: read every record, keep none. */
export async function readWithSource(url: string, table: string): Promise<number> {
  const src = postgresSource.create(postgresSource.schema.parse({ type: 'postgres', table }), makeCtx({
    db: async () => ({ pool: undefined as never, url, close: async () => {} }), options: { batch_size: 2000, concurrency: 1 },
  }));
  let n = 0;
  for await (const b of src.read()) n += b.length;
  return n;
}

/** A server-side cursor with node-postgres' row parsing, values converted as the source converts them. */
export async function readWithCursor(url: string, table: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`BEGIN READ ONLY; SET LOCAL DateStyle = ISO, YMD; SET LOCAL TimeZone = 'UTC'`);
    await c.query(`DECLARE cur NO SCROLL CURSOR FOR SELECT * FROM ${table}`);
    const raw = { getTypeParser: () => (v: string) => v };
    let n = 0;
    let conv: ReturnType<typeof convertersFor> | undefined;
    for (;;) {
      const r = await c.query({ text: 'FETCH 5000 FROM cur', rowMode: 'array', types: raw });
      if (!conv) {
        const oids = r.fields.map((f) => f.dataTypeID);
        const info = await c.query<PgTypeInfo>(`SELECT oid::int, typelem::int AS elem, typbasetype::int AS base, typcategory AS category FROM pg_type WHERE oid = ANY($1)`, [oids]);
        conv = convertersFor(oids, new Map(info.rows.map((x) => [x.oid, x])));
      }
      if (!r.rows.length) break;
      const names = r.fields.map((f) => f.name);
      for (const row of r.rows as Array<Array<string | null>>) {
        const data: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) data[names[i]] = row[i] === null ? null : conv[i](row[i]!);
        n++;
      }
    }
    await c.query('COMMIT');
    return n;
  } finally { await c.end(); }
}

/** COPY TO STDOUT piped into COPY FROM STDIN, two connections, in this process. */
async function copyPipe(url: string, from: string, to: string): Promise<void> {
  const a = new pg.Client({ connectionString: url });
  const b = new pg.Client({ connectionString: url });
  await Promise.all([a.connect(), b.connect()]);
  try {
    await b.query('BEGIN');
    await pipeline(a.query(copyTo(`COPY (SELECT * FROM ${from}) TO STDOUT`)), b.query(copyFrom(`COPY ${to} FROM STDIN`)));
    await b.query('COMMIT');
  } finally { await Promise.all([a.end(), b.end()]); }
}

const pgYaml = (from: string, to: string): string => `name: bench-pg-to-pg
source: { type: postgres, table: ${from} }
sinks:
  - type: postgres
    table: ${to}
    mode: append
    columns:
${EMPLOYEE_COLUMNS.map((c) => `      - { name: ${c}, type: ${DATE_COLS.has(c) ? 'date' : 'text'} }`).join('\n')}
errors: { type: csv, path: errors.csv }
`;

export async function benchPgSource(opts: { url: string; rows?: number; repeats?: number; log?: (s: string) => void }): Promise<PgSourceBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-pgsrc-'));
  fs.chmodSync(dir, 0o755);
  const admin = new pg.Client({ connectionString: opts.url });
  await admin.connect();
  const count = async (t: string) => Number((await admin.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  try {
    const csv = await writeEmployeesCsv(path.join(dir, 'emp.csv'), rows);
    fs.chmodSync(csv, 0o644);
    await admin.query(ddl('bench_src'));
    await admin.query(`COPY bench_src FROM ${admin.escapeLiteral(csv)} CSV HEADER`);
    await admin.query('VACUUM ANALYZE bench_src');
    const copy: number[] = [], cursor: number[] = [], pipe: number[] = [], ours: number[] = [];
    const copyCpu: number[] = [], cursorCpu: number[] = [];
    const cpu = (c0: NodeJS.CpuUsage) => { const u = process.cpuUsage(c0); return (u.user + u.system) / 1e6; };
    for (let i = 0; i < repeats; i++) {
      let t = performance.now();
      let c0 = process.cpuUsage();
      const n1 = await readWithSource(opts.url, 'bench_src');
      copy.push((performance.now() - t) / 1000);
      copyCpu.push(cpu(c0));
      t = performance.now();
      c0 = process.cpuUsage();
      const n2 = await readWithCursor(opts.url, 'bench_src');
      cursor.push((performance.now() - t) / 1000);
      cursorCpu.push(cpu(c0));
      if (n1 !== rows || n2 !== rows) throw new Error(`read ${n1} / ${n2} rows, expected ${rows}`);

      await admin.query(ddl('bench_pipe'));
      await admin.query('CHECKPOINT');
      t = performance.now();
      await copyPipe(opts.url, 'bench_src', 'bench_pipe');
      pipe.push((performance.now() - t) / 1000);
      if (await count('bench_pipe') !== rows) throw new Error('COPY pipe lost rows');

      await admin.query(ddl('bench_dst'));
      await admin.query('CHECKPOINT');
      const r = await runCli(dir, opts.url, 'pg-to-pg', pgYaml('bench_src', 'bench_dst'));
      if (r.counts.written !== rows || await count('bench_dst') !== rows) throw new Error(`renkei wrote ${r.counts.written} rows, expected ${rows}`);
      ours.push(r.seconds);
      log(`round ${i + 1}: read COPY ${copy[i].toFixed(2)} s (${copyCpu[i].toFixed(2)} s CPU), cursor ${cursor[i].toFixed(2)} s (${cursorCpu[i].toFixed(2)} s CPU); pg→pg COPY pipe ${pipe[i].toFixed(2)} s, renkei run ${r.seconds.toFixed(2)} s`);
    }
    const diff = Number((await admin.query('SELECT count(*) AS n FROM ((TABLE bench_src EXCEPT TABLE bench_dst) UNION ALL (TABLE bench_dst EXCEPT TABLE bench_src)) d')).rows[0].n);
    if (diff) throw new Error(`renkei's copy differs from the source in ${diff} rows`);
    await admin.query('DROP TABLE IF EXISTS bench_src, bench_pipe, bench_dst');
    const [c, k, p, o] = [median(copy), median(cursor), median(pipe), median(ours)];
    return { rows, read: { copy_s: round(c), cursor_s: round(k), copy_cpu_s: round(median(copyCpu)), cursor_cpu_s: round(median(cursorCpu)), cursor_vs_copy: round(k / c) }, pg_to_pg: { copy_pipe_s: round(p), renkei_s: round(o), ratio: round(p / o) } };
  } finally {
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (isEntry(import.meta.url)) {
  const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200_000);
  const i = process.argv.indexOf('--repeats');
  const r = await withBenchDb((url) => benchPgSource({ url, rows, repeats: i === -1 ? 3 : Number(process.argv[i + 1]), log: (l) => process.stderr.write(l + '\n') }));
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
