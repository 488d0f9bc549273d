/**
 * A worker process: takes run jobs from the queue, `concurrency` at a time, until it is stopped.
 * Per job: the tenant's connections are resolved here (never stored in the job), KING OF TIME jobs
 * inside closed hours are deferred to the window's end (K9), the (tenant, pipeline) and each token
 * are held exclusively across all workers (locks.ts), then the pipeline runs (execute.ts).
 * Stopping (SIGTERM) takes no new job, lets the current ones finish for `drainMs`, then interrupts
 * them: their runs are recorded `interrupted` and the jobs handed back to the queue for another worker.
 */
import type { Logger } from 'pino';
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { newPool, type Db } from '../db/connect.ts';
import { loadPipeline } from '../config/load.ts';
import { loadTenants, tenantEnv } from '../config/tenants.ts';
import { ConfigError } from '../engine/errors.ts';
import { closedUntil } from './closed-hours.ts';
import { executePipeline } from './execute.ts';
import { classifyFailure, type Failure } from './failure.ts';
import { LockBusy, holdLocks } from './locks.ts';
import { attemptFinished, attemptRun, attemptStarted, ensureLedger, newWorkerId, workerSeen } from './ledger.ts';
import { RUN_QUEUE, noMoreRetries, openBoss, sendRun, singletonKey, type QueueTimings, type RunJobData } from './queue.ts';
import { cronQueues, fireTick, type TickData } from './schedule.ts';
import { ensureRunsTable } from '../db/runs.ts';

export interface WorkerOptions {
  db: Db;
  logger: Logger;
  /** Values to scrub from every log line (the tenants' tokens are added as they are read). */
  secrets: Set<string>;
  env: NodeJS.ProcessEnv;
  home: string;
  errorsDir: string;
  concurrency: number;
  timings: QueueTimings;
  /** How long a stop waits for current jobs before interrupting them. */
  drainMs: number;
  now?: () => Date;
}

export class Worker {
  readonly id = newWorkerId();
  private boss: PgBoss | undefined;
  private readonly active = new Map<string, AbortController>();
  private readonly ticking = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly now: () => Date;
  /** One session per active job holds its locks (apart from the runs' own pool). */
  private readonly locks: pg.Pool;

  constructor(private readonly o: WorkerOptions) {
    this.now = o.now ?? (() => new Date());
    this.locks = newPool(o.db.url, o.concurrency + 1);
  }

  get activeJobs(): number { return this.active.size; }

