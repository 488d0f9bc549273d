/**
 * The runner: source → stages → sinks, batch by batch, with outcome accounting (G1), the error sink
 * (G2), the error budget and the run table. The plumbing is a pull loop over async iterables: the
 * source produces the next batch only when the previous one has gone through the sinks, so memory is
 * bounded by batch size × stages (backpressure without a stream per stage).
 *
 * A run goes through named phases: open (components), stream (every source batch through the
 * stages and sinks), flush (what stateful stages held back), commit (checks, guards, sinks' close)
 * and report. A failure in any phase aborts the sinks: atomic sinks roll back, per-record sinks keep
 * what the target acknowledged, and the report says exactly that.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { Drop, filtered, type Components, type Ctx, type ErrorSink, type Rec, type Sink, type Source, type Stage } from './types.ts';
import path from 'node:path';
import { ConfigError, RenkeiError, errorMessage } from './errors.ts';
import { newRunId } from './context.ts';
import { Tally, conservationProblem, stageCounts, type RunReport, type StageCounts, type Counts } from './report.ts';
import type { LoadedPipeline } from '../config/load.ts';
import type { Db } from '../db/connect.ts';
import type { RunKind, RunMeta } from '../db/runs.ts';
import { keyOf } from './keys.ts';
import { notifyRunFinished } from './notify.ts';
import { applyStage, flushStage } from './stage-apply.ts';
import { checkBudget } from './budget.ts';
import { RunRecorder, defaultStartedBy } from './run-recorder.ts';
import { failureOutcome, reportCounts, type LiveSink } from './commit-outcome.ts';
import { AckLedger, type OnAcknowledged } from './ack-ledger.ts';

export { defaultStartedBy };

export interface RunPipelineOptions {
  logger: Logger;
  /** The state database (run table; default connection of postgres sinks). */
  db: () => Promise<Db>;
  /** Factories for the configured components (default: those the pipeline was loaded with). */
  components?: Components;
  dryRun?: boolean;
  now?: () => Date;
  /** Aborting it interrupts the run; its reason names the signal (`SIGINT`, `SIGTERM`). */
  signal?: AbortSignal;
  runId?: string;
  /** Called after every batch with the running totals and, when the source knows, how far it is. */
  onProgress?: (counts: Counts, source?: { done: number; total: number }) => void;
  /** Record the run in `renkei_runs` (default true). */
  recordRun?: boolean;
  /** What kind of run this is (default `run`, `dry-run` with dryRun, `plan` with collect). */
  kind?: RunKind;
  /** Who or what started it (K10): `cli:<user>`, `schedule`, … (default `cli:$USER`). */
  startedBy?: string;
  /** Read from this source instead of the configured one (apply feeds a plan's records). */
  source?: Source;
  /**
   * Run the configured transforms (default true; apply's records are already transformed), or only
   * the first N of them (preview of a stage).
   */
  transforms?: boolean | number;
  /** Read at most this many records from the source (a trial load, a preview), then stop reading. */
  limit?: number;
  /** Plan mode: every record that would be written and every Drop is handed here; no sink is opened. */
  collect?: (item: Rec | Drop) => void;
  /** Only records whose key is in this set go on; the others are filtered as NOT_SELECTED. */
  onlyKeys?: Set<string>;
  /** Called after input has ended and before sinks commit: throw a RenkeiError to refuse (guards). */
  beforeCommit?: (report: Pick<RunReport, 'counts' | 'facts'>) => Promise<void> | void;
  /** Extra columns for the run table row (direction, reference date, plan id). */
  meta?: RunMeta;
  /** Folder of the default error file (`<dir>/<pipeline>/<run id>.csv`) for a pipeline without `errors:`. */
  errorsDir?: string;
  /**
   * Receives the records each sink's target acknowledged, as they become durable (not in dry runs;
   * see engine/ack-ledger.ts). Apply records them so a plan's records are written once (G7).
   */
  onAcknowledged?: OnAcknowledged;
}

interface LiveStage { name: string; stage: Stage; counts: StageCounts }

