/**
 * `renkei sandbox kingoftime`: runs the local KING OF TIME API until SIGINT/SIGTERM. Prints one JSON
 * line to stdout — `{"service":"kingoftime","edition":…,"url":…,"token":…}` — so scripts can read
 * where it is; everything else goes to stderr. `--now` sets the sandbox's wall clock (it then moves
 * on in real time), to rehearse closed hours and reference dates.
 */
import { parseArgs } from 'node:util';
import type { CommandIO } from '../command.ts';
import { UsageError, faultsOption, numberOption } from '../session.ts';
import { RenkeiError } from '../../engine/errors.ts';
import { startKingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { KOT_SANDBOX_EDITIONS, type KotEdition } from '../../sandbox/kingoftime/editions.ts';

export const KINGOFTIME_SANDBOX_HELP = `Usage: renkei sandbox kingoftime [options]

Starts a local KING OF TIME API on 127.0.0.1 with a generated company consistent with
\`renkei sandbox smarthr\` of the same --seed and --employees (same people by employee number, with
differences on each side). Endpoints: /employees (GET with date, division, includeResigner,
additionalFields; GET one by code; POST; PUT/DELETE by key), /divisions, /working-types,
/daily-workings?start&end (≤ 62 days), /monthly-workings/{yyyy-MM}.
Prints {"service":"kingoftime","edition":…,"url":…,"token":…} to stdout; stops on Ctrl-C / SIGTERM.

Options:
  --port N           port (default: any free port)
  --employees N      employees of the mirrored SmartHR tenant (default 1000)
  --seed S           generator and fault seed (default 1)
  --edition E        kingoftime (base path /v1.0) or ohs (おまかせ はたラクサポート, /ohs/v1.0)
  --now TIME         the sandbox's clock starts at TIME (ISO 8601, e.g. 2026-04-01T08:45:00+09:00)
  --closed-hours L   closed hours, comma-separated HH:MM-HH:MM in JST (default 08:30-10:00,17:30-18:30)
  --rate-limit R     server limit, requests per second; 0 = none (default 5); over it: 429 code 303
  --fail-rate P      probability of an injected fault per request (default 0)
  --faults SPEC      scripted fault bursts, as inline JSON or a JSON file, e.g.
                     [{"fault":"http429","from":3,"count":8}]: reads 3–10 answered 429;
                     fault: http500 http502 maintenance http429 reset truncated short slow closed;
                     on: read (default), write or any; optional path (a fragment) and method
  --latency MS       added to every response (default 0)
  --token T          the accepted access token (default: a random one)
  --refuse-ip        refuse the token as if this host's IP address were not permitted (403)`;

const num = numberOption;

/** Runs the KING OF TIME sandbox until `until()` resolves. */
export async function runKingoftimeSandbox(argv: string[], io: CommandIO, until: () => Promise<unknown>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' }, employees: { type: 'string' }, seed: { type: 'string' }, edition: { type: 'string' }, now: { type: 'string' },
      'closed-hours': { type: 'string' }, 'rate-limit': { type: 'string' }, 'fail-rate': { type: 'string' }, faults: { type: 'string' }, latency: { type: 'string' },
      token: { type: 'string' }, 'refuse-ip': { type: 'boolean', default: false },
    },
  });
  const edition = (values.edition ?? 'kingoftime') as KotEdition;
  if (!Object.hasOwn(KOT_SANDBOX_EDITIONS, edition)) throw new UsageError(`--edition must be one of ${Object.keys(KOT_SANDBOX_EDITIONS).join(', ')}, not ${values.edition}`);
  let now: (() => number) | undefined;
  if (values.now !== undefined) {
    const start = Date.parse(values.now);
    if (Number.isNaN(start)) throw new UsageError(`--now must be an ISO 8601 time such as 2026-04-01T08:45:00+09:00, not ${values.now}`);
    const t0 = Date.now();
    now = () => start + (Date.now() - t0);
  }
  const port = num('port', values.port, 0, 65535);
  const sb = await startKingoftimeSandbox({
    port, edition, now, seed: values.seed ?? 1, token: values.token, refuseIp: values['refuse-ip'],
    employees: num('employees', values.employees, 0, 2_000_000) ?? 1000,
    closedHours: values['closed-hours']?.split(',').map((s) => s.trim()),
    rateLimit: num('rate-limit', values['rate-limit'], 0, 100_000, false),
    failRate: num('fail-rate', values['fail-rate'], 0, 1, false),
    faults: faultsOption(values.faults, io.cwd),
    latencyMs: num('latency', values.latency, 0, 600_000),
  }).catch((e: unknown) => {
    if ((e as { code?: string }).code === 'EADDRINUSE') throw new RenkeiError('USAGE', `port ${port} on 127.0.0.1 is already in use: choose another --port, or leave it out for a free one`);
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  });
  const stop = until();
  io.stdout.write(`${JSON.stringify({ service: 'kingoftime', edition, url: sb.url, token: sb.token })}\n`);
  io.stderr.write(`${KOT_SANDBOX_EDITIONS[edition].product} sandbox: ${sb.state.employees.length} employees, ${sb.state.divisions.length} divisions at ${sb.url}\n`);
  await stop;
  await sb.stop();
  io.stderr.write(`kingoftime sandbox stopped: ${sb.stats.requests} requests, ${sb.stats.tooMany} × 429, ${sb.stats.writes} writes\n`);
  return 0;
}
