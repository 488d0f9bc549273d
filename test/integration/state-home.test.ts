/**
 * renkei's own state (issue 8), against real embedded PostgreSQL clusters in temporary state homes:
 * a lost or damaged state file never costs the data, a cluster of another version is refused and
 * left alone, overlapping commands share the server, signals interrupt a run cleanly (rolled back,
 * recorded `interrupted`, exit 130/143), a killed run is found `abandoned`, and files holding
 * personal data are private.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { renkeiIn } from '../helpers/in-process.ts';
import { ROOT } from '../helpers/cli.ts';
import { layout, runningServer, stopEmbeddedServer } from '../../db/embedded.ts';
import { isRoot } from '../../db/home.ts';

const homes: string[] = [];
afterAll(async () => {
  // Stop any server a killed child left running; the temporary homes are this test's own.
  for (const h of homes) {
    await stopEmbeddedServer(h, { force: true }).catch(() => {});
    fs.rmSync(h, { recursive: true, force: true });
  }
});

function newHome(): { home: string; work: string; env: NodeJS.ProcessEnv } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-state-'));
  fs.chmodSync(base, 0o755);
  const home = path.join(base, 'home');
  const work = path.join(base, 'work');
  fs.mkdirSync(work);
  homes.push(home);
  return { home, work, env: { PATH: process.env.PATH, HOME: base, RENKEI_HOME: home, USER: 'tester' } };
}

/** A CSV → (pause stage) → postgres pipeline in `work`. */
function pipeline(work: string, o: { rows: number; table: string; pause?: Record<string, unknown>; name?: string }): string {
  const lines = ['code,n'];
  for (let i = 1; i <= o.rows; i++) lines.push(`E${String(i).padStart(5, '0')},${i}`);
  fs.writeFileSync(path.join(work, `${o.table}.csv`), lines.join('\n') + '\n');
  const pause = o.pause
    ? `transforms:\n  - type: module\n    path: ${path.join(ROOT, 'test/integration/fixtures/pause-stage.ts')}\n    options: ${JSON.stringify(o.pause)}\n`
    : '';
  const file = path.join(work, `${o.name ?? o.table}.yaml`);
  fs.writeFileSync(file, `name: ${o.name ?? o.table}
key: [code]
source: { type: csv, path: ${o.table}.csv }
${pause}sinks:
  - type: postgres
    table: ${o.table}
    mode: append
    create_table: true
    copy_batch_rows: 200
    columns: [{ name: code, type: text }, { name: n, type: integer }]
errors: { type: csv, path: 'errors/{run_id}.csv' }
options: { batch_size: 200 }
`);
  return file;
}

async function urlOf(env: NodeJS.ProcessEnv, work: string): Promise<string> {
  const r = await renkeiIn(['db', 'url'], env, work);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try { return (await c.query<T>(sql)).rows; } finally { await c.end(); }
}

async function runsJson(env: NodeJS.ProcessEnv, work: string): Promise<Array<Record<string, any>>> {
  const r = await renkeiIn(['runs', '--json', '--limit', '50'], env, work);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function child(args: string[], env: NodeJS.ProcessEnv, cwd: string): { p: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'renkei.js'), ...args], { cwd, env });
  let stdout = '', stderr = '';
  p.stdout!.on('data', (d) => (stdout += d));
  p.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { p, done };
}