/** One run's state; `runPipeline` drives its phases in order. */
class PipelineRun {
  readonly runId: string;
  readonly started: Date;
  readonly kind: RunKind;
  readonly dryRun: boolean;
  private readonly now: () => Date;
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly tally = new Tally();
  private readonly sourceCounts: StageCounts;
  private readonly stages: LiveStage[] = [];
  private readonly sinks: LiveSink[] = [];
  private errorSink: ErrorSink | undefined;
  private source: Source | undefined;
  private readonly pendingErrors: Drop[] = [];
  private readonly facts: Record<string, unknown> = {};
  private readonly notices = new Set<string>();
  private readonly recorder: RunRecorder;
  private readonly acks: AckLedger | undefined;
  /** Records handed to the sinks (or, in a dry run, that would have been). */
  private entered = 0;
  private expanded = 0;
  failure: { code: string; message: string } | null = null;

  constructor(private readonly loaded: LoadedPipeline, private readonly opts: RunPipelineOptions) {
    const { config } = loaded;
    this.now = opts.now ?? (() => new Date());
    this.started = this.now();
    this.runId = opts.runId ?? newRunId(this.started);
    this.dryRun = (opts.dryRun ?? false) || opts.collect !== undefined;
    this.kind = opts.kind ?? (opts.collect ? 'plan' : opts.dryRun ? 'dry-run' : 'run');
    // Every in-flight request listens on the run's signal: concurrency 64 means 64 listeners, not a leak.
    setMaxListeners(0, this.abort.signal);
    if (opts.signal?.aborted) this.abort.abort(opts.signal.reason);
    opts.signal?.addEventListener('abort', () => this.abort.abort(opts.signal!.reason), { once: true });
    this.logger = opts.logger.child({ run_id: this.runId, pipeline: config.name, stage: 'runner' });
    this.sourceCounts = stageCounts(`source:${config.source.type}`);
    this.recorder = new RunRecorder(opts.db, opts.recordRun ?? true, this.runId, this.logger);
    this.acks = opts.onAcknowledged && !this.dryRun ? new AckLedger(opts.onAcknowledged) : undefined;
  }

  private get components(): Components {
    return this.opts.components ?? this.loaded.components;
  }

  /** The signal that interrupted the run, if one did. */
  get interruptedBy(): string | undefined {
    return this.opts.signal?.aborted ? String(this.opts.signal.reason ?? 'signal') : undefined;
  }

  private ctxFor(stage: string): Ctx {
    const { config } = this.loaded;
    return {
      runId: this.runId, pipeline: config.name, baseDir: this.loaded.baseDir, now: this.now, db: this.opts.db,
      logger: this.opts.logger.child({ run_id: this.runId, pipeline: config.name, stage }),
      signal: this.abort.signal, options: config.options, key: config.key,
      createSource: this.components.createSource,
      notice: (m) => { this.notices.add(m); },
    };
  }

  async begin(): Promise<void> {
    const { config } = this.loaded;
    await this.recorder.begin({
      id: this.runId, pipeline: config.name, configHash: this.loaded.hash, startedAt: this.started,
      dryRun: this.dryRun, kind: this.kind, startedBy: this.opts.startedBy ?? defaultStartedBy(), meta: this.opts.meta,
    });
    this.logger.info({ event: 'run.started', kind: this.kind, dry_run: this.dryRun, config_hash: this.loaded.hash }, 'run started');
  }

  /** Phase 1: create and open the error sink, the stages and the sinks. */
  async open(): Promise<Source> {
    const { config } = this.loaded;
    const c = this.components;
    const source = this.opts.source ?? c.createSource(config.source, this.ctxFor(this.sourceCounts.stage));
    const upTo = this.opts.transforms === false ? 0 : typeof this.opts.transforms === 'number' ? this.opts.transforms : Infinity;
    config.transforms.slice(0, upTo).forEach((t, i) => {
      const name = `transforms[${i}]:${t.type}`;
      this.stages.push({ name, stage: c.createStage(t, this.ctxFor(name)), counts: stageCounts(name) });
    });
    // A dry run (not a plan) rehearses with the sinks that can: they do everything but commit.
    const rehearsal = this.dryRun && !this.opts.collect;
    if (!this.dryRun || rehearsal) config.sinks.forEach((s, i) => {
      const name = `sinks[${i}]:${s.type}`;
      const acks = this.acks;
      const sink = c.createSink(s, { ...this.ctxFor(name), rehearsal, ...(acks ? { acknowledge: (rec: Rec) => acks.ack(name, rec) } : {}) });
      if (!rehearsal || sink.rehearses) this.sinks.push({ name, sink, counts: stageCounts(name) });
    });
    this.errorSink = c.createErrorSink(config.errors ?? this.defaultErrors(), this.ctxFor('errors'));
    await this.errorSink.open();
    for (const s of this.stages) await s.stage.open?.();
    for (const s of this.sinks) await s.sink.open();
    return source;
  }

