/**
 * The state database: DATABASE_URL when set, otherwise the embedded server in the state home
 * (see home.ts and embedded.ts).
 */
import pg from 'pg';
import { startEmbedded, type EmbeddedHandle } from './embedded.ts';
import { resolveHome } from './home.ts';
import { RenkeiError } from '../engine/errors.ts';

export interface Db {
  pool: pg.Pool;
  /** Connection string (contains a password: never log it, G5). */
  url: string;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  env?: NodeJS.ProcessEnv;
  /** The state home, where the embedded server lives when DATABASE_URL is unset (default: resolveHome(env)). */
  home?: string;
  onLog?: (line: string) => void;
  /** What holds the embedded server's lease (`renkei db status` shows it). */
  note?: string;
}

export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  const env = opts.env ?? process.env;
  let embedded: EmbeddedHandle | undefined;
  let url = env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbedded({ dir: opts.home ?? resolveHome(env), onLog: opts.onLog, note: opts.note });
    url = embedded.url;
  }
  // Not a URL (nor a socket path): pg would read a host out of it and fail with a baffling ENOTFOUND.
  if (!embedded && !url.startsWith('/') && !URL.canParse(url)) {
    throw new RenkeiError('DB', 'cannot connect to the state database: DATABASE_URL is not a connection URL (postgres://user:password@host:port/database)');
  }
  const pool = newPool(url);
  try {
    (await pool.connect()).release();
  } catch (e) {
    await pool.end().catch(() => {});
    await embedded?.stop().catch(() => {});
    const at = embedded ? '(the embedded server)' : `${where(url)}(DATABASE_URL)`;
    throw new RenkeiError('DB', `cannot connect to the state database ${at}: ${(e as Error).message}`, { transient: true, cause: e });
  }
  return { pool, url, close: async () => { await pool.end(); await embedded?.stop(); } };
}

/** `host:port/db` of a connection string, without user or password (G5). */
function where(url: string): string {
  try { const u = new URL(url); return `${u.hostname}:${u.port || 5432}${u.pathname} `; } catch { return ''; }
}

/**
 * How long to wait for a server to answer a new connection: the URL's `connect_timeout` (seconds, as
 * libpq reads it), else 30 s. node-postgres waits forever by default, so a server (or a firewall)
 * that accepts the connection and never answers would hang a command for good.
 */
export function connectTimeoutMs(url: string): number {
  try {
    const t = Number(new URL(url).searchParams.get('connect_timeout'));
    if (t > 0) return t * 1000;
  } catch { /* not a URL: pg reports it */ }
  return 30_000;
}

export function newPool(url: string, max = 10): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: connectTimeoutMs(url) });
  // An idle client dying (server restart, terminated backend) must not crash the process.
  p.on('error', () => {});
  return p;
}

/** Quote an SQL identifier (table, column, schema.table parts). Never build SQL from raw names. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Quote a possibly schema-qualified table name given as `schema.table` or `table`. */
export function tableIdent(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 && !name.startsWith('"') ? `${ident(name.slice(0, dot))}.${ident(name.slice(dot + 1))}` : ident(name);
}
