/**
 * The job queue: pg-boss 10 (jobs in PostgreSQL, fetched with SKIP LOCKED, so any number of worker
 * processes on any number of machines share one database). Everything that knows pg-boss's API or
 * its tables is here or in the files that import this one, so a later major is a change in jobs/.
 *
 * One queue, `renkei-run`, holds one job per (tenant, pipeline) run; its policy is `short` with the
 * singleton key `tenant/pipeline`: at most one such job queued, so a schedule firing while a run is
 * active queues one more run, never a pile. One *active* run per key is kept by an advisory lock
 * (locks.ts), not by the `stately` policy: in pg-boss 10 a stately queue whose oldest queued job has
 * a twin active fails every fetch on the unique index (the error is swallowed and nothing is
 * returned), so one long run would stall every other company's jobs behind it.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';

export const RUN_QUEUE = 'renkei-run';
/** Schema of pg-boss's tables in the state database. */
export const BOSS_SCHEMA = 'pgboss';

/** What a run job carries: names only. Tokens are resolved by the worker from the tenants file. */
export interface RunJobData {
  /** Absolute path of the tenants file (the same path on every machine). */
  tenants_file: string;
  tenant: string;
  pipeline: string;
  /** Who asked: `enqueue:<user>`, `schedule:<cron>`, `defer:K9`. */
  origin: string;
}

/** The (tenant, pipeline) a job is for: its singleton key. */
export const singletonKey = (d: Pick<RunJobData, 'tenant' | 'pipeline'>): string => `${d.tenant}/${d.pipeline}`;

/** Timings of the queue, from the environment (tests and small installations shorten them). */
export interface QueueTimings {
  /** The lease: an active job not finished after this many seconds is failed and retried. */
  leaseSeconds: number;
  retryLimit: number;
  /** First retry delay (s); doubled each retry (retryBackoff). */
  retryDelaySeconds: number;
  /** How often expired leases are looked for (pg-boss maintenance). */
  maintenanceSeconds: number;
  pollingSeconds: number;
}

export function queueTimings(env: NodeJS.ProcessEnv): QueueTimings {
  const n = (name: string, d: number) => {
    const v = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(v) && v >= 0.5 ? v : d;
  };
  return {
    leaseSeconds: Math.ceil(n('RENKEI_JOB_LEASE_SECONDS', 3600)),
    retryLimit: Math.floor(n('RENKEI_JOB_RETRIES', 3)),
    retryDelaySeconds: Math.ceil(n('RENKEI_JOB_RETRY_DELAY_SECONDS', 60)),
    maintenanceSeconds: Math.ceil(n('RENKEI_JOB_MAINTENANCE_SECONDS', 60)),
    pollingSeconds: n('RENKEI_JOB_POLL_SECONDS', 2),
  };
}

/**
 * A started pg-boss on the state database. `role: 'worker'` also supervises (expires leases, runs
 * maintenance) and fires cron schedules; control commands only read and write jobs.
 */
export async function openBoss(url: string, role: 'worker' | 'control', t: QueueTimings, onError: (e: Error) => void): Promise<PgBoss> {
  const worker = role === 'worker';
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    max: worker ? 4 : 2,
    application_name: `renkei-${role}`,
    supervise: worker,
    schedule: worker,
    maintenanceIntervalSeconds: t.maintenanceSeconds,
    // `renkei status` counts the jobs still in the job table: completed ones of the last day, failed
    // ones of the last week (then archived, and deleted a week later).
    archiveCompletedAfterSeconds: 24 * 3600,
    archiveFailedAfterSeconds: 7 * 24 * 3600,
    deleteAfterDays: 7,
  });
  boss.on('error', onError);
  await boss.start();
  await ensureRunQueue(boss, t);
  return boss;
}

export async function ensureRunQueue(boss: PgBoss, t: QueueTimings): Promise<void> {
  const opts = { name: RUN_QUEUE, policy: 'short' as const, retryLimit: t.retryLimit, retryDelay: t.retryDelaySeconds, retryBackoff: true, expireInSeconds: t.leaseSeconds };
  if (await boss.getQueue(RUN_QUEUE)) await boss.updateQueue(RUN_QUEUE, opts);
  else await boss.createQueue(RUN_QUEUE, opts).catch(async (e: unknown) => {
    // Two processes starting at once: the other one created it.
    if (!(await boss.getQueue(RUN_QUEUE))) throw e;
  });
}

/** Queues a run; null when one for the same (tenant, pipeline) is already queued (policy short). */
export function sendRun(boss: PgBoss, data: RunJobData, startAfter?: Date): Promise<string | null> {
  return boss.send(RUN_QUEUE, data as unknown as object, { singletonKey: singletonKey(data), ...(startAfter ? { startAfter } : {}) });
}

/**
 * Makes the job's next failure final: pg-boss 10 retries every failure while retries remain, and a
 * terminal error (configuration, 401, a guard refusal) must not be retried. This is the one place
 * that writes pg-boss's job table directly (its `retry_limit` column, pg-boss 10 schema).
 */
export async function noMoreRetries(pool: pg.Pool, jobId: string): Promise<void> {
  await pool.query(`UPDATE ${BOSS_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [RUN_QUEUE, jobId]);
}

export type { PgBoss };
