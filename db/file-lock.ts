/**
 * A cross-process lock on a file (`O_EXCL` create), and leases: one small file per live user of a
 * shared resource. Both record the owner's pid so that what a killed process left behind is
 * recognised as stale and cleared by the next one.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RenkeiError } from '../engine/errors.ts';

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function ownerPid(file: string): number | undefined {
  try { return Number.parseInt(fs.readFileSync(file, 'utf8'), 10); } catch { return undefined; }
}

/**
 * Runs `fn` holding the lock file. A lock whose owner process is gone is broken; a live one is waited
 * for up to `timeoutMs` (starting a cluster for the first time takes a few seconds).
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = ownerPid(file);
      // A lock file still empty was just created by its owner: wait; a dead owner's lock is broken.
      if (pid !== undefined && !Number.isNaN(pid) && !pidAlive(pid)) { fs.rmSync(file, { force: true }); continue; }
      if (Date.now() > deadline) {
        throw new RenkeiError('DB_LOCK', `another renkei command (pid ${pid}) has held ${file} for over ${Math.round(timeoutMs / 1000)} s; if no renkei command is running, delete that file`);
      }
      await sleep(25 + Math.random() * 50);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Leases in a folder: `<pid>-<random>` files, one per user; dead owners' leases are pruned. */
export class Leases {
  constructor(private readonly dir: string) {}

  take(note: string): string {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const f = path.join(this.dir, `${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    fs.writeFileSync(f, note, { mode: 0o600 });
    return f;
  }

  drop(lease: string): void {
    fs.rmSync(lease, { force: true });
  }

  /** Live leases (pid and note), after removing those of processes that are gone. */
  live(): Array<{ pid: number; note: string }> {
    let names: string[];
    try { names = fs.readdirSync(this.dir); } catch { return []; }
    const out: Array<{ pid: number; note: string }> = [];
    for (const n of names) {
      const pid = Number.parseInt(n, 10);
      const f = path.join(this.dir, n);
      if (!pidAlive(pid)) { fs.rmSync(f, { force: true }); continue; }
      let note = '';
      try { note = fs.readFileSync(f, 'utf8'); } catch { continue; }
      out.push({ pid, note });
    }
    return out;
  }
}
