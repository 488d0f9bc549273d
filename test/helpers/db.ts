/** A fresh database per test file on the run's server (see global-setup.ts). */
import pg from 'pg';
import { afterAll } from 'vitest';
import { createScratchDatabase } from '../../db/scratch.ts';

export interface TestDb { url: string; pool: pg.Pool; name: string }

export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: tests must run through vitest global setup');
  return url;
}

/** Creates a database for this test file, dropped after the file's tests. */
export async function freshDb(): Promise<TestDb> {
  const scratch = await createScratchDatabase(serverUrl(), 'renkei_t_');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 8 });
  pool.on('error', () => {});
  afterAll(async () => {
    await pool.end();
    await scratch.drop();
  });
  return { url: scratch.url, pool, name: scratch.name };
}
