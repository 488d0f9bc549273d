/**
 * A database of its own on a PostgreSQL server, for a test file or a benchmark: made under a random
 * name next to the server URL's database, and dropped (its sessions ended) when done.
 */
import crypto from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase { name: string; url: string; drop(): Promise<void> }

/** `SQL` run on the server's own database (the URL's). */
async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}${crypto.randomBytes(5).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = '/' + name;
  return { name, url: u.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
