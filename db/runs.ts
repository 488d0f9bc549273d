/**
 * The run table `renkei_runs`: one row per run (the base of sync reports). Created on first use.
 *
 * Lifecycle: a row is inserted `running` with the process's pid and host, and its `heartbeat_at` is
 * renewed while the run lives; it ends `succeeded`, `failed` or `interrupted` (SIGINT/SIGTERM). A
 * run whose process died (SIGKILL, machine restart) is marked `abandoned` by the next command that
 * looks ({@link reapAbandoned}): its process is gone from this host, or its heartbeat expired.
 */
import os from 'node:os';
import type pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { escapeText } from './copy-text.ts';
import type { RunReport } from '../engine/report.ts';
import { pidAlive } from './file-lock.ts';
import { ensureSchema } from './schema.ts';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'interrupted', 'abandoned'] as const;
export type RunStatus = typeof RUN_STATUSES[number];
export const RUN_KINDS = ['run', 'plan', 'apply', 'dry-run'] as const;
/** How often a live run renews its heartbeat, and after how long without one it counts as abandoned. */
export const HEARTBEAT_MS = 15_000;
export const HEARTBEAT_EXPIRY_S = 120;

export const RUNS_DDL = `
CREATE TABLE IF NOT EXISTS renkei_runs (
  id            text PRIMARY KEY,
  pipeline      text NOT NULL,
  config_hash   text NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  status        text NOT NULL,
  dry_run       boolean NOT NULL DEFAULT false,
  counts        jsonb,
  report        jsonb,
  errors_file   text,
  message       text
);
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'run';
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS started_by text;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS direction text;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS reference_date date;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS plan_id text;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS status_counts jsonb;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS pipeline_file text;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS overrides jsonb;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS params jsonb;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS pid integer;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS host text;
ALTER TABLE renkei_runs ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'renkei_runs_status_check'
                 AND pg_get_constraintdef(oid) LIKE '%abandoned%') THEN
    ALTER TABLE renkei_runs DROP CONSTRAINT IF EXISTS renkei_runs_status_check;
    ALTER TABLE renkei_runs ADD CONSTRAINT renkei_runs_status_check
      CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted', 'abandoned'));
  END IF;
END $$;
CREATE TABLE IF NOT EXISTS renkei_run_errors (
  run_id   text NOT NULL,
  seq      bigserial,
  key      text NOT NULL,
  code     text NOT NULL,
  message  text NOT NULL,
  stage    text NOT NULL,
  origin   text,
  PRIMARY KEY (run_id, seq)
);
ALTER TABLE renkei_run_errors ADD COLUMN IF NOT EXISTS outcome text NOT NULL DEFAULT 'rejected';
ALTER TABLE renkei_run_errors ADD COLUMN IF NOT EXISTS field text;
-- Deleting runs deletes their errors by one statement-level trigger, not a foreign key: the key's
-- check ran once per inserted error row (5 µs of server CPU each, 4 s for a file with 850,000
-- rejected rows). Errors are only ever inserted by the run that owns the row, after it is inserted.
ALTER TABLE renkei_run_errors DROP CONSTRAINT IF EXISTS renkei_run_errors_run_id_fkey;
CREATE OR REPLACE FUNCTION renkei_run_errors_cascade() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  DELETE FROM renkei_run_errors e USING renkei_deleted_runs d WHERE e.run_id = d.id;
  RETURN NULL;
END $f$;
DROP TRIGGER IF EXISTS renkei_runs_delete_errors ON renkei_runs;
CREATE TRIGGER renkei_runs_delete_errors AFTER DELETE ON renkei_runs
  REFERENCING OLD TABLE AS renkei_deleted_runs FOR EACH STATEMENT EXECUTE FUNCTION renkei_run_errors_cascade();
CREATE TABLE IF NOT EXISTS renkei_plan_applies (
  plan_id    text NOT NULL,
  record_no  integer NOT NULL,
  sink       text NOT NULL,
  key        text NOT NULL,
  run_id     text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_id, sink, record_no, key)
);
CREATE INDEX IF NOT EXISTS renkei_runs_started ON renkei_runs (started_at DESC);
CREATE INDEX IF NOT EXISTS renkei_runs_pipeline ON renkei_runs (pipeline, started_at DESC);
`;

