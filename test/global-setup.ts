/**
 * One PostgreSQL server per test run: DATABASE_URL when set, otherwise an embedded server in a
 * temporary folder (fsync off: the data is thrown away). Each test file makes its own database
 * (test/helpers/db.ts), so files can run in parallel.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbedded, type EmbeddedHandle } from '../db/embedded.ts';

let handle: EmbeddedHandle | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-test-pg-'));
  handle = await startEmbedded({ dir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' } });
  process.env.DATABASE_URL = handle.url;
  process.env.RENKEI_TEST_EMBEDDED = '1';
}

export async function teardown(): Promise<void> {
  await handle?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