  /** Without an `errors:` block, rejected records go to a CSV in the state home's error folder. */
  private defaultErrors(): { type: 'csv'; path: string } {
    const dir = this.opts.errorsDir;
    if (!dir) throw new ConfigError(`pipeline ${this.loaded.file} has no errors: block (where rejected records go) and no default error folder was given`);
    const safe = this.loaded.config.name.replace(/[^A-Za-z0-9._-]+/g, '_');
    return { type: 'csv', path: path.join(dir, safe, '{run_id}.csv') };
  }

  private checkInterrupted(): void {
    if (this.abort.signal.aborted) throw new RenkeiError('INTERRUPTED', `run interrupted (${String(this.abort.signal.reason ?? 'signal')})`);
  }

  /** Phase 2: every source batch through the stages into the sinks. */
  async stream(source: Source): Promise<void> {
    this.source = source;
    try {
      const limit = this.opts.limit ?? Infinity;
      for await (const whole of source.read()) {
        this.checkInterrupted();
        const batch = this.tally.counts.read + whole.length > limit ? whole.slice(0, limit - this.tally.counts.read) : whole;
        this.tally.counts.read += batch.length;
        this.sourceCounts.in += batch.length;
        await this.push(batch, 0, this.sourceCounts);
        if (this.tally.counts.read >= limit) break;
      }
    } finally {
      await source.close?.();
    }
    const sc = this.sourceCounts;
    sc.out = sc.in - sc.rejected - sc.filtered - sc.unchanged;
  }

  /** Phase 3: what stateful stages held back, each batch through the stages after it; late sink refusals. */
  async flush(): Promise<void> {
    for (let i = 0; i < this.stages.length; i++) {
      const sc = this.stages[i].counts;
      for await (const b of flushStage(this.stages[i].stage)) {
        this.checkInterrupted();
        for (const x of b) if (!(x instanceof Drop)) sc.out++;
        await this.push(b, i + 1, sc);
      }
    }
    // Refusals known only once the last segment is done (rows of earlier batches).
    for (const s of this.sinks) {
      const late = (await s.sink.drain?.()) ?? [];
      for (const d of late) this.onDrop(s.counts, d);
      if (s.sink.commits === 'atomic') this.acks?.refusedBy(s.name, late);
    }
    await this.flushErrors();
    await this.recorder.settled();
  }

  /** Phase 4: final budget, guards and conservation checks, then the sinks commit. */
  async commit(): Promise<void> {
    const counts = this.tally.counts;
    checkBudget(this.loaded.config.options, counts, true);
    for (const s of this.stages) Object.assign(this.facts, s.stage.facts?.());
    await this.opts.beforeCommit?.({ counts: { ...counts }, facts: this.facts });
    this.checkInterrupted();
    for (const s of this.stages) {
      const { in: i, out, filtered: f, rejected, unchanged } = s.counts;
      const diff = out + f + rejected + unchanged - i;
      if (diff < 0 || (diff > 0 && !s.stage.expands)) {
        throw new RenkeiError('CONSERVATION', `stage ${s.name} received ${i} records but accounted for ${i + diff} (G1): an internal error`);
      }
      this.expanded += diff;
    }
    for (const s of this.sinks) {
      await s.sink.close();
      // Committed: a failure to record the acknowledgements cannot undo it, so it is told, not thrown.
      if (s.sink.commits === 'atomic') await this.acks?.committed(s.name).catch((e) => this.ackFailed(s.name, e));
    }
    counts.written = this.writtenOnSuccess();
    const problem = conservationProblem(counts, this.expanded);
    if (problem) throw new RenkeiError('CONSERVATION', `${problem}: an internal error`);
    for (const s of this.stages) await s.stage.close?.();
  }

