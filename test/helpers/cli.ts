/**
 * The `renkei` CLI in tests, two ways:
 * - `runMain()` calls `main(argv, io)` in this process: the same code, exit code, stdout and stderr,
 *   without a process start per call. What most CLI tests want.
 * - `renkei()` runs bin/renkei.js as a real child process, as a user does: for what only a process
 *   shows (exit codes as a shell sees them, signals, a server command, the compiled CLI).
 *
 * Both give the CLI an explicit environment: PATH, then HOME and RENKEI_HOME in a fresh temporary
 * folder per call (unless the caller's env names them; an explicit `undefined` leaves one unset),
 * then the caller's env. The test process's own environment is never passed on, so no test reads or
 * writes the real home or the real state home.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'renkei.js');

export interface CliResult { code: number; stdout: string; stderr: string }

let tmpRoot: string | undefined;
/** One folder per test process for the per-call homes, removed when the process exits. */
function tempHome(): string {
  if (!tmpRoot) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-cli-homes-'));
    tmpRoot = root;
    process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  }
  return fs.mkdtempSync(path.join(tmpRoot, 'home-'));
}

/** The environment a CLI call gets (see the header). */
export function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (!('HOME' in env) || !('RENKEI_HOME' in env)) {
    const home = tempHome();
    base.HOME = home;
    base.RENKEI_HOME = path.join(home, '.renkei');
  }
  return { ...base, ...env };
}

/** Runs `renkei ARGS` as a child process in `cwd`. */
export function renkei(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: cliEnv(env) });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function collector(): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({ write(chunk, enc, cb) { chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, enc)); cb(); } });
  return { stream, chunks };
}

let running = false;

/**
 * Runs `renkei ARGS` in this process through `main(argv, io)`: io.stdout and io.stderr are captured,
 * and so is anything written to process.stdout / process.stderr meanwhile (a process would print it
 * too: a secret leaked there must fail a test here as it would there). Calls must not overlap.
 */
export async function runMain(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  if (running) throw new Error('runMain: calls must not overlap (process.stdout/stderr are captured per call)');
  running = true;
  const out = collector();
  const err = collector();
  const restore = [tap(process.stdout, out.chunks), tap(process.stderr, err.chunks)];
  try {
    const code = await main(args, { stdout: out.stream, stderr: err.stream, env: cliEnv(env), cwd });
    await new Promise((r) => setImmediate(r)); // writes a stream queued asynchronously (pretty logs)
    return { code, stdout: Buffer.concat(out.chunks).toString('utf8'), stderr: Buffer.concat(err.chunks).toString('utf8') };
  } finally {
    for (const r of restore) r();
    running = false;
  }
}

/** Diverts `stream.write` into `chunks` until the returned function is called. */
function tap(stream: NodeJS.WriteStream, chunks: Buffer[]): () => void {
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, enc?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void) => {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof enc === 'string' ? enc : 'utf8') : Buffer.from(chunk));
    const done = typeof enc === 'function' ? enc : cb;
    if (done) process.nextTick(done);
    return true;
  }) as typeof stream.write;
  return () => { stream.write = original; };
}
