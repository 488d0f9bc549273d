/**
 * What the workers record next to pg-boss's job table, for `renkei status`: one row per attempt of a
 * job (tenant, pipeline, the run ids it made, how it ended and why) and one row per worker process
 * (seen recently = alive). No token or record data is kept here.
 */
import os from 'node:os';
import type pg from 'pg';
import { ensureSchema } from '../db/schema.ts';

export const LEDGER_DDL = `
CREATE TABLE IF NOT EXISTS renkei_job_attempts (
  id          bigserial PRIMARY KEY,
  job_id      text NOT NULL,
  tenant      text NOT NULL,
  pipeline    text NOT NULL,
  worker      text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  outcome     text NOT NULL DEFAULT 'running',
  run_ids     text[] NOT NULL DEFAULT '{}',
  code        text,
  message     text
);
CREATE INDEX IF NOT EXISTS renkei_job_attempts_job ON renkei_job_attempts (job_id);
CREATE INDEX IF NOT EXISTS renkei_job_attempts_finished ON renkei_job_attempts (finished_at DESC);
CREATE TABLE IF NOT EXISTS renkei_workers (
  id          text PRIMARY KEY,
  host        text NOT NULL,
  pid         integer NOT NULL,
  concurrency integer NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  seen_at     timestamptz NOT NULL DEFAULT now(),
  stopped_at  timestamptz,
  active      integer NOT NULL DEFAULT 0
);
`;

/** How an attempt ended: `refused` is a guard refusal; `deferred` waits out closed hours (K9). */
export type AttemptOutcome = 'succeeded' | 'failed' | 'refused' | 'retrying' | 'deferred' | 'handed_back' | 'abandoned';

export async function ensureLedger(pool: pg.Pool): Promise<void> {
  await ensureSchema(pool, 'renkei_job_attempts', LEDGER_DDL, 727273);
}

export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${Date.now().toString(36)}`;
}

export async function workerSeen(pool: pg.Pool, w: { id: string; concurrency: number; active: number; stopped?: boolean }): Promise<void> {
  await pool.query(
    `INSERT INTO renkei_workers (id, host, pid, concurrency, active) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET seen_at = now(), active = $5, stopped_at = CASE WHEN $6 THEN now() ELSE NULL END`,
    [w.id, os.hostname(), process.pid, w.concurrency, w.active, w.stopped ?? false],
  );
}

export async function attemptStarted(pool: pg.Pool, a: { jobId: string; tenant: string; pipeline: string; worker: string }): Promise<number> {
  // An earlier attempt of this job still `running` was on a worker that died (its lease expired).
  await pool.query(`UPDATE renkei_job_attempts SET outcome = 'abandoned', finished_at = now(), message = 'the worker stopped answering; the job was retried after its lease' WHERE job_id = $1 AND outcome = 'running'`, [a.jobId]);
  const r = await pool.query<{ id: string }>(`INSERT INTO renkei_job_attempts (job_id, tenant, pipeline, worker) VALUES ($1, $2, $3, $4) RETURNING id`, [a.jobId, a.tenant, a.pipeline, a.worker]);
  return Number(r.rows[0].id);
}

export async function attemptRun(pool: pg.Pool, id: number, runId: string): Promise<void> {
  await pool.query(`UPDATE renkei_job_attempts SET run_ids = array_append(run_ids, $2) WHERE id = $1`, [id, runId]);
}

export async function attemptFinished(pool: pg.Pool, id: number, outcome: AttemptOutcome, err?: { code: string; message: string }): Promise<void> {
  await pool.query(`UPDATE renkei_job_attempts SET outcome = $2, finished_at = now(), code = $3, message = $4 WHERE id = $1`, [id, outcome, err?.code ?? null, err?.message ?? null]);
}