  /** A phase failed: abort the sinks and record why, with what stays written where. */
  async fail(e: unknown): Promise<void> {
    const interruptedBy = this.interruptedBy;
    const base = interruptedBy
      ? { code: 'INTERRUPTED', message: `interrupted by ${interruptedBy}` }
      : { code: e instanceof RenkeiError ? e.code : 'INTERNAL', message: errorMessage(e) };
    if (!interruptedBy && !(e instanceof RenkeiError)) this.logger.error({ err: e }, 'unexpected error');
    for (const s of this.sinks) await s.sink.abort(e).catch((err) => this.logger.warn({ err: errorMessage(err) }, 'sink abort failed'));
    // What per-record sinks' targets acknowledged during the failing batch stays written: record it too.
    await this.acks?.flush().catch((err) => this.ackFailed('sinks', err));
    for (const s of this.stages) await s.stage.close?.().catch(() => {});
    const outcome = failureOutcome(this.sinks, this.dryRun);
    this.tally.counts.written = outcome.written;
    // A sink's own message may already say it ("…; nothing was committed"): say it once.
    const note = outcome.note === '; nothing was committed' && base.message.includes('nothing was committed') ? '' : outcome.note;
    this.failure = { code: base.code, message: base.message + note };
  }

  /** Phase 5: close the error file, build and log the report, notify, record it. */
  async report(): Promise<RunReport> {
    try {
      await this.flushErrors();
    } catch (e) {
      this.failure ??= { code: 'ERRORS_FILE', message: `could not write the error file: ${errorMessage(e)}` };
    }
    try {
      // Closed even when the last rows could not be written: its writer thread ends, its file is closed.
      await this.errorSink?.close();
    } catch (e) {
      this.failure ??= { code: 'ERRORS_FILE', message: `could not write the error file: ${errorMessage(e)}` };
    }
    try {
      await this.recorder.settled();
    } catch (e) {
      this.failure ??= { code: 'DB', message: `could not record the rejected records in renkei_run_errors: ${errorMessage(e)}` };
    }
    const report = this.buildReport();
    const failed = report.status !== 'succeeded';
    this.logger[failed ? 'error' : 'info']({ event: 'run.finished', status: report.status, counts: report.counts, duration_ms: report.duration_ms, reasons: report.reasons, error: this.failure },
      failed ? `run ${report.status}: ${this.failure!.message}` : 'run finished');
    const notify = this.loaded.config.notify;
    if (notify?.webhook_url) await notifyRunFinished({ ...report, counts: { ...report.counts } as Record<string, number>, direction: this.opts.meta?.direction }, notify, this.opts.logger.child({ run_id: this.runId, pipeline: this.loaded.config.name, stage: 'notify' }), { signal: this.opts.signal });
    await this.recorder.finish(report);
    return report;
  }

  private buildReport(): RunReport {
    const finished = this.now();
    const interruptedBy = this.failure ? this.interruptedBy : undefined;
    return {
      run_id: this.runId,
      pipeline: this.loaded.config.name,
      config_hash: this.loaded.hash,
      status: this.failure ? (interruptedBy ? 'interrupted' : 'failed') : 'succeeded',
      ...(interruptedBy ? { interrupted_by: interruptedBy } : {}),
      dry_run: this.opts.dryRun ?? false,
      started_at: this.started.toISOString(),
      finished_at: finished.toISOString(),
      duration_ms: finished.getTime() - this.started.getTime(),
      counts: reportCounts(this.tally.counts, this.dryRun),
      expanded: this.expanded,
      stages: [this.sourceCounts, ...this.stages.map((s) => s.counts), ...this.sinks.map((s) => s.counts)],
      reasons: this.tally.reasons,
      errors_file: this.errorSink?.location ?? null,
      error: this.failure,
      kind: this.kind,
      started_by: this.opts.startedBy ?? defaultStartedBy(),
      sinks: this.sinks.map((s) => ({ sink: s.name, commits: s.sink.commits, written: s.counts.out })),
      ...(this.notices.size ? { notices: [...this.notices] } : {}),
      facts: this.facts,
    };
  }

