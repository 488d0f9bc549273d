/**
 * The postgres sink against the physical limit: the server loading the same rows from a file itself
 * (`COPY t FROM '/abs/file' CSV HEADER`), in the same run, same server and table shape (15 columns,
 * primary key). The sink is fed pre-built records, so this measures the sink alone (encoding, COPY
 * transport, segments, commit), in each mode. Numbers only, never pass/fail.
 *
 *   node bin/run-ts.js bench/pg-copy.ts [rows] [--repeats N] [--modes append,upsert,replace]
 *
 * Without DATABASE_URL an embedded server is started in a temporary folder (fsync off).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeCtx } from '../engine/context.ts';
import type { Rec, Row } from '../engine/types.ts';
import { postgresSink } from '../sinks/postgres.ts';
import { isEntry, withBenchDb } from './entry.ts';

type Mode = 'append' | 'replace' | 'upsert';

const COLUMNS = [
  'emp_code', 'last_name', 'first_name', 'last_name_kana', 'first_name_kana', 'email', 'gender', 'birth_date',
  'hire_date', 'resign_date', 'department_code', 'department_name', 'position', 'employment_type', 'address',
] as const;
const DATES = new Set<string>(['birth_date', 'hire_date', 'resign_date']);
const LAST = [['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['山本', 'ヤマモト'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ']];
const FIRST = [['太郎', 'タロウ'], ['花子', 'ハナコ'], ['翔太', 'ショウタ'], ['陽菜', 'ヒナ'], ['大輔', 'ダイスケ'], ['美咲', 'ミサキ'], ['健一', 'ケンイチ'], ['さくら', 'サクラ']];
const DEPTS = [['A001', '営業部'], ['A002', '開発部'], ['A003', '人事部'], ['B010', '経理部'], ['C100', 'カスタマーサクセス部']];
const POSITIONS = ['部長', '課長', '係長', '主任', '一般'];
const TYPES = ['正社員', '契約社員', 'アルバイト・パート', '派遣社員'];
const ADDRESSES = ['東京都千代田区丸の内1-1-1, 10階', '大阪府大阪市北区梅田2-2-2', '神奈川県横浜市西区3-3, "本館"', '福岡県福岡市中央区天神4-4'];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Row i of the data set: deterministic (a small LCG), ~150 bytes of UTF-8 as CSV. */
export function employee(i: number): Row {
  let s = (i * 2654435761) >>> 0;
  const next = (m: number): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % m; };
  const [ln, lk] = LAST[next(LAST.length)];
  const [fn, fk] = FIRST[next(FIRST.length)];
  const [dc, dn] = DEPTS[next(DEPTS.length)];
  return {
    emp_code: `E${pad(i + 1, 7)}`, last_name: ln, first_name: fn, last_name_kana: lk, first_name_kana: fk,
    email: `user${i + 1}@example.co.jp`, gender: next(2) ? 'male' : 'female',
    birth_date: `${1960 + next(45)}-${pad(1 + next(12))}-${pad(1 + next(28))}`,
    hire_date: `${2000 + next(26)}-${pad(1 + next(12))}-01`,
    resign_date: next(10) === 0 ? `2026-${pad(1 + next(12))}-${pad(1 + next(28))}` : null,
    department_code: dc, department_name: dn, position: POSITIONS[next(POSITIONS.length)],
    employment_type: TYPES[next(TYPES.length)], address: ADDRESSES[next(ADDRESSES.length)],
  };
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const t = String(v);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** Writes the CSV where the server's OS user can read it (the embedded server runs as `postgres` under root). */
function writeCsv(dir: string, rows: number): { file: string; bytes: number } {
  const file = path.join(dir, 'employees.csv');
  const fd = fs.openSync(file, 'w', 0o644);
  let buf = COLUMNS.join(',') + '\n';
  for (let i = 0; i < rows; i++) {
    const r = employee(i);
    buf += COLUMNS.map((c) => csvCell(r[c])).join(',') + '\n';
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(file, 0o644);
  return { file, bytes: fs.statSync(file).size };
}

const DDL = (t: string): string => `DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (${COLUMNS.map((c) =>
  `${c} ${DATES.has(c) ? 'date' : 'text'}${c === 'emp_code' ? ' PRIMARY KEY' : ''}`).join(', ')})`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface PgCopyBenchOptions {
  url: string;
  rows?: number;
  repeats?: number;
  modes?: Mode[];
  batchSize?: number;
  log?: (line: string) => void;
}

export interface PgCopyBenchResult {
  rows: number;
  csv_mb: number;
  /** Median seconds of the server reading the file itself. */
  server_copy_s: number;
  /** Per mode: median seconds, ratio (server_copy_s / seconds: 1 = as fast as the server alone), main-thread CPU seconds. */
  sink: Record<string, { s: number; ratio: number; cpu_s: number }>;
}

export async function benchPgCopy(opts: PgCopyBenchOptions): Promise<PgCopyBenchResult> {
  const rows = opts.rows ?? 100_000;
  const repeats = opts.repeats ?? 3;
  const modes = opts.modes ?? ['append', 'upsert', 'replace'];
  const batchSize = opts.batchSize ?? 1000;
  const log = opts.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-copy-'));
  const admin = new pg.Client({ connectionString: opts.url });
  await admin.connect();
  try {
    const { file, bytes } = writeCsv(dir, rows);
    const batches: Rec[][] = [];
    for (let i = 0; i < rows; i += batchSize) {
      const b: Rec[] = [];
      for (let j = i; j < Math.min(rows, i + batchSize); j++) b.push({ data: employee(j), origin: `employees.csv:${j + 2}` });
      batches.push(b);
    }
    const ctx = makeCtx({ db: async () => ({ pool: undefined as never, url: opts.url, close: async () => {} }) });
    const columns = COLUMNS.map((name) => ({ name, type: DATES.has(name) ? 'date' : 'text' }));
    const server: number[] = [];
    const sink: Record<string, { s: number[]; cpu: number[] }> = {};
    for (let r = 0; r < repeats; r++) {
      await admin.query(DDL('bench_server'));
      await admin.query('CHECKPOINT');
      let t0 = performance.now();
      await admin.query(`COPY bench_server FROM ${pg.Client.prototype.escapeLiteral(file)} CSV HEADER`);
      server.push((performance.now() - t0) / 1000);
      log(`server COPY: ${server.at(-1)!.toFixed(2)} s`);
      await admin.query('DROP TABLE bench_server');
      for (const mode of modes) {
        await admin.query(DDL('bench_sink'));
        await admin.query('CHECKPOINT');
        const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', table: 'bench_sink', mode, columns, key: mode === 'upsert' ? ['emp_code'] : undefined }), ctx);
        const cpu0 = process.cpuUsage();
        t0 = performance.now();
        await s.open();
        let refused = 0;
        for (const b of batches) refused += (await s.write(b)).length;
        refused += (await s.drain!()).length;
        await s.close();
        const secs = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const n = Number((await admin.query('SELECT count(*) AS n FROM bench_sink')).rows[0].n);
        if (n !== rows || refused) throw new Error(`sink ${mode} loaded ${n} rows (${refused} refused), expected ${rows}`);
        (sink[mode] ??= { s: [], cpu: [] }).s.push(secs);
        sink[mode].cpu.push((cpu.user + cpu.system) / 1e6);
        log(`sink ${mode}: ${secs.toFixed(2)} s (main thread ${sink[mode].cpu.at(-1)!.toFixed(2)} s CPU)`);
        await admin.query('DROP TABLE bench_sink');
      }
    }
    const base = median(server);
    return {
      rows,
      csv_mb: Math.round(bytes / 1e5) / 10,
      server_copy_s: Math.round(base * 100) / 100,
      sink: Object.fromEntries(Object.entries(sink).map(([m, v]) => {
        const s = median(v.s);
        return [m, { s: Math.round(s * 100) / 100, ratio: Math.round((base / s) * 100) / 100, cpu_s: Math.round(median(v.cpu) * 100) / 100 }];
      })),
    };
  } finally {
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


if (isEntry(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const result = await withBenchDb((url) => benchPgCopy({
    url, rows, repeats: Number(arg('repeats') ?? 3),
    modes: arg('modes')?.split(',') as Mode[] | undefined,
    log: (l) => process.stderr.write(l + '\n'),
  }), { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