  async start(): Promise<void> {
    const { pool } = this.o.db;
    await ensureRunsTable(pool);
    await ensureLedger(pool);
    this.boss = await openBoss(this.o.db.url, 'worker', this.o.timings, (e) => this.o.logger.warn({ err: e.message, worker: this.id }, 'job queue error'));
    for (let i = 0; i < this.o.concurrency; i++) {
      await this.boss.work<RunJobData>(RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: this.o.timings.pollingSeconds }, async ([job]) => this.runJob(job));
    }
    await this.refresh();
    this.timer = setInterval(() => { this.refresh().catch((e) => this.o.logger.warn({ err: (e as Error).message }, 'worker refresh failed')); }, 30_000);
    this.timer.unref();
    this.o.logger.info({ worker: this.id, concurrency: this.o.concurrency }, 'worker started');
  }

  /** Marks this worker seen and takes ticks from cron queues created since. */
  private async refresh(): Promise<void> {
    await workerSeen(this.o.db.pool, { id: this.id, concurrency: this.o.concurrency, active: this.active.size, stopped: this.stopping });
    if (this.stopping || !this.boss) return;
    for (const q of await cronQueues(this.boss)) {
      if (this.ticking.has(q)) continue;
      this.ticking.add(q);
      await this.boss.work<TickData>(q, { batchSize: 1, pollingIntervalSeconds: this.o.timings.pollingSeconds }, async ([job]) => {
        const r = await fireTick(this.boss!, job.data);
        this.o.logger.info({ job_id: job.id, queued: r.queued.length, already_queued: r.already.length, cron: job.data.cron }, 'schedule fired');
        return { queued: r.queued.length };
      });
    }
  }

  /**
   * Stops taking jobs; waits up to drainMs for the current ones, then interrupts them (their jobs are
   * handed back and retried elsewhere). `now` interrupts at once.
   */
  async stop(o: { now?: boolean } = {}): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      clearInterval(this.timer);
      this.o.logger.info({ worker: this.id, active: this.active.size }, 'worker stopping: no new jobs');
      await this.boss?.offWork(RUN_QUEUE);
      for (const q of this.ticking) await this.boss?.offWork(q);
    }
    const deadline = Date.now() + (o.now ? 0 : this.o.drainMs);
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const a of this.active.values()) a.abort('SIGTERM');
    while (this.active.size) await new Promise((r) => setTimeout(r, 50));
    await workerSeen(this.o.db.pool, { id: this.id, concurrency: this.o.concurrency, active: 0, stopped: true }).catch(() => {});
    await this.boss?.stop({ graceful: true, timeout: 5000 });
    await this.locks.end().catch(() => {});
    this.o.logger.info({ worker: this.id }, 'worker stopped');
  }

  private async runJob(job: PgBoss.Job<RunJobData>): Promise<object> {
    const abort = new AbortController();
    this.active.set(job.id, abort);
    try {
      return await this.runActive(job, abort);
    } finally {
      this.active.delete(job.id);
    }
  }

  private async runActive(job: PgBoss.Job<RunJobData>, abort: AbortController): Promise<object> {
    const d = job.data;
    const { pool } = this.o.db;
    const log = this.o.logger.child({ tenant: d.tenant, job_id: job.id });
    const runIds: string[] = [];
    const attempt = await attemptStarted(pool, { jobId: job.id, tenant: d.tenant, pipeline: d.pipeline, worker: this.id });
    log.info({ pipeline: d.pipeline, run_id: null, worker: this.id, origin: d.origin }, 'job started');
    let failure: Failure | undefined;
    let held: { release(): Promise<void> } | undefined;
    try {
      const tf = loadTenants(d.tenants_file);
      const tenant = tf.tenants.find((t) => t.id === d.tenant);
      const ref = tenant?.pipelines.find((p) => p.id === d.pipeline);
      if (!tenant || !ref) throw new ConfigError(`${tf.file}: no tenant ${d.tenant} with pipeline ${d.pipeline} any more`);
      const resolved = tenantEnv(tenant, tf.baseDir, this.o.env);
      for (const s of resolved.secrets) this.o.secrets.add(s);
      // The run's name carries the tenant: guards, reports and error files are kept per company.
      const loaded = loadPipeline(ref.path, { env: resolved.env, set: [...ref.set, `name=${tenant.id}.${ref.id}`], params: Object.entries(ref.params).map(([k, v]) => `${k}=${v}`) });
      for (const s of loaded.secrets) this.o.secrets.add(s);
      const closed = closedUntil(loaded, this.now());
      if (closed) {
        // K9: never start inside closed hours; the same run is queued for the window's end.
        await sendRun(this.boss!, { ...d, origin: 'defer:K9' }, closed.until);
        log.info({ pipeline: d.pipeline, run_id: null, until: closed.until.toISOString(), windows: closed.windows }, 'job deferred: closed hours (K9)');
        await attemptFinished(pool, attempt, 'deferred', { code: 'CLOSED_HOURS', message: `deferred to ${closed.until.toISOString()} (${closed.windows})` });
        return { deferred_until: closed.until.toISOString() };
      }
      const runLock = `run:${singletonKey(d)}`;
      try {
        held = await holdLocks(this.locks, [runLock, ...resolved.tokens.map((t) => `token:${t.kind}:${t.digest}`)], {
          waitMs: Math.min(this.o.timings.leaseSeconds * 500, 10 * 60_000), signal: abort.signal, noWait: [runLock],
          onWait: (busy) => log.info({ pipeline: d.pipeline, run_id: null, busy: busy.replace(/[0-9a-f]{16}$/, '…') }, 'job waiting for a lock'),
        });
      } catch (e) {
        if (!(e instanceof LockBusy)) throw e;
        // The same company and pipeline is still running (a schedule fired during a long run, or a
        // retry after an expired lease while the first attempt lives on): queue it for later.
        const until = new Date(this.now().getTime() + this.o.timings.retryDelaySeconds * 1000);
        await sendRun(this.boss!, { ...d, origin: 'defer:running' }, until);
        log.info({ pipeline: d.pipeline, run_id: null, until: until.toISOString() }, 'job deferred: a run of this company and pipeline is still active');
        await attemptFinished(pool, attempt, 'deferred', { code: 'RUN_ACTIVE', message: `a run of ${singletonKey(d)} is still active; queued again for ${until.toISOString()}` });
        return { deferred_until: until.toISOString(), reason: 'run active' };
      }
      const { report, planFile } = await executePipeline(loaded, {
        logger: log, db: async () => this.o.db, signal: abort.signal, mode: tenant.mode, startedBy: `job:${job.id}`,
        errorsDir: this.o.errorsDir, home: this.o.home,
        onRun: async (id) => { runIds.push(id); await attemptRun(pool, attempt, id); },
      });
      if (report.status === 'succeeded') {
        await attemptFinished(pool, attempt, 'succeeded');
        log.info({ pipeline: d.pipeline, run_id: report.run_id, counts: report.counts, plan_file: planFile }, 'job succeeded');
        return { run_ids: runIds, status: report.status, ...(planFile ? { plan_file: planFile } : {}) };
      }
      failure = report.status === 'interrupted'
        ? { kind: 'transient', code: 'INTERRUPTED', message: 'the worker stopped: the job is handed back' }
        : classifyFailure(report.error ?? { code: 'INTERNAL', message: `run ${report.status}` });
    } catch (e) {
      failure = classifyFailure(e);
    } finally {
      await held?.release();
    }
    const lastRun = runIds.at(-1) ?? null;
    const final = failure.kind !== 'transient';
    if (final) await noMoreRetries(pool, job.id);
    const outcome = failure.kind === 'refused' ? 'refused' : final ? 'failed' : failure.code === 'INTERRUPTED' ? 'handed_back' : 'retrying';
    await attemptFinished(pool, attempt, outcome, failure);
    log.warn({ pipeline: d.pipeline, run_id: lastRun, code: failure.code, kind: failure.kind, err: failure.message }, final ? 'job failed' : 'job failed, will be retried');
    const err = new Error(`${failure.code}: ${failure.message}${lastRun ? ` (run ${lastRun})` : ''}`);
    Object.assign(err, { code: failure.code, kind: failure.kind, run_ids: runIds });
    throw err;
  }
}
