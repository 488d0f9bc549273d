/**
 * renkei's own tables are made or migrated once, not on every command: a command whose schema is
 * current takes no lock on them. Found with 4 pg-boss workers: each run's ALTER TABLE … IF NOT EXISTS
 * waited on another run's inserts while holding what they needed — "deadlock detected", jobs failed.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDb } from '../helpers/db.ts';
import { ensureRunsTable } from '../../db/runs.ts';
import { ensureLedger } from '../../jobs/ledger.ts';

describe('state schema', () => {
  it('ensuring a current schema takes no table lock: it returns while another session holds renkei_runs and renkei_run_errors, and never deadlocks with inserts', async () => {
    const db = await freshDb();
    await ensureRunsTable(db.pool);
    await ensureLedger(db.pool);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    // A session in the middle of a run: it holds locks on the run tables until it commits.
    await other.query(`BEGIN; INSERT INTO renkei_runs (id, pipeline, config_hash, started_at, status) VALUES ('r1', 'p', 'h', now(), 'running');
      INSERT INTO renkei_run_errors (run_id, key, code, message, stage) VALUES ('r1', 'k', 'C', 'm', 's'); SELECT * FROM renkei_job_attempts LIMIT 1`);
    const strict = new pg.Pool({ connectionString: db.url, options: '-c lock_timeout=3000', max: 2 });
    try {
      // Before: ALTER TABLE renkei_runs waited for the open transaction (here: lock timeout; with two runs: deadlock).
      await expect(ensureRunsTable(strict)).resolves.toBeUndefined();
      await expect(ensureLedger(strict)).resolves.toBeUndefined();
    } finally {
      await other.query('ROLLBACK');
      await other.end();
      await strict.end();
    }
  });

  it('an older schema is brought up to date (a missing column is added) and marked, once', async () => {
    const db = await freshDb();
    await ensureRunsTable(db.pool);
    await db.pool.query(`ALTER TABLE renkei_runs DROP COLUMN heartbeat_at; COMMENT ON TABLE renkei_runs IS NULL`);
    await ensureRunsTable(db.pool);
    const col = await db.pool.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'renkei_runs' AND column_name = 'heartbeat_at'`);
    expect(col.rowCount).toBe(1);
    const mark = await db.pool.query(`SELECT obj_description('renkei_runs'::regclass, 'pg_class') AS v`);
    expect(mark.rows[0].v).toMatch(/^renkei schema [0-9a-f]{16}$/);
  });

  it('K10: a run\'s stored errors go when the run is deleted (one statement-level trigger), with no per-row foreign-key check on insert; an older schema\'s key is dropped, its rows kept', async () => {
    const db = await freshDb();
    // The schema before: errors referenced their run by a foreign key (checked once per inserted row).
    await db.pool.query(`CREATE TABLE renkei_runs (id text PRIMARY KEY, pipeline text NOT NULL, config_hash text NOT NULL, started_at timestamptz NOT NULL, status text NOT NULL);
      CREATE TABLE renkei_run_errors (run_id text NOT NULL REFERENCES renkei_runs (id) ON DELETE CASCADE, seq bigserial, key text NOT NULL, code text NOT NULL, message text NOT NULL, stage text NOT NULL, origin text, PRIMARY KEY (run_id, seq));
      INSERT INTO renkei_runs VALUES ('old', 'p', 'h', now(), 'succeeded');
      INSERT INTO renkei_run_errors (run_id, key, code, message, stage) VALUES ('old', 'k0', 'C', 'm', 's')`);
    await ensureRunsTable(db.pool);
    const fks = await db.pool.query(`SELECT 1 FROM pg_constraint WHERE conrelid = 'renkei_run_errors'::regclass AND contype = 'f'`);
    expect(fks.rowCount).toBe(0);
    await db.pool.query(`INSERT INTO renkei_runs (id, pipeline, config_hash, started_at, status) VALUES ('r1', 'p', 'h', now(), 'succeeded'), ('r2', 'p', 'h', now(), 'succeeded');
      INSERT INTO renkei_run_errors (run_id, key, code, message, stage) VALUES ('r1', 'k1', 'C', 'm', 's'), ('r1', 'k2', 'C', 'm', 's'), ('r2', 'k3', 'C', 'm', 's')`);
    await db.pool.query(`DELETE FROM renkei_runs WHERE id IN ('r1', 'old')`);
    const left = await db.pool.query(`SELECT run_id, key FROM renkei_run_errors ORDER BY key`);
    expect(left.rows).toEqual([{ run_id: 'r2', key: 'k3' }]);
  });
});
