/**
 * Exclusive holds shared by every worker on every machine: PostgreSQL session advisory locks on a
 * dedicated connection, held for the whole job. Used for
 * - the (tenant, pipeline): two runs of it never overlap, even when a lease expired under a job that
 *   is still running somewhere (pg-boss would then start its retry);
 * - each connection token: jobs that use the same token run one after the other, so the token's
 *   rate limit (kept by the HTTP client inside the run) holds across all workers.
 * A worker that dies loses its connection, and PostgreSQL releases its locks at once.
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import { RenkeiError } from '../engine/errors.ts';

/** A lock name as the bigint key PostgreSQL advisory locks take. */
export function lockKey(name: string): string {
  return crypto.createHash('sha256').update(`renkei:${name}`).digest().readBigInt64BE(0).toString();
}

export interface Held { release(): Promise<void> }

/** A lock that is not waited for was held by another job. */
export class LockBusy extends RenkeiError {
  constructor(readonly lock: string) {
    super('LOCK_BUSY', `${lock} is held by another job`, { transient: true });
  }
}

/**
 * Takes every named lock (all or none, in a fixed order), waiting while another job holds one,
 * until `waitMs` has passed (a transient LOCK_BUSY error: the job is retried later) or `signal` aborts.
 * A busy lock named in `noWait` is not waited for: {@link LockBusy} at once.
 */
export async function holdLocks(pool: pg.Pool, names: string[], o: { waitMs: number; signal?: AbortSignal; onWait?: (busy: string) => void; noWait?: readonly string[] }): Promise<Held> {
  const keys = [...new Set(names)].sort().map((n) => ({ n, k: lockKey(n) }));
  const client = await pool.connect();
  const deadline = Date.now() + o.waitMs;
  let told = false;
  try {
    for (;;) {
      const got: string[] = [];
      let busy: string | undefined;
      for (const { n, k } of keys) {
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [k]);
        if (!r.rows[0].ok) { busy = n; break; }
        got.push(k);
      }
      if (!busy) break;
      for (const k of got) await client.query('SELECT pg_advisory_unlock($1::bigint)', [k]);
      if (o.noWait?.includes(busy)) throw new LockBusy(busy);
      if (!told) { o.onWait?.(busy); told = true; }
      if (o.signal?.aborted) throw new RenkeiError('LOCK_BUSY', `stopped while waiting for ${busy}`, { transient: true });
      if (Date.now() > deadline) throw new RenkeiError('LOCK_BUSY', `${busy} stayed busy for ${Math.round(o.waitMs / 1000)} s (another job holds it)`, { transient: true });
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    }
  } catch (e) {
    client.release(true);
    throw e;
  }
  return {
    async release() {
      // Closing the session releases every advisory lock it holds.
      client.release(true);
    },
  };
}
