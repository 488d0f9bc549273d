/**
 * The smarthr.crews sink creating crews (POST /v1/crews) against the SmartHR sandbox with a fixed
 * latency per response, at several write concurrencies: throughput in acknowledged writes/s against
 * the ideal, concurrency ÷ latency capped by the rate limit. Numbers only, never pass/fail.
 *
 *   node bin/run-ts.js bench/rest-upsert.ts [--writes N] [--latency MS] [--rate R] [--concurrency 1,4,16,64]
 *
 * The sandbox runs in its own process (sandbox/smarthr/main.ts), a fresh empty tenant per level, so
 * the server's work does not share an event loop with the sink's. The client and server rate limits
 * are both set to `rate` (default 5000/s, above every ideal here) so concurrency is what is measured;
 * the sink's schema caps rate_limit at 1000/s (SmartHR allows 10/s), so the benchmark sets it on the
 * parsed options. Where `writes` at a concurrency would take more than a minute (10k × 20 ms at c=1 is
 * 200 s), fewer writes are sent and the output says so.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { makeCtx } from '../engine/context.ts';
import type { Rec } from '../engine/types.ts';
import { smarthrCrewsSink } from '../sinks/smarthr-crews.ts';
import { isEntry } from './entry.ts';

export interface RestUpsertOptions {
  writes?: number;
  latencyMs?: number;
  /** Client and server rate limit, requests per second. */
  rate?: number;
  concurrencies?: number[];
  /** Records per `write(batch)` call (the runner's default batch_size). */
  batchSize?: number;
  log?: (line: string) => void;
}