  private ackFailed(sink: string, e: unknown): void {
    this.logger.error({ err: errorMessage(e), sink }, 'could not record the acknowledged writes');
    this.notices.add(`${sink}: the writes are made, but recording which records were written failed: ${errorMessage(e)}`);
  }

  private onDrop(sc: StageCounts, d: Drop): void {
    if (!d.stage) d.stage = sc.stage;
    this.tally.drop(sc, d);
    // Excluded records a stage marks `listed` are kept in the error file too (outcome excluded).
    if (d.kind === 'rejected' || (d.kind === 'filtered' && d.listed === true)) this.pendingErrors.push(d);
    this.opts.collect?.(d);
  }

  private async flushErrors(): Promise<void> {
    if (this.pendingErrors.length === 0) return;
    const batch = this.pendingErrors.splice(0);
    if (this.errorSink) await this.errorSink.write(batch);
    await this.recorder.errors(batch, this.loaded.config.key);
  }

  /** Pushes items through the stages from index `from`, then to the sinks. */
  private async push(items: Array<Rec | Drop>, from: number, fromCounts: StageCounts): Promise<void> {
    const onlyKeys = this.opts.onlyKeys;
    const key = this.loaded.config.key;
    let recs: Rec[] = [];
    for (const it of items) {
      if (it instanceof Drop) this.onDrop(fromCounts, it);
      else if (onlyKeys && from === 0 && !onlyKeys.has(keyOf(it.data, key))) this.onDrop(fromCounts, filtered(it, 'NOT_SELECTED', 'not among the selected keys'));
      else recs.push(it);
    }
    for (let i = from; i < this.stages.length && recs.length; i++) {
      const { stage, counts: sc } = this.stages[i];
      sc.in += recs.length;
      recs = await applyStage(stage, recs, (d) => this.onDrop(sc, d));
      sc.out += recs.length;
    }
    if (recs.length) await this.toSinks(recs);
    await this.flushErrors();
    checkBudget(this.loaded.config.options, this.tally.counts, false);
    this.opts.onProgress?.(this.tally.counts, this.source?.progress?.());
  }

  private async toSinks(recs: Rec[]): Promise<void> {
    if (this.opts.collect) for (const r of recs) this.opts.collect(r);
    this.entered += recs.length;
    if (this.dryRun && this.sinks.length === 0) return;
    let live = recs;
    for (const s of this.sinks) {
      s.counts.in += live.length;
      const atomic = s.sink.commits === 'atomic';
      if (atomic) this.acks?.took(s.name, live);
      const refused = await s.sink.write(live);
      if (atomic) this.acks?.refusedBy(s.name, refused);
      else await this.acks?.flush();
      if (refused.length === 0) continue;
      for (const d of refused) this.onDrop(s.counts, d);
      // Refusals may include rows of earlier batches (late): only this batch's go no further.
      const gone = new Set(refused.map((d) => d.data));
      live = live.filter((r) => !gone.has(r.data));
    }
  }

  /**
   * Every record handed to the sinks is written unless a sink refused it (now or late, each record
   * at most once): the one place the written count is computed; each sink's `out` likewise.
   */
  private writtenOnSuccess(): number {
    let refused = 0;
    for (const s of this.sinks) {
      const dropped = s.counts.rejected + s.counts.unchanged + s.counts.filtered;
      s.counts.out = s.counts.in - dropped;
      refused += dropped;
    }
    return this.entered - refused;
  }
}

export async function runPipeline(loaded: LoadedPipeline, opts: RunPipelineOptions): Promise<RunReport> {
  const run = new PipelineRun(loaded, opts);
  try {
    // A state database that cannot be reached fails the run like any other phase: a report is still made.
    await run.begin();
    const source = await run.open();
    await run.stream(source);
    await run.flush();
    await run.commit();
  } catch (e) {
    await run.fail(e);
  }
  return run.report();
}

export type { Sink };
