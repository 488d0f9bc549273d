/**
 * The state home: one folder for all of renkei's own state (the embedded PostgreSQL cluster, saved
 * plans, review pages, demo data), whatever the working directory, so a command run from cron and one
 * run from a shell see the same database, run history and guards.
 *
 * `RENKEI_HOME` when set; otherwise `~/.renkei`. As root the default is `/var/lib/renkei`: the server
 * then runs as the `postgres` system user, which cannot enter root's home (mode 0700).
 *
 * The folder is created 0700 (0711 as root, so the `postgres` user can reach its cluster but list
 * nothing); files in it that hold personal data are created 0600 (G6).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RenkeiError } from '../engine/errors.ts';

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Where renkei keeps its state for this environment (not created). */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.RENKEI_HOME?.trim();
  if (given) return path.resolve(given);
  if (isRoot()) return '/var/lib/renkei';
  const home = env.HOME?.trim() || os.homedir();
  return path.join(home, '.renkei');
}

/** Creates the state home if needed (0700, or 0711 as root) and returns its absolute path. */
export function ensureHome(dir: string): string {
  const abs = path.resolve(dir);
  const mode = isRoot() ? 0o711 : 0o700;
  try {
    if (!fs.existsSync(abs)) {
      fs.mkdirSync(abs, { recursive: true, mode });
      fs.chmodSync(abs, mode); // mkdir's mode is filtered by the umask
    } else {
      const st = fs.statSync(abs);
      if (!st.isDirectory()) throw new RenkeiError('STATE_HOME', `the state home ${abs} is not a folder (set RENKEI_HOME to another place)`);
      // As root the server's `postgres` user must be able to pass through (never to list) the home.
      if (isRoot() && st.uid === 0 && !(st.mode & 0o001)) fs.chmodSync(abs, (st.mode & 0o777) | 0o011);
    }
  } catch (e) {
    if (e instanceof RenkeiError) throw e;
    throw new RenkeiError('STATE_HOME', `cannot create the state home ${abs}: ${(e as Error).message} (set RENKEI_HOME to a writable folder)`, { cause: e });
  }
  return abs;
}

/** A sub-folder of the state home (plans, review pages, demo data), created 0700. */
export function homeDir(home: string, ...parts: string[]): string {
  const d = path.join(ensureHome(home), ...parts);
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
}

/**
 * Writes a file readable by its owner only (0600): plans, review pages, reports and error files hold
 * personal data (G6). An existing file keeps its mode unless we tighten it here.
 */
export function writePrivateFile(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
