/**
 * SmartHR read benchmark (numbers only, never pass/fail): read N crews (default 100,000) from the
 * sandbox running in its own process with a server limit of R requests/s (default 200), with the
 * client configured to the same rate. Reports elapsed time against the floor set by the limit
 * (pages ÷ rate) and the 429s the server sent (goal: ≤ 1.1× the floor, zero 429s).
 *
 * Concurrency defaults to 8 here: at 5 ms between requests, 4 in flight leave no slack for a slow
 * response, and a slot the limiter cannot use is lost (it never bursts to catch up).
 *
 *   node bin/run-ts.js bench/smarthr-read.ts [--crews 100000] [--rate 200] [--per-page 100] [--concurrency 8] [--fields a,b,c]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { smarthrCrewsSource } from '../sources/smarthr-lists.ts';
import { makeCtx } from '../engine/context.ts';
import { Drop } from '../engine/types.ts';
import { isEntry } from './entry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SmarthrReadBenchOptions {
  crews?: number; rate?: number; perPage?: number; concurrency?: number;
  /** Ask only for these crew fields (`fields=`, as a G6 pipeline does); default: the full crew. */
  fields?: string[];
  log?: (s: string) => void;
}
export interface SmarthrReadBenchResult {
  crews: number; records: number; pages: number; rate: number; concurrency: number; fields: string; seconds: number; floorSeconds: number; ratio: number;
  serverRequests: number; server429: number; serverMaxPerSecond: number; clientRetries: number;
  /** CPU time per page: this process (the client) and the sandbox process while serving. */
  clientCpuMsPerPage: number; serverCpuMsPerPage: number;
}

export async function benchSmarthrRead(opts: SmarthrReadBenchOptions = {}): Promise<SmarthrReadBenchResult> {
  const crews = opts.crews ?? 100_000, rate = opts.rate ?? 200, perPage = opts.perPage ?? 100, concurrency = opts.concurrency ?? 8;
  const log = opts.log ?? (() => {});
  log(`starting the SmartHR sandbox in its own process: ${crews.toLocaleString('en')} crews, server limit ${rate} req/s`);
  const child = spawn(process.execPath, ['bin/run-ts.js', 'sandbox/smarthr/main.ts', '--employees', String(crews), '--rate-limit', String(rate), '--seed', 'bench', '--prerender'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    const [line] = (await once(readline.createInterface({ input: child.stdout! }), 'line')) as [string];
    const { url, token } = JSON.parse(line) as { url: string; token: string };
    // Let the server's bucket fill after start-up, as it would be for a fresh run against SmartHR.
    await new Promise((r) => setTimeout(r, 1100));
    let clientRetries = 0;
    const logger = pino({ level: 'warn' }, { write: (s: string) => { if (s.includes('"http retry"')) clientRetries++; } });
    const cfg = smarthrCrewsSource.schema.parse({ type: 'smarthr.crews', base_url: url, token, rate_limit: rate, per_page: perPage, concurrency, fields: opts.fields });
    const src = smarthrCrewsSource.create(cfg, makeCtx({ logger }));
    let records = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for await (const batch of src.read()) {
      for (const r of batch) if (r instanceof Drop) throw new Error(`unexpected drop ${r.code}`);
      records += batch.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    const m = /(\d+) requests \(max (\d+)\/s\), (\d+) × 429, \d+ writes, cpu ([\d.]+) s/.exec(stderr);
    const pages = Math.ceil(crews / perPage);
    const floorSeconds = pages / rate;
    return {
      crews, records, pages, rate, concurrency, fields: opts.fields ? `${opts.fields.length} fields` : 'full crews', seconds, floorSeconds, ratio: seconds / floorSeconds,
      serverRequests: m ? Number(m[1]) : NaN, serverMaxPerSecond: m ? Number(m[2]) : NaN, server429: m ? Number(m[3]) : NaN, clientRetries,
      clientCpuMsPerPage: (cpu.user + cpu.system) / 1000 / pages, serverCpuMsPerPage: m ? (Number(m[4]) * 1000) / pages : NaN,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export function formatSmarthrRead(r: SmarthrReadBenchResult): string {
  return [
    `SmartHR read: ${r.records.toLocaleString('en')} crews (${r.fields}) in ${r.pages} pages at ${r.rate} req/s, concurrency ${r.concurrency}`,
    `  elapsed ${r.seconds.toFixed(2)} s, floor (pages ÷ rate) ${r.floorSeconds.toFixed(2)} s → ${r.ratio.toFixed(3)}× the floor (goal ≤ 1.1×)`,
    `  server: ${r.serverRequests} requests, max ${r.serverMaxPerSecond}/s, ${r.server429} × 429; client retries ${r.clientRetries}`,
    `  cpu per page: client ${r.clientCpuMsPerPage.toFixed(2)} ms, sandbox ${r.serverCpuMsPerPage.toFixed(2)} ms (both must fit in 1000 / rate = ${(1000 / r.rate).toFixed(1)} ms of a core)`,
  ].join('\n');
}


if (isEntry(import.meta.url)) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const i = process.argv.indexOf('--fields');
  const fields = i === -1 ? undefined : process.argv[i + 1].split(',');
  const r = await benchSmarthrRead({ crews: arg('crews'), rate: arg('rate'), perPage: arg('per-page'), concurrency: arg('concurrency'), fields, log: (s) => console.error(s) });
  console.log(formatSmarthrRead(r));
}
