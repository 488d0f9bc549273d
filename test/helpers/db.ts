/** A fresh database per test file on the run's server (see global-setup.ts). */
import pg from 'pg';
import crypto from 'node:crypto';
import { afterAll } from 'vitest';

export interface TestDb { url: string; pool: pg.Pool; name: string }

export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: tests must run through vitest global setup');
  return url;
}

/** Creates a database for this test file, dropped after the file's tests. */
export async function freshDb(): Promise<TestDb> {
  const base = serverUrl();
  const name = `renkei_t_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = '/' + name;
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => {});
  const db = { url, pool, name };
  afterAll(async () => {
    await pool.end();
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  return db;
}
