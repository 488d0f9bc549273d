/**
 * renkei's own tables are made or migrated once, not on every command: a command whose schema is
 * current takes no lock on them. Found with 4 pg-boss workers: each run's ALTER TABLE … IF NOT EXISTS
 * waited on another run's inserts while holding what they needed — "deadlock detected", jobs failed.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDb } from '../helpers/db.ts';
import { ensureRunsTable, runErrors } from '../../db/runs.ts';
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
      INSERT INTO renkei_run_error_chunks (run_id, first_seq, errors) VALUES ('r1', 0, '[["k", "C", "m", "s", null, "rejected", null]]'); SELECT * FROM renkei_job_attempts LIMIT 1`);
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

  it('K10: an older state\'s errors (a row each, with a foreign key) are carried over into chunks, in order and whole; renkei_run_errors still shows them a row each; deleting a run deletes its errors', async () => {
    const db = await freshDb();
    await db.pool.query(`CREATE TABLE renkei_runs (id text PRIMARY KEY, pipeline text NOT NULL, config_hash text NOT NULL, started_at timestamptz NOT NULL, status text NOT NULL);
      CREATE TABLE renkei_run_errors (run_id text NOT NULL REFERENCES renkei_runs (id) ON DELETE CASCADE, seq bigserial, key text NOT NULL, code text NOT NULL, message text NOT NULL, stage text NOT NULL, origin text, PRIMARY KEY (run_id, seq));
      ALTER TABLE renkei_run_errors ADD COLUMN outcome text NOT NULL DEFAULT 'rejected';
      INSERT INTO renkei_runs VALUES ('old', 'p', 'h', now(), 'succeeded'), ('big', 'p', 'h', now(), 'succeeded');
      INSERT INTO renkei_run_errors (run_id, key, code, message, stage, origin, outcome) VALUES ('old', 'k2', 'C', 'tab\there', 's', NULL, 'excluded');
      INSERT INTO renkei_run_errors (run_id, key, code, message, stage, origin) VALUES ('old', 'k1', 'D', '"quoted" 山田', 's', 'f.csv:3');
      INSERT INTO renkei_run_errors (run_id, key, code, message, stage, origin) SELECT 'big', 'b' || i, 'C', 'm', 's', 'f.csv:' || i FROM generate_series(1, 12000) i;
      ANALYZE renkei_run_errors`);
    const notes: string[] = [];
    await ensureRunsTable(db.pool, (m) => notes.push(m));
    await ensureRunsTable(db.pool, (m) => notes.push(m));
    // Said once, before the move, with the number of errors to move.
    expect(notes).toEqual([expect.stringMatching(/stored per-record errors \(about 12,002\) move to their new layout, once/)]);
    expect(await runErrors(db.pool, 'old')).toEqual([
      { key: 'k2', code: 'C', message: 'tab\there', stage: 's', origin: null, outcome: 'excluded', field: null },
      { key: 'k1', code: 'D', message: '"quoted" 山田', stage: 's', origin: 'f.csv:3', outcome: 'rejected', field: null },
    ]);
    const big = await runErrors(db.pool, 'big', 100_000);
    expect(big.map((e) => e.key)).toEqual(Array.from({ length: 12000 }, (_, i) => `b${i + 1}`));
    expect((await runErrors(db.pool, 'big', 5001)).at(-1)!.key).toBe('b5001');
    const chunks = await db.pool.query(`SELECT run_id, first_seq, json_array_length(errors) AS n FROM renkei_run_error_chunks ORDER BY run_id, first_seq`);
    expect(chunks.rows).toEqual([{ run_id: 'big', first_seq: '0', n: 5000 }, { run_id: 'big', first_seq: '5000', n: 5000 }, { run_id: 'big', first_seq: '10000', n: 2000 }, { run_id: 'old', first_seq: '0', n: 2 }]);
    const view = await db.pool.query(`SELECT seq, key, code, message, origin, outcome, field FROM renkei_run_errors WHERE run_id = 'old' ORDER BY seq`);
    expect(view.rows).toEqual([
      { seq: '0', key: 'k2', code: 'C', message: 'tab\there', origin: null, outcome: 'excluded', field: null },
      { seq: '1', key: 'k1', code: 'D', message: '"quoted" 山田', origin: 'f.csv:3', outcome: 'rejected', field: null },
    ]);
    await db.pool.query(`DELETE FROM renkei_runs WHERE id = 'old'`);
    expect((await db.pool.query(`SELECT DISTINCT run_id FROM renkei_run_errors`)).rows).toEqual([{ run_id: 'big' }]);
    expect(await runErrors(db.pool, 'old')).toEqual([]);
  });
});