export async function ensureRunsTable(pool: pg.Pool): Promise<void> {
  await ensureSchema(pool, 'renkei_runs', RUNS_DDL, 727272);
}

export type RunKind = typeof RUN_KINDS[number];

/** Sync-report columns (K10) beyond the basics. */
export interface RunMeta {
  direction?: string;
  referenceDate?: string | null;
  planId?: string;
  /** Absolute path of the pipeline file (retry-failed re-plans from it). */
  pipelineFile?: string;
  /** `--set` overrides it ran with. */
  overrides?: string[];
  /** `--param name=value` arguments it ran with. */
  params?: string[];
}

export async function insertRun(pool: pg.Pool, r: { id: string; pipeline: string; configHash: string; startedAt: Date; dryRun: boolean; kind: RunKind; startedBy: string; meta?: RunMeta }): Promise<void> {
  await pool.query(
    `INSERT INTO renkei_runs (id, pipeline, config_hash, started_at, status, dry_run, kind, started_by, direction, reference_date, plan_id, pipeline_file, overrides, pid, host, heartbeat_at, params)
     VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now(), $15)`,
    [r.id, r.pipeline, r.configHash, r.startedAt, r.dryRun, r.kind, r.startedBy, r.meta?.direction ?? null, r.meta?.referenceDate ?? null, r.meta?.planId ?? null, r.meta?.pipelineFile ?? null, JSON.stringify(r.meta?.overrides ?? []), process.pid, os.hostname(), JSON.stringify(r.meta?.params ?? [])],
  );
}

/** Renews a live run's heartbeat (a run without one for HEARTBEAT_EXPIRY_S counts as abandoned). */
export async function heartbeat(pool: pg.Pool, runId: string): Promise<void> {
  await pool.query(`UPDATE renkei_runs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'`, [runId]);
}

/**
 * Marks as `abandoned` every run still `running` whose process is gone: on this host, its pid is
 * not alive; anywhere, its heartbeat is older than HEARTBEAT_EXPIRY_S. Returns the ids marked.
 */
export async function reapAbandoned(pool: pg.Pool): Promise<string[]> {
  const host = os.hostname();
  const running = await pool.query<{ id: string; pid: number | null; host: string | null }>(`SELECT id, pid, host FROM renkei_runs WHERE status = 'running'`);
  if (running.rows.length === 0) return [];
  const dead = running.rows.filter((r) => r.host === host && r.pid !== null && !pidAlive(r.pid)).map((r) => r.id);
  const r = await pool.query<{ id: string }>(
    `UPDATE renkei_runs SET status = 'abandoned', finished_at = coalesce(heartbeat_at, started_at),
            message = CASE WHEN id = ANY($1::text[]) THEN 'abandoned: its process (pid ' || pid || ' on ' || host || ') ended without finishing the run'
                           ELSE 'abandoned: no heartbeat since ' || to_char(coalesce(heartbeat_at, started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' END
      WHERE status = 'running' AND (id = ANY($1::text[]) OR coalesce(heartbeat_at, started_at) < now() - make_interval(secs => $2))
      RETURNING id`,
    [dead, HEARTBEAT_EXPIRY_S],
  );
  return r.rows.map((x) => x.id);
}

/** Per-record errors of a run (keys, codes, messages: no record data, G6). */
/**
 * A run's per-record errors, through one COPY (the server takes it at a fraction of an INSERT's cost,
 * and nothing is escaped as array literals on our side: with 850,000 rejected rows the INSERTs were
 * most of the run's time). The order of `rows` is kept (`seq`).
 */