async function waitFor(file: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('state home and the embedded cluster', () => {
  it('the state file removed: the next command recovers it from the cluster and sees every table and run', async () => {
    const { home, work, env } = newHome();
    const file = pipeline(work, { rows: 50, table: 'kept' });
    expect((await renkeiIn(['run', file, '--no-progress'], env, work)).code).toBe(0);
    const before = await runsJson(env, work);
    expect(before).toHaveLength(1);
    const status = await renkeiIn(['db', 'status', '--json'], env, work);
    expect(JSON.parse(status.stdout)).toMatchObject({ home, cluster: 'initialised', clusterVersion: '17', running: false, stateFile: 'ok', users: [] });
    expect(JSON.parse(status.stdout).sizeBytes).toBeGreaterThan(1_000_000);
    const l = layout(home);
    const version = fs.readFileSync(path.join(l.data, 'PG_VERSION'), 'utf8');
    fs.rmSync(l.state);

    const after = await runsJson(env, work);
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(fs.existsSync(l.state)).toBe(true);
    expect(fs.readFileSync(path.join(l.data, 'PG_VERSION'), 'utf8')).toBe(version);
    expect((await renkeiIn(['run', file, '--no-progress'], env, work)).code).toBe(0);
    const url = await urlOf(env, work);
    expect((await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM kept'))[0].n).toBe(100);
    expect((await renkeiIn(['db', 'stop'], env, work)).code).toBe(0);
  });

  it('a damaged state file is kept aside (never deleted) and recovered; a running server with a lost state file is refused with instructions', async () => {
    const { home, work, env } = newHome();
    const file = pipeline(work, { rows: 10, table: 'dmg' });
    expect((await renkeiIn(['run', file, '--no-progress'], env, work)).code).toBe(0);
    const l = layout(home);
    fs.writeFileSync(l.state, '{"port": 1, "pass');
    const r = await runsJson(env, work);
    expect(r).toHaveLength(1);
    expect(fs.readdirSync(home).some((f) => f.startsWith('embedded.json.damaged-'))).toBe(true);

    // Server kept running (db start), then the state file lost: the password cannot be recovered live.
    expect((await renkeiIn(['db', 'start'], env, work)).code).toBe(0);
    fs.rmSync(l.state);
    const refused = await renkeiIn(['runs'], env, work);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/DB_STATE/);
    expect(refused.stderr).toMatch(/renkei db stop/);
    expect(fs.existsSync(path.join(l.data, 'PG_VERSION'))).toBe(true);
    expect((await renkeiIn(['db', 'stop'], env, work)).code).toBe(0);
    expect(await runsJson(env, work)).toHaveLength(1);
  });

  it('a cluster made by another PostgreSQL major version, or a non-cluster folder, is refused and left untouched', async () => {
    const { home, work, env } = newHome();
    const l = layout(home);
    fs.mkdirSync(l.data, { recursive: true });
    fs.writeFileSync(path.join(l.data, 'PG_VERSION'), '15\n');
    fs.writeFileSync(path.join(l.data, 'precious'), 'data');
    const r = await renkeiIn(['runs'], env, work);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DB_VERSION: the cluster in .* was made by PostgreSQL 15/);
    expect(r.stderr).toMatch(/intact/);
    expect(fs.readdirSync(l.data).sort()).toEqual(['PG_VERSION', 'precious']);

    fs.rmSync(path.join(l.data, 'PG_VERSION'));
    const r2 = await renkeiIn(['runs'], env, work);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/not empty but holds no PostgreSQL cluster/);
    expect(fs.readdirSync(l.data)).toEqual(['precious']);
  });

  it('state does not depend on the working directory: two folders, one home, one history', async () => {
    const { work, env } = newHome();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-elsewhere-'));
    const file = pipeline(work, { rows: 5, table: 'cwd' });
    expect((await renkeiIn(['run', file, '--no-progress'], env, work)).code).toBe(0);
    expect(await runsJson(env, other)).toHaveLength(1);
    expect(fs.existsSync(path.join(other, '.renkei'))).toBe(false);
    expect(fs.existsSync(path.join(work, '.renkei'))).toBe(false);
  });

  it('three overlapping renkei run processes share the server and all succeed; the last one stops it', async () => {
    const { home, work, env } = newHome();
    const meet = path.join(work, 'meet');
    fs.mkdirSync(meet);
    const files = [1, 2, 3].map((i) => pipeline(work, { rows: 600, table: `overlap${i}`, pause: { at: 300, marker: path.join(meet, `p${i}`), until_count: 3 } }));
    // Create the cluster first so the three race on starting it, not on initdb.
    expect((await renkeiIn(['runs'], env, work)).code).toBe(0);
    const runs = files.map((f) => child(['run', f, '--no-progress'], env, work));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(runningServer(layout(home).data)).toBeUndefined();
    const all = await runsJson(env, work);
    expect(all.filter((r) => r.status === 'succeeded')).toHaveLength(3);
    const url = await urlOf(env, work);
    for (const i of [1, 2, 3]) expect((await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM overlap${i}`))[0].n).toBe(600);
    expect((await renkeiIn(['db', 'stop'], env, work)).code).toBe(0);
  });

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} mid-load: the table is unchanged, the run is recorded interrupted, exit ${code}`, async () => {
      const { work, env } = newHome();
      const seed = pipeline(work, { rows: 20, table: 'sig', name: 'seed' });
      expect((await renkeiIn(['run', seed, '--no-progress'], env, work)).code).toBe(0);
      const marker = path.join(work, 'paused');
      const file = pipeline(work, { rows: 2000, table: 'sig', name: 'load', pause: { at: 1500, marker } });
      const c = child(['run', file, '--no-progress'], env, work);
      await waitFor(marker);
      // The paused run holds the server: stopping it under the run is refused.
      const stop = await renkeiIn(['db', 'stop'], env, work);
      expect(stop.code).toBe(1);
      expect(stop.stderr).toMatch(/DB_IN_USE: the embedded PostgreSQL is in use by 1 renkei command/);
      c.p.kill(sig);
      const r = await c.done;
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`interrupted by ${sig}; nothing was committed`));
      expect(r.stderr).not.toMatch(/SINK_PG/);
      const runs = await runsJson(env, work);
      const load = runs.find((x) => x.pipeline === 'load')!;
      expect(load.status).toBe('interrupted');
      expect(load.message).toMatch(new RegExp(`interrupted by ${sig}`));
      const url = await urlOf(env, work);
      expect((await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM sig'))[0].n).toBe(20);
      expect((await renkeiIn(['db', 'stop'], env, work)).code).toBe(0);
    });
  }

  it('a run whose process was killed (SIGKILL) is shown abandoned by the next renkei runs; the server is taken over', async () => {
    const { home, work, env } = newHome();
    const marker = path.join(work, 'paused');
    const file = pipeline(work, { rows: 1000, table: 'killed', pause: { at: 500, marker } });
    const c = child(['run', file, '--no-progress'], env, work);
    await waitFor(marker);
    c.p.kill('SIGKILL');
    await c.done;
    expect(runningServer(layout(home).data)).toBeDefined();
    const runs = await runsJson(env, work);
    expect(runs[0].status).toBe('abandoned');
    expect(runs[0].message).toMatch(/its process \(pid \d+ on .*\) ended without finishing the run/);
    expect((await renkeiIn(['runs', '--status', 'running'], env, work)).stdout).toBe('no runs match status running\n');
    // The lease of the dead process was pruned: the last live user stopped the server.
    expect(runningServer(layout(home).data)).toBeUndefined();
  });

  it('G6: the state home is private, and plans, review pages, error files and reports are created 0600', async () => {
    const { home, work, env } = newHome();
    const file = pipeline(work, { rows: 10, table: 'modes' });
    fs.appendFileSync(path.join(work, 'modes.csv'), 'E99999,not-a-number\n');
    const r = await renkeiIn(['run', file, '--no-progress', '--report-json', 'out/report.json'], env, work);
    expect(r.code, r.stderr).toBe(0);
    const mode = (f: string) => fs.statSync(f).mode & 0o777;
    expect(mode(home)).toBe(isRoot() ? 0o711 : 0o700);
    expect(mode(path.join(work, 'out/report.json'))).toBe(0o600);
    const errorsDir = path.join(work, 'errors');
    const [errFile] = fs.readdirSync(errorsDir);
    expect(mode(path.join(errorsDir, errFile))).toBe(0o600);

    // Without an errors: block, rejected records go to the state home's error folder.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^errors: .*\n/m, ''));
    const r2 = await renkeiIn(['run', file, '--no-progress'], env, work);
    expect(r2.code, r2.stderr).toBe(0);
    const [run] = (await runsJson(env, work)).filter((x) => x.pipeline === 'modes');
    const defaultFile = path.join(home, 'errors', 'modes', `${run.id}.csv`);
    expect(run.errors_file).toBe(defaultFile);
    expect(fs.readFileSync(defaultFile, 'utf8')).toMatch(/SINK_PG_ROW/);
    expect(mode(defaultFile)).toBe(0o600);
    expect(mode(path.join(home, 'errors'))).toBe(0o700);
  });
});
