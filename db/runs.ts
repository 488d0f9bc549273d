/**
 * The run table `renkei_runs`: one row per run (the base of sync reports). Created on first use.
 */
import type pg from 'pg';
import type { RunReport } from '../engine/report.ts';

export const RUNS_DDL = `
CREATE TABLE IF NOT EXISTS renkei_runs (
  id            text PRIMARY KEY,
  pipeline      text NOT NULL,
  config_hash   text NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  dry_run       boolean NOT NULL DEFAULT false,
  counts        jsonb,
  report        jsonb,
  errors_file   text,
  message       text
);
CREATE INDEX IF NOT EXISTS renkei_runs_started ON renkei_runs (started_at DESC);
CREATE INDEX IF NOT EXISTS renkei_runs_pipeline ON renkei_runs (pipeline, started_at DESC);
`;

export async function ensureRunsTable(pool: pg.Pool): Promise<void> {
  // Serialise concurrent first runs: CREATE TABLE IF NOT EXISTS can still race on the type catalog.
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(727272)');
    await c.query(RUNS_DDL);
  } finally {
    await c.query('SELECT pg_advisory_unlock(727272)').catch(() => {});
    c.release();
  }
}

export async function insertRun(pool: pg.Pool, r: { id: string; pipeline: string; configHash: string; startedAt: Date; dryRun: boolean }): Promise<void> {
  await pool.query(
    `INSERT INTO renkei_runs (id, pipeline, config_hash, started_at, status, dry_run) VALUES ($1, $2, $3, $4, 'running', $5)`,
    [r.id, r.pipeline, r.configHash, r.startedAt, r.dryRun],
  );
}

export async function finishRun(pool: pg.Pool, report: RunReport): Promise<void> {
  await pool.query(
    `UPDATE renkei_runs SET finished_at = $2, status = $3, counts = $4, report = $5, errors_file = $6, message = $7 WHERE id = $1`,
    [report.run_id, report.finished_at, report.status, JSON.stringify(report.counts), JSON.stringify(report),
      report.errors_file, report.error ? `${report.error.code}: ${report.error.message}` : null],
  );
}

export interface RunRow {
  id: string; pipeline: string; config_hash: string; started_at: Date; finished_at: Date | null;
  status: string; dry_run: boolean; counts: RunReport['counts'] | null; errors_file: string | null; message: string | null;
}

export async function listRuns(pool: pg.Pool, opts: { limit: number; pipeline?: string }): Promise<RunRow[]> {
  const r = await pool.query<RunRow>(
    `SELECT id, pipeline, config_hash, started_at, finished_at, status, dry_run, counts, errors_file, message
       FROM renkei_runs WHERE ($2::text IS NULL OR pipeline = $2) ORDER BY started_at DESC, id DESC LIMIT $1`,
    [opts.limit, opts.pipeline ?? null],
  );
  return r.rows;
}