export async function insertRunErrors(pool: pg.Pool, runId: string, rows: Array<{ key: string; code: string; message: string; stage: string; origin: string; outcome?: 'rejected' | 'excluded'; field?: string | null }>): Promise<void> {
  if (rows.length === 0) return;
  const cell = (v: string | null | undefined) => (v === null || v === undefined ? '\\N' : escapeText(v));
  const run = escapeText(runId);
  const lines = rows.map((r) => `${run}\t${cell(r.key)}\t${cell(r.code)}\t${cell(r.message)}\t${cell(r.stage)}\t${cell(r.origin)}\t${r.outcome ?? 'rejected'}\t${cell(r.field)}\n`);
  const client = await pool.connect();
  try {
    const copy = client.query(copyStreams.from('COPY renkei_run_errors (run_id, key, code, message, stage, origin, outcome, field) FROM STDIN'));
    await pipeline(Readable.from([lines.join('')]), copy);
  } finally {
    client.release();
  }
}

/** Per-record entries of a run: errors (`rejected`) and listed exclusions (`excluded`). */
export async function runErrors(pool: pg.Pool, runId: string, limit = 1000): Promise<Array<{ key: string; code: string; message: string; stage: string; origin: string | null; outcome: 'rejected' | 'excluded'; field: string | null }>> {
  const r = await pool.query(`SELECT key, code, message, stage, origin, outcome, field FROM renkei_run_errors WHERE run_id = $1 ORDER BY seq LIMIT $2`, [runId, limit]);
  return r.rows;
}

/** Sets the counts by candidate status (plans and applies). */
export async function setStatusCounts(pool: pg.Pool, runId: string, counts: Record<string, number>, referenceDate?: string | null): Promise<void> {
  await pool.query(`UPDATE renkei_runs SET status_counts = $2, reference_date = coalesce($3::date, reference_date) WHERE id = $1`, [runId, JSON.stringify(counts), referenceDate ?? null]);
}

/** The newest succeeded run or plan of a pipeline that read its source (for the source-size guard). */
export async function lastSuccessfulRead(pool: pg.Pool, pipeline: string, exceptId?: string): Promise<{ id: string; read: number } | null> {
  const r = await pool.query(
    // A plan counts only once it was applied: a refused plan (too few records) must not lower the bar.
    `SELECT p.id, (p.counts->>'read')::bigint AS read FROM renkei_runs p
      WHERE p.pipeline = $1 AND p.status = 'succeeded' AND p.counts IS NOT NULL AND p.id <> coalesce($2, '')
        AND ((p.kind = 'run' AND NOT p.dry_run) OR (p.kind = 'plan' AND EXISTS (
              SELECT 1 FROM renkei_runs a WHERE a.plan_id = p.id AND a.kind = 'apply' AND a.status = 'succeeded')))
      ORDER BY p.started_at DESC, p.id DESC LIMIT 1`,
    [pipeline, exceptId ?? null],
  );
  return r.rows[0] ? { id: r.rows[0].id, read: Number(r.rows[0].read) } : null;
}

/** Ends a run's row; the reference date a stage reported (filter `employed_on`) is kept for every kind of run (K10). */
export async function finishRun(pool: pg.Pool, report: RunReport): Promise<void> {
  const ref = typeof report.facts?.reference_date === 'string' ? report.facts.reference_date : null;
  await pool.query(
    `UPDATE renkei_runs SET finished_at = $2, status = $3, counts = $4, report = $5, errors_file = $6, message = $7,
            reference_date = coalesce(reference_date, $8::date) WHERE id = $1`,
    [report.run_id, report.finished_at, report.status, JSON.stringify(report.counts), JSON.stringify(report),
      report.errors_file, report.error ? `${report.error.code}: ${report.error.message}` : null, ref],
  );
}

export interface RunRow {
  id: string; pipeline: string; config_hash: string; started_at: Date; finished_at: Date | null;
  status: string; dry_run: boolean; counts: RunReport['counts'] | null; errors_file: string | null; message: string | null;
  kind: RunKind; started_by: string | null; direction: string | null; reference_date: string | null; plan_id: string | null;
  status_counts: Record<string, number> | null; pipeline_file: string | null; overrides: string[] | null; params: string[] | null; expanded: number | null;
}

