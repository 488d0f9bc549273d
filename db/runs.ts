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
-- Per-record errors are stored in chunks: one row holds the errors of one insert as a JSON array of
-- [key, code, message, stage, origin, outcome, field]; the view renkei_run_errors shows them one row
-- each, numbered by seq within the run. A row per error (with its index entry, and at first a foreign
-- key checked per row) cost 4-8 µs of server CPU and ~350 bytes on disk per error: a file with 850,000
-- rejected rows took seconds and 300 MB of state; chunks cost a fifth of the CPU and, compressed,
-- a thirtieth of the space.
CREATE TABLE IF NOT EXISTS renkei_run_error_chunks (
  run_id    text NOT NULL,
  first_seq bigint NOT NULL,
  errors    json NOT NULL,
  PRIMARY KEY (run_id, first_seq)
);
-- An older state's table of one row per error is carried over into chunks in this same transaction
-- (in seq order, 5,000 to a chunk), and only then dropped.
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass('renkei_run_errors') AND relkind = 'r') THEN
    ALTER TABLE renkei_run_errors ADD COLUMN IF NOT EXISTS outcome text NOT NULL DEFAULT 'rejected';
    ALTER TABLE renkei_run_errors ADD COLUMN IF NOT EXISTS field text;
    INSERT INTO renkei_run_error_chunks (run_id, first_seq, errors)
      SELECT run_id, min(n) - 1, json_agg(json_build_array(key, code, message, stage, origin, outcome, field) ORDER BY n)
        FROM (SELECT *, row_number() OVER (PARTITION BY run_id ORDER BY seq) AS n FROM renkei_run_errors) e
       GROUP BY run_id, (n - 1) / 5000;
    DROP TABLE renkei_run_errors;
  END IF;
END $$;
CREATE OR REPLACE VIEW renkei_run_errors AS
  SELECT c.run_id, c.first_seq + x.n - 1 AS seq, x.e->>0 AS key, x.e->>1 AS code, x.e->>2 AS message,
         x.e->>3 AS stage, x.e->>4 AS origin, x.e->>5 AS outcome, x.e->>6 AS field
    FROM renkei_run_error_chunks c CROSS JOIN LATERAL json_array_elements(c.errors) WITH ORDINALITY AS x(e, n);
-- Deleting runs deletes their errors (one statement-level trigger; errors are only ever inserted by
-- the run that owns them, after its row).
CREATE OR REPLACE FUNCTION renkei_run_errors_cascade() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  DELETE FROM renkei_run_error_chunks e USING renkei_deleted_runs d WHERE e.run_id = d.id;
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

/**
 * Makes or brings renkei's run tables up to date. `note` hears of a long migration before it starts:
 * an older state's per-record errors (a table of a row each) are moved into chunks, once — about 4 µs
 * an error, so ~20 s for 5 million.
 */
export async function ensureRunsTable(pool: pg.Pool, note?: (message: string) => void): Promise<void> {
  await ensureSchema(pool, 'renkei_runs', RUNS_DDL, 727272, note && (async (c) => {
    const old = await c.query<{ n: string }>(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass('renkei_run_errors') AND relkind = 'r'`);
    if (!old.rows.length) return;
    const n = Number(old.rows[0].n);
    note(`renkei's stored per-record errors${n > 0 ? ` (about ${n.toLocaleString('en-US')})` : ''} move to their new layout, once; with millions this takes a while`);
  }));
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

/** One per-record error of a run as stored (keys, codes, messages: no record data, G6). */
export interface RunErrorRow { key: string; code: string; message: string; stage: string; origin: string | null; outcome: 'rejected' | 'excluded'; field: string | null }

/** How a chunk holds one error: [key, code, message, stage, origin, outcome, field]. */
export type StoredError = [key: string, code: string, message: string, stage: string, origin: string | null, outcome: 'rejected' | 'excluded', field: string | null];

/**
 * Per-record errors as the elements of a chunk (JSON text without the enclosing brackets), for
 * {@link insertRunErrorChunk}. Empty for no rows.
 */
export function runErrorElements(errors: readonly StoredError[]): string {
  return JSON.stringify(errors).slice(1, -1);
}

/**
 * Stores a chunk of a run's per-record errors: `elements` joined from {@link runErrorElements}, the
 * first numbered `firstSeq` (their order within the run). One INSERT of one value: the server only
 * checks the JSON.
 */
export async function insertRunErrorChunk(pool: pg.Pool, runId: string, firstSeq: number, elements: string): Promise<void> {
  if (elements === '') return;
  // The JSON goes as bytes (the parameter's binary form: for json, its text): node-postgres measures
  // and copies a string parameter twice over, a quarter of what storing 850,000 errors cost this process.
  await pool.query('INSERT INTO renkei_run_error_chunks (run_id, first_seq, errors) VALUES ($1, $2, $3)', [runId, firstSeq, Buffer.from(`[${elements}]`)]);
}

/** Per-record entries of a run in their order, at most `limit`: errors (`rejected`) and listed exclusions (`excluded`). */
export async function runErrors(pool: pg.Pool, runId: string, limit = 1000): Promise<RunErrorRow[]> {
  const out: RunErrorRow[] = [];
  let after = -1;
  // A few chunks at a time, read in order and parsed here, so the first errors of a run with a
  // million come back without the server unfolding (and sorting) all of them.
  while (out.length < limit) {
    const r = await pool.query<{ first_seq: string; errors: string }>(
      'SELECT first_seq, errors::text AS errors FROM renkei_run_error_chunks WHERE run_id = $1 AND first_seq > $2 ORDER BY first_seq LIMIT 8',
      [runId, after],
    );
    for (const chunk of r.rows) {
      for (const [key, code, message, stage, origin, outcome, field] of JSON.parse(chunk.errors) as StoredError[]) {
        if (out.length === limit) break;
        out.push({ key, code, message, stage, origin, outcome, field });
      }
      after = Number(chunk.first_seq);
    }
    if (r.rows.length < 8) break;
  }
  return out;
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
