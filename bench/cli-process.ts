/**
 * Runs `node bin/renkei.js run FILE` as a whole process, as a user would (start-up, config loading,
 * the run table, the summary included), against DATABASE_URL, with a throw-away RENKEI_HOME. Returns
 * the wall time measured around the process, its peak RSS (every thread; bench/rss-at-exit.mjs, loaded
 * with --import, writes it at exit) and the counts of its `--report-json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledCli } from '../bin/load-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface CliRun { seconds: number; max_rss_mb: number; counts: { read: number; written: number; rejected: number; filtered: number; unchanged: number } }

/** Which CLI `bin/renkei.js` starts right now: `compiled` (dist/, up to date) or `tsx` (sources; ~1 s more start-up). */
export function cliFlavour(): 'compiled' | 'tsx' {
  return (compiledCli as (d: string) => string | undefined)(path.join(ROOT, 'dist')) ? 'compiled' : 'tsx';
}

export async function runCli(dir: string, url: string, name: string, yaml: string): Promise<CliRun> {
  const file = path.join(dir, `${name}.yaml`);
  const report = path.join(dir, `${name}.report.json`);
  const rss = path.join(dir, `${name}.rss`);
  fs.writeFileSync(file, yaml);
  fs.rmSync(report, { force: true });
  fs.rmSync(rss, { force: true });
  const home = path.join(dir, 'home');
  const t0 = performance.now();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'bench/rss-at-exit.mjs')).href, path.join(ROOT, 'bin/renkei.js'), 'run', file, '--report-json', report, '--log-level', 'warn', '--log-format', 'json'], {
      cwd: dir, env: { PATH: process.env.PATH, HOME: home, RENKEI_HOME: path.join(home, '.renkei'), DATABASE_URL: url, RENKEI_BENCH_RSS: rss }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => { if (err.length < 4000) err += d; });
    p.on('error', reject);
    p.on('close', (c) => resolve({ code: c ?? -1, stderr: err }));
  });
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`renkei run ${name} exited ${code}: ${stderr}`);
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  return { seconds, max_rss_mb: round(Number(fs.readFileSync(rss, 'utf8')) / 1024, 1), counts: r.counts };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