export interface RestUpsertResult {
  concurrency: number;
  writes: number;
  /** Why fewer writes than asked were sent at this level, if so. */
  note?: string;
  seconds: number;
  writes_per_s: number;
  ideal_per_s: number;
  pct_of_ideal: number;
  /** 429s the client met (logged retries) and the server answered (its stop summary). */
  client_429: number;
  server_429: number | null;
  server_writes: number | null;
  rejected: number;
  /** CPU time of this (client) process per write, in ms: the sink's own cost, less sensitive to a busy machine. */
  client_cpu_ms_per_write: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIELDS = ['emp_code', 'last_name', 'first_name', 'last_name_yomi', 'first_name_yomi', 'gender', 'birth_at', 'entered_at', 'email'];
const MAX_SECONDS = 60;

interface Child { url: string; token: string; stop(): Promise<{ tooMany: number | null; writes: number | null }> }

/** Starts the sandbox in a child process and reads its `{url, token}` line. */
async function startChild(latencyMs: number, rate: number): Promise<Child> {
  const p = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'sandbox/smarthr/main.ts'),
    '--employees', '0', '--latency', String(latencyMs), '--rate-limit', String(rate)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    p.stdout.on('data', (d) => { out += d; const i = out.indexOf('\n'); if (i >= 0) resolve(out.slice(0, i)); });
    p.on('exit', (code) => reject(new Error(`sandbox exited (${code}): ${err.slice(-500)}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return {
    url, token,
    async stop() {
      p.kill('SIGTERM');
      await exited;
      const m = /(\d+) × 429, (\d+) writes/.exec(err);
      return { tooMany: m ? Number(m[1]) : null, writes: m ? Number(m[2]) : null };
    },
  };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const crew = (i: number): Rec => ({
  origin: `bench:${i}`, meta: { status: 'new' },
  data: {
    emp_code: `B${pad(i, 6)}`, last_name: '山田', first_name: '太郎', last_name_yomi: 'ヤマダ', first_name_yomi: 'タロウ',
    gender: i % 2 ? 'male' : 'female', birth_at: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`, entered_at: '2020-04-01', email: `b${i}@example.jp`,
  },
});

/** Runs every level in turn; see the file header. */
export async function benchRestUpsert(opts: RestUpsertOptions = {}): Promise<{ latency_ms: number; rate_cap_per_s: number; cpus: number; load_avg_1m: number[]; results: RestUpsertResult[] }> {
  const writes = opts.writes ?? 10_000, latency = opts.latencyMs ?? 20, rate = opts.rate ?? 5000, batchSize = opts.batchSize ?? 1000;
  const log = opts.log ?? (() => {});
  const results: RestUpsertResult[] = [];
  // Load before and after: on a shared machine the numbers mean little without it.
  const load = [Number(os.loadavg()[0].toFixed(1))];
  for (const c of opts.concurrencies ?? [1, 4, 16, 64]) {
    const ideal = Math.min((c * 1000) / latency, rate);
    let n = writes, note: string | undefined;
    if ((writes / ideal) > MAX_SECONDS) {
      n = Math.max(100, Math.floor((MAX_SECONDS / 3) * ideal / 100) * 100);
      note = `${n} writes instead of ${writes} (${writes} would take ~${Math.round(writes / ideal)} s at the ideal rate)`;
    }
    const sb = await startChild(latency, rate);
    let client429 = 0;
    const logger = pino({ level: 'warn' }, { write: (l: string) => { if (l.includes('"status":429')) client429++; } });
    const parsed = smarthrCrewsSink.schema.parse({ type: 'smarthr.crews', base_url: sb.url, token: sb.token, rate_limit: 1000, concurrency: c, fields: FIELDS, on_create: { emp_status: 'employed' } });
    const sink = smarthrCrewsSink.create({ ...parsed, rate_limit: rate }, makeCtx({ logger, key: ['emp_code'] }));
    let rejected = 0, seconds = 0, cpuMs = 0;
    let server: Awaited<ReturnType<Child['stop']>> = { tooMany: null, writes: null };
    try {
      await sink.open();
      const t0 = performance.now(), cpu0 = process.cpuUsage();
      for (let i = 0; i < n; i += batchSize) {
        const batch: Rec[] = [];
        for (let j = i; j < Math.min(n, i + batchSize); j++) batch.push(crew(j));
        rejected += (await sink.write(batch)).length;
      }
      await sink.close();
      seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      cpuMs = (cpu.user + cpu.system) / 1000;
    } finally {
      server = await sb.stop();
    }
    const r: RestUpsertResult = {
      concurrency: c, writes: n, note, seconds: Number(seconds.toFixed(2)), writes_per_s: Math.round((n - rejected) / seconds),
      ideal_per_s: Math.round(ideal), pct_of_ideal: Math.round((100 * (n - rejected)) / seconds / ideal),
      client_429: client429, server_429: server.tooMany, server_writes: server.writes, rejected,
      client_cpu_ms_per_write: Number((cpuMs / n).toFixed(3)),
    };
    log(`c=${String(c).padStart(2)}  ${String(r.writes).padStart(5)} writes  ${r.seconds.toFixed(1).padStart(6)} s  ${String(r.writes_per_s).padStart(5)}/s  ideal ${String(r.ideal_per_s).padStart(5)}/s (${r.pct_of_ideal}%)  429s client ${r.client_429} server ${r.server_429 ?? '?'}  cpu ${r.client_cpu_ms_per_write} ms/write${note ? `  [${note}]` : ''}`);
    results.push(r);
  }
  load.push(Number(os.loadavg()[0].toFixed(1)));
  return { latency_ms: latency, rate_cap_per_s: rate, cpus: os.cpus().length, load_avg_1m: load, results };
}


if (isEntry(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)));
  const result = await benchRestUpsert({
    writes: num('writes'), latencyMs: num('latency'), rate: num('rate'),
    concurrencies: arg('concurrency')?.split(',').map(Number),
    log: (l) => process.stderr.write(l + '\n'),
  });
  process.stderr.write(`latency ${result.latency_ms} ms per response; ideal = concurrency ÷ latency, capped by the rate limit of ${result.rate_cap_per_s}/s (client and server); ${result.cpus} CPUs, load average ${result.load_avg_1m.join(' → ')}\n`);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
