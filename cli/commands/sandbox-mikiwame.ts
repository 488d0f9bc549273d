/**
 * `renkei sandbox mikiwame`: runs the local Mikiwame API until SIGINT/SIGTERM. Prints one JSON line —
 * `{"service":"mikiwame","url":…,"token":…,"expires_at":…}` — to stdout; the rest goes to stderr.
 */
import { parseArgs } from 'node:util';
import type { CommandIO } from '../command.ts';
import { faultsOption, numberOption } from '../session.ts';
import { startMikiwameSandbox } from '../../sandbox/mikiwame/server.ts';

export const MIKIWAME_HELP = `renkei sandbox mikiwame [options]

Starts a local Mikiwame (ミキワメAI) API on 127.0.0.1, modelled as ../shared/docs/apis.md §3 sketches:
departments (PUT by code), employees (POST/PATCH; email immutable), personality results, and a
linkage token that expires 90 days after issue (401 linkage_expired; POST /api/v1/linkage re-links).

Options:
  --port N          port (default: any free port)
  --employees N     employees to generate, with departments and results (default 0: an empty tenant)
  --seed S          generator and fault seed (default 1)
  --rate-limit R    server limit, requests per second; 0 = none (default 10)
  --fail-rate P     probability of an injected fault per request (default 0)
  --faults SPEC     scripted fault bursts, as inline JSON or a JSON file, e.g.
                    [{"fault":"http429","from":3,"count":8}]: reads 3–10 answered 429;
                    fault: http500 http502 maintenance http429 reset truncated short slow;
                    on: read (default), write or any; optional path (a fragment) and method
  --latency MS      added to every response (default 0)
  --linked-days-ago D  the linkage was made D days ago (default 0; 91 = already expired)
  --state FILE      load the tenant from FILE when it exists; save it there on stop
  --token T         the accepted token (default: a random one)`;

const num = numberOption;

export async function runMikiwameSandbox(argv: string[], io: CommandIO, until: () => Promise<unknown>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' }, employees: { type: 'string' }, seed: { type: 'string' }, 'rate-limit': { type: 'string' },
      'fail-rate': { type: 'string' }, faults: { type: 'string' }, latency: { type: 'string' }, 'linked-days-ago': { type: 'string' }, state: { type: 'string' }, token: { type: 'string' },
    },
  });
  const ago = num('linked-days-ago', values['linked-days-ago'], 0, 10_000) ?? 0;
  const shift = ago * 86_400_000;
  const sb = await startMikiwameSandbox({
    port: num('port', values.port, 0, 65535),
    employees: num('employees', values.employees, 0, 1_000_000) ?? 0,
    seed: values.seed ?? 1,
    rateLimit: num('rate-limit', values['rate-limit'], 0, 100_000, false) ?? 10,
    failRate: num('fail-rate', values['fail-rate'], 0, 1, false),
    faults: faultsOption(values.faults, io.cwd),
    latencyMs: num('latency', values.latency, 0, 600_000),
    statePath: values.state,
    token: values.token,
  });
  if (shift) sb.state.linkage = { linked_at: new Date(Date.parse(sb.state.linkage.linked_at) - shift).toISOString(), expires_at: new Date(Date.parse(sb.state.linkage.expires_at) - shift).toISOString() };
  const stop = until();
  io.stdout.write(`${JSON.stringify({ service: 'mikiwame', url: sb.url, token: sb.token, expires_at: sb.state.linkage.expires_at })}\n`);
  io.stderr.write(`mikiwame sandbox: ${sb.state.employees.length} employees, ${sb.state.departments.length} departments, ${sb.state.personality_results.length} results at ${sb.url}\n`);
  await stop;
  await sb.stop();
  io.stderr.write(`mikiwame sandbox stopped: ${sb.stats.requests} requests, ${sb.stats.writes} writes\n`);
  return 0;
}
