/**
 * `renkei sandbox smarthr`: runs the local SmartHR API until SIGINT/SIGTERM. Prints one JSON line to
 * stdout — `{"service":"smarthr","url":"http://127.0.0.1:PORT/api","token":"…"}` — so scripts can
 * read where it is; everything else goes to stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIO } from '../command.ts';
import { UsageError, faultsOption, numberOption } from '../session.ts';
import { RenkeiError } from '../../engine/errors.ts';
import { startSmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { KINGOFTIME_SANDBOX_HELP, runKingoftimeSandbox } from './sandbox-kingoftime.ts';
import { MIKIWAME_HELP, runMikiwameSandbox } from './sandbox-mikiwame.ts';
import { homeDir, resolveHome } from '../../db/home.ts';

const HELP = `Usage: renkei sandbox smarthr [options]

Starts a local SmartHR API on 127.0.0.1 with a generated tenant (deterministic from --seed): crews,
departments, employment types, job titles, custom field templates (incl. ミキワメ(AI)連携), offices.
Prints {"service":"smarthr","url":…,"token":…} on one line to stdout; stops on Ctrl-C / SIGTERM.

Options:
  --port N          port (default: any free port)
  --employees N     crews to generate (default 1000)
  --seed S          generator and fault seed (default 1)
  --depth N         department tree depth (default 3)
  --rule-cases      also the crews RC01… and departments that exercise every Mikiwame rule (business
                    names, a null department item, a branch 12 levels deep, a department without a
                    code, custom and renamed employment types, opt-out as id / physical_name / name,
                    emails equal but for case and spaces); the generated crews stay the same
  --rate-limit R    server limit, requests per second; 0 = none (default 10)
  --fail-rate P     probability of an injected fault per request: 500, 502, 503 maintenance,
                    connection reset mid-body, truncated JSON, slow response (default 0)
  --faults SPEC     scripted fault bursts, as inline JSON or a JSON file, e.g.
                    [{"fault":"http429","from":3,"count":8}]: reads 3–10 answered 429;
                    fault: http500 http502 maintenance http429 reset truncated short slow;
                    on: read (default), write or any; optional path (a fragment) and method
  --latency MS      added to every response (default 0)
  --state FILE      load the tenant from FILE when it exists; save it there on stop
  --persist         the same with a file in the state home: <home>/sandbox/smarthr-<seed>.json (0600)
  --token T         the accepted access token (default: a random one)
  --prerender       render every crew before listening (first read as fast as the next)

Example:
  renkei sandbox smarthr --employees 5000 --rate-limit 10 --persist`;

const num = numberOption;

/** Resolves on the first SIGINT or SIGTERM, then stops listening (the default handling comes back). */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const on = (): void => { process.off('SIGINT', on); process.off('SIGTERM', on); resolve(); };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Runs the SmartHR sandbox until `until()` resolves (the command waits for SIGINT/SIGTERM). */
export async function runSmarthrSandbox(argv: string[], io: CommandIO, until: () => Promise<unknown> = stopSignal): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' }, employees: { type: 'string' }, seed: { type: 'string' }, depth: { type: 'string' },
      'rate-limit': { type: 'string' }, 'fail-rate': { type: 'string' }, faults: { type: 'string' }, latency: { type: 'string' }, state: { type: 'string' }, token: { type: 'string' },
      prerender: { type: 'boolean', default: false }, persist: { type: 'boolean', default: false }, 'rule-cases': { type: 'boolean', default: false },
    },
  });
  if (values.persist && values.state) throw new UsageError('use --state FILE or --persist, not both');
  const statePath = values.persist
    ? path.join(homeDir(resolveHome(io.env), 'sandbox'), `smarthr-${String(values.seed ?? 1).replace(/[^A-Za-z0-9._-]+/g, '_')}.json`)
    : values.state && path.resolve(io.cwd, values.state);
  const port = num('port', values.port, 0, 65535);
  const sb = await startSmarthrSandbox({
    port,
    employees: num('employees', values.employees, 0, 2_000_000) ?? 1000,
    seed: values.seed ?? 1,
    departmentDepth: num('depth', values.depth, 1, 10),
    ruleCases: values['rule-cases'],
    rateLimit: num('rate-limit', values['rate-limit'], 0, 100_000, false) ?? 10,
    failRate: num('fail-rate', values['fail-rate'], 0, 1, false),
    faults: faultsOption(values.faults, io.cwd),
    latencyMs: num('latency', values.latency, 0, 600_000),
    statePath,
    token: values.token,
    prerender: values.prerender,
  }).catch((e: unknown) => {
    if ((e as { code?: string }).code === 'EADDRINUSE') throw new RenkeiError('USAGE', `port ${port} on 127.0.0.1 is already in use: choose another --port, or leave it out for a free one`);
    throw e;
  });
  const stop = until();
  const cpuAtStart = process.cpuUsage();
  io.stdout.write(`${JSON.stringify({ service: 'smarthr', url: sb.url, token: sb.token })}\n`);
  io.stderr.write(`smarthr sandbox: ${sb.state.crews.length} crews, ${sb.state.departments.length} departments at ${sb.url}\n`);
  await stop;
  await sb.stop();
  const s = sb.stats;
  const cpu = process.cpuUsage(cpuAtStart);
  io.stderr.write(`smarthr sandbox stopped: ${s.requests} requests (max ${s.maxPerSecond}/s), ${s.tooMany} × 429, ${s.writes} writes, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s${statePath ? `, state saved to ${statePath}` : ''}\n`);
  return 0;
}

const services: Record<string, (argv: string[], io: CommandIO) => Promise<number>> = {
  smarthr: (argv, io) => runSmarthrSandbox(argv, io),
  kingoftime: (argv, io) => runKingoftimeSandbox(argv, io, stopSignal),
  mikiwame: (argv, io) => runMikiwameSandbox(argv, io, stopSignal),
};

export const command: Command = {
  name: 'sandbox',
  summary: 'Run a local API server that speaks SmartHR, KING OF TIME or Mikiwame (for tests, demos and rehearsals)',
  help: `${HELP}\n\n${KINGOFTIME_SANDBOX_HELP}\n\n${MIKIWAME_HELP}`,
  async run(argv, io) {
    const [service, ...rest] = argv;
    const run = service ? services[service] : undefined;
    if (!run) throw new UsageError(`which sandbox? valid: ${Object.keys(services).join(', ')}`);
    return run(rest, io);
  },
};
