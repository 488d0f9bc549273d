/**
 * `renkei sandbox smarthr` as a process (bin/renkei.js): one JSON line on stdout, clean stop on
 * SIGTERM, --state saved; its usage errors, and `renkei run` of the shipped SmartHR pipeline against it
 * in-process through main().
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { command } from '../../cli/commands/sandbox.ts';
import { UsageError } from '../../cli/session.ts';
import { startSmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { ROOT, cliEnv, runMain } from '../helpers/cli.ts';
import { freshDb } from '../helpers/db.ts';

const io = { stdout: process.stdout, stderr: process.stderr, env: cliEnv(), cwd: ROOT };

describe('renkei sandbox smarthr', () => {
  it('prints {service,url,token}, serves the API, saves --state and exits 0 on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-sbcli-'));
    const state = path.join(dir, 'smarthr.json');
    const child = spawn(process.execPath, ['bin/renkei.js', 'sandbox', 'smarthr', '--employees', '120', '--seed', '9', '--rate-limit', '0', '--state', state], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = readline.createInterface({ input: child.stdout! });
      const [first] = (await once(lines, 'line')) as [string];
      const info = JSON.parse(first) as { service: string; url: string; token: string };
      expect(info.service).toBe('smarthr');
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
      expect(info.token.length).toBeGreaterThanOrEqual(16);
      const res = await fetch(`${info.url}/v1/crews?per_page=100&page=2`, { headers: { authorization: `Bearer ${info.token}` } });
      expect(res.headers.get('x-total-count')).toBe('120');
      expect(((await res.json()) as unknown[]).length).toBe(20);
      const made = await fetch(`${info.url}/v1/departments`, { method: 'POST', headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'CLIで作成', code: 'CLI1' }) });
      expect(made.status).toBe(201);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      const saved = JSON.parse(fs.readFileSync(state, 'utf8')) as { crews: unknown[]; departments: Array<{ code: string | null }> };
      expect(saved.crews).toHaveLength(120);
      expect(saved.departments.some((d) => d.code === 'CLI1')).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown service and bad option values as usage errors', async () => {
    await expect(command.run(['nope'], io)).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(['smarthr', '--fail-rate', '2'], io)).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(['smarthr', '--employees', 'many'], io)).rejects.toThrow(/--employees must be an integer/);
  });

  it('a port in use is a clear error, not a stack trace', async () => {
    const other = await startSmarthrSandbox({ employees: 1 });
    try {
      const port = new URL(other.url).port;
      await expect(command.run(['smarthr', '--port', port, '--employees', '1'], io)).rejects.toThrow(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally { await other.stop(); }
  });

  it('renkei run pipelines/smarthr-crews.yaml against the sandbox: exit 0; a wrong token: exit 1 with SOURCE_HTTP unauthorized_token, token not printed', async () => {
    const [sb, db] = await Promise.all([startSmarthrSandbox({ employees: 150, seed: 'cli-run', rateLimit: 0 }), freshDb()]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-sbrun-'));
    try {
      const env = { DATABASE_URL: db.url, SMARTHR_URL: sb.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors') };
      const ok = await runMain(['run', path.join(ROOT, 'pipelines/smarthr-crews.yaml'), '--set', 'source.rate_limit=200', '--log-level', 'warn'], { ...env, SMARTHR_TOKEN: sb.token }, dir);
      expect(ok.code).toBe(0);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM smarthr_crews')).rows[0].n).toBe(150);
      const bad = await runMain(['run', path.join(ROOT, 'pipelines/smarthr-crews.yaml'), '--log-level', 'warn'], { ...env, SMARTHR_TOKEN: 'wrong-token-value' }, dir);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('SOURCE_HTTP');
      expect(bad.stderr).toContain('GET /v1/crews page 1: HTTP 401 unauthorized_token (code 2)');
      expect(bad.stderr + bad.stdout).not.toContain('wrong-token-value');
    } finally {
      await sb.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
