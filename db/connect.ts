/**
 * The state database: DATABASE_URL when set, otherwise the embedded server (see embedded.ts).
 */
import pg from 'pg';
import path from 'node:path';
import { startEmbedded, type EmbeddedHandle } from './embedded.ts';

export interface Db {
  pool: pg.Pool;
  /** Connection string (contains a password: never log it, G5). */
  url: string;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the embedded server lives when DATABASE_URL is unset (default `./.renkei`). */
  embeddedDir?: string;
  onLog?: (line: string) => void;
}

export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  const env = opts.env ?? process.env;
  let embedded: EmbeddedHandle | undefined;
  let url = env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbedded({ dir: opts.embeddedDir ?? path.resolve('.renkei'), onLog: opts.onLog });
    url = embedded.url;
  }
  const pool = newPool(url);
  return { pool, url, close: async () => { await pool.end(); await embedded?.stop(); } };
}

export function newPool(url: string, max = 10): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max });
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
