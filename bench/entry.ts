import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when the module at `url` is the script being run (`node bin/run-ts.js bench/x.ts`, or tsx directly). */
export function isEntry(url: string): boolean {
  const self = fileURLToPath(url);
  return process.env.RENKEI_ENTRY === self || (process.argv[1] !== undefined && path.resolve(process.argv[1]) === self);
}

/**
 * Runs `fn` with a PostgreSQL URL: DATABASE_URL when set, otherwise a throwaway embedded server in a
 * temporary folder (stopped and removed after) — for a benchmark run as its own script.
 */
export async function withBenchDb<T>(fn: (url: string) => Promise<T>, settings?: Record<string, string>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const { startEmbedded } = await import('../db/embedded.ts');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-pg-'));
  const h = await startEmbedded({ dir: tmp, settings });
  try {
    return await fn(h.url);
  } finally {
    await h.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