export async function listRuns(pool: pg.Pool, opts: { limit: number; pipeline?: string; id?: string; kinds?: string[]; statuses?: string[] }): Promise<RunRow[]> {
  const r = await pool.query<RunRow>(
    `SELECT id, pipeline, config_hash, started_at, finished_at, status, dry_run, counts, errors_file, message,
            kind, started_by, direction, reference_date::text, plan_id, status_counts, pipeline_file, overrides, params,
            coalesce((report->>'expanded')::int, 0) AS expanded
       FROM renkei_runs WHERE ($2::text IS NULL OR pipeline = $2) AND ($3::text IS NULL OR id = $3)
        AND ($4::text[] IS NULL OR kind = ANY($4)) AND ($5::text[] IS NULL OR status = ANY($5))
       ORDER BY started_at DESC, id DESC LIMIT $1`,
    [opts.limit, opts.pipeline ?? null, opts.id ?? null, opts.kinds ?? null, opts.statuses ?? null],
  );
  return r.rows;
}

/** Of these plan ids, the ones an apply has used (a plan no apply used is still waiting to sync, 同期待ち). */
export async function appliedPlanIds(pool: pg.Pool, planIds: string[]): Promise<Set<string>> {
  if (planIds.length === 0) return new Set();
  const r = await pool.query<{ plan_id: string }>(`SELECT DISTINCT plan_id FROM renkei_runs WHERE kind = 'apply' AND plan_id = ANY($1)`, [planIds]);
  return new Set(r.rows.map((x) => x.plan_id));
}

/**
 * One plan record an apply wrote: the candidate's position in the plan file (or {@link BY_KEY}), its
 * key, which run and when.
 */
export interface PlanApply { record_no: number; key: string; sink: string; run_id: string; applied_at: Date }

/**
 * `record_no` of a mark made by `apply --retry-failed` of an apply of the plan: it wrote the plan's
 * records with that key from a new plan, so the mark goes by key.
 */
export const BY_KEY = -1;

/**
 * Records that the target acknowledged these plan records (G7): only what a sink's target
 * confirmed — per record for REST sinks, all at once after the commit of an atomic one. A record
 * applied again (`apply --again`) keeps the newest run.
 */
export async function markApplied(pool: pg.Pool, planId: string, runId: string, sink: string, records: Array<{ recordNo: number; key: string }>): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) {
    const part = records.slice(i, i + 1000);
    await pool.query(
      `INSERT INTO renkei_plan_applies (plan_id, record_no, sink, key, run_id)
       SELECT $1, r, $3, k, $2 FROM unnest($4::int[], $5::text[]) AS t(r, k)
       ON CONFLICT (plan_id, sink, record_no, key) DO UPDATE SET run_id = excluded.run_id, applied_at = excluded.applied_at`,
      [planId, runId, sink, part.map((r) => r.recordNo), part.map((r) => r.key)],
    );
  }
}

/** The plan's records some apply wrote (the newest apply of each): by position in the plan, and by key ({@link BY_KEY}). */
export async function planApplies(pool: pg.Pool, planId: string): Promise<{ byNo: Map<number, PlanApply>; byKey: Map<string, PlanApply> }> {
  const r = await pool.query<PlanApply>(
    `SELECT record_no, key, sink, run_id, applied_at FROM renkei_plan_applies WHERE plan_id = $1 ORDER BY applied_at`, [planId]);
  const byNo = new Map<number, PlanApply>();
  const byKey = new Map<string, PlanApply>();
  for (const x of r.rows) {
    if (x.record_no === BY_KEY) byKey.set(x.key, x);
    else byNo.set(x.record_no, x);
  }
  return { byNo, byKey };
}

/**
 * Keys of the plan that runs other than `runId` wrote after `since` (a later apply of the plan, or a
 * `--retry-failed` of one): a retry of `runId`'s failures leaves them out (G7).
 */
export async function keysWrittenSince(pool: pg.Pool, planId: string, runId: string, since: Date): Promise<Map<string, { run_id: string; applied_at: Date }>> {
  const r = await pool.query<{ key: string; run_id: string; applied_at: Date }>(
    `SELECT key, run_id, applied_at FROM renkei_plan_applies WHERE plan_id = $1 AND run_id <> $2 AND applied_at > $3 ORDER BY applied_at`,
    [planId, runId, since]);
  return new Map(r.rows.map((x) => [x.key, x]));
}
