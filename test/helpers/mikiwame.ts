/**
 * Both sandboxes for the SmartHR ⇄ Mikiwame tests, seeded through their own APIs in their own shapes:
 * SmartHR departments and crews by POST, Mikiwame departments by PUT and results by POST.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { startMikiwameSandbox, type MikiwameSandbox } from '../../sandbox/mikiwame/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { runMain, ROOT, type CliResult } from './cli.ts';
import type { TestDb } from './db.ts';

export interface Pair { sh: SmarthrSandbox; mw: MikiwameSandbox; clock: { now: Date }; dir: string; env: NodeJS.ProcessEnv }

export async function startPair(db: TestDb): Promise<Pair> {
  // The tenant's masters (employment types, custom-field templates incl. ミキワメ(AI)連携), no departments or crews.
  const state = generateTenant({ employees: 0, seed: 'mikiwame' });
  state.departments = [];
  const sh = await startSmarthrSandbox({ state, rateLimit: 0 });
  const clock = { now: new Date() };
  const mw = await startMikiwameSandbox({ rateLimit: 0, now: () => clock.now });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-mw-'));
  const env = {
    DATABASE_URL: db.url, SMARTHR_URL: sh.url, SMARTHR_TOKEN: sh.token, SMARTHR_RATE_LIMIT: '1000',
    MIKIWAME_URL: mw.url, MIKIWAME_TOKEN: mw.token, MIKIWAME_RATE_LIMIT: '1000', RENKEI_ERRORS_DIR: path.join(dir, 'errors'), USER: 'tester',
  };
  return { sh, mw, clock, dir, env };
}

export async function api(base: string, token: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export const sh = (p: Pair, method: string, path_: string, body?: unknown) => api(p.sh.url, p.sh.token, method, path_, body);
export const mw = (p: Pair, method: string, path_: string, body?: unknown) => api(p.mw.url, p.mw.token, method, path_, body);

/** Runs `renkei ARGS` in-process; `--report-json` is added and the report returned with the errors read. */
export async function renkeiRun(p: Pair, args: string[]): Promise<CliResult & { report: any; errors: Array<Record<string, string>> }> {
  const out = path.join(p.dir, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const r = await runMain([...args, '--report-json', out, '--no-progress'], p.env, p.dir);
  const report = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : undefined;
  // A sync run is a plan then an apply: the plan's error file holds the rejected and excluded records.
  const files = [report?.plan_run_id && path.join(p.dir, 'errors', report.pipeline, `${report.plan_run_id}.csv`), report?.errors_file].filter((f) => f && fs.existsSync(f));
  const errors = [...new Set(files)].flatMap((f) => Papa.parse<Record<string, string>>(fs.readFileSync(f, 'utf8').replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data);
  return { ...r, report, errors };
}

export const pipeline = (name: string): string => path.join(ROOT, 'pipelines', name);
