/**
 * renkei's own tables, made or brought up to date once, not on every command. Running the DDL each
 * time (ALTER TABLE … ADD COLUMN IF NOT EXISTS, CREATE INDEX IF NOT EXISTS) takes a table's strongest
 * locks even when there is nothing to do: with several runs at once — workers of a nightly batch —
 * one run's DDL waiting on another's inserts while holding the lock those inserts needed was
 * "deadlock detected" (seen with 4 workers: 3 of 60 jobs failed and were retried a minute later).
 * So the DDL's hash is written as the main table's comment, and a command whose DDL matches the
 * comment skips it with one catalogue read.
 */
import crypto from 'node:crypto';
import type pg from 'pg';

/** `migrating` runs first when the DDL is to run (not when the schema is current), e.g. to say that a long migration starts. */
export async function ensureSchema(pool: pg.Pool, table: string, ddl: string, lockKey: number, migrating?: (q: pg.PoolClient) => Promise<void>): Promise<void> {
  const mark = `renkei schema ${crypto.createHash('sha256').update(ddl).digest('hex').slice(0, 16)}`;
  const current = async (q: pg.Pool | pg.PoolClient): Promise<string | null> =>
    (await q.query<{ v: string | null }>(`SELECT obj_description(to_regclass($1), 'pg_class') AS v`, [table])).rows[0].v;
  if ((await current(pool)) === mark) return;
  const c = await pool.connect();
  try {
    // Serialise first runs: CREATE TABLE IF NOT EXISTS can still race on the type catalogue.
    await c.query('SELECT pg_advisory_lock($1)', [lockKey]);
    if ((await current(c)) !== mark) {
      await migrating?.(c);
      await c.query(`${ddl};\nCOMMENT ON TABLE ${table} IS '${mark}'`);
    }
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => {});
    c.release();
  }
}
