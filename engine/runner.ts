/**
 * The runner: source → stages → sinks, batch by batch, with outcome accounting (G1), the error sink
 * (G2), the error budget, and the run table. The plumbing is a pull loop over async iterables: the
 * source produces the next batch only when the previous one has gone through the sinks, so memory is
 * bounded by batch size × stages (backpressure without a stream per stage).
 */
import os from 'node:os';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { Drop, filtered, type Ctx, type ErrorSink, type Rec, type Sink, type Source, type Stage } from './types.ts';
import { RenkeiError, errorMessage } from './errors.ts';
import { newRunId } from './context.ts';
import { Tally, conservationProblem, stageCounts, type RunReport, type StageCounts, type Counts } from './report.ts';
import { createErrorSink, createSink, createSource, createStage } from '../config/registry.ts';
import type { LoadedPipeline } from '../config/load.ts';
import type { Db } from '../db/connect.ts';
import { ensureRunsTable, finishRun, insertRun, insertRunErrors, type RunKind, type RunMeta } from '../db/runs.ts';
import { keyOf } from './keys.ts';
import { notifyRunFinished } from './notify.ts';

export interface RunPipelineOptions {
  logger: Logger;
  /** The state database (run table; default connection of postgres sinks). */
  db: () => Promise<Db>;
  dryRun?: boolean;
  now?: () => Date;
  signal?: AbortSignal;
  runId?: string;
  /** Called after every batch with the running totals (progress line). */
  onProgress?: (counts: Counts) => void;
  /** Record the run in `renkei_runs` (default true). */
  recordRun?: boolean;
  /** What kind of run this is, for the run table and sync reports (default `run`). */
  kind?: RunKind;
  /** Who or what started it (K10): `cli:<user>`, `schedule`, … (default `cli:$USER`). */
  startedBy?: string;
  /** Read from this source instead of the configured one (apply feeds a plan's records). */
  source?: Source;
  /** Run the configured transforms (default true; apply's records are already transformed). */
  transforms?: boolean;
  /**
   * Plan mode: instead of sinks, every record that would be written and every Drop is handed here.
   * Implies that no sink is opened.
   */
  collect?: (item: Rec | Drop) => void;
  /** Only records whose key is in this set go on; the others are filtered as NOT_SELECTED. */
  onlyKeys?: Set<string>;
  /**
   * Called after input has ended and before sinks commit: throw a RenkeiError to fail the run with
   * nothing committed (safety guards).
   */
  beforeCommit?: (report: Pick<RunReport, 'counts' | 'facts'>) => Promise<void> | void;
  /** Extra columns for the run table row (direction, reference date, plan id). */
  meta?: RunMeta;
}

interface LiveStage { name: string; stage: Stage; counts: StageCounts }

function safeUser(): string {
  try { return os.userInfo().username; } catch { return 'unknown'; }
}

/** `cli:<user>`: who started a run when nobody said (`--started-by`). */
export function defaultStartedBy(): string {
  return `cli:${process.env.USER ?? process.env.USERNAME ?? safeUser()}`;
}

export async function runPipeline(loaded: LoadedPipeline, opts: RunPipelineOptions): Promise<RunReport> {
  const { config } = loaded;
  const now = opts.now ?? (() => new Date());
  const started = now();
  const runId = opts.runId ?? newRunId(started);
  const abort = new AbortController();
  // Every in-flight request listens on the run's signal: concurrency 64 means 64 listeners, not a leak.
  setMaxListeners(0, abort.signal);
  opts.signal?.addEventListener('abort', () => abort.abort(opts.signal!.reason), { once: true });
  const logger = opts.logger.child({ run_id: runId, pipeline: config.name, stage: 'runner' });
  const ctxFor = (stage: string): Ctx => ({
    runId, pipeline: config.name, logger: opts.logger.child({ run_id: runId, pipeline: config.name, stage }), baseDir: loaded.baseDir, now, db: opts.db,
    signal: abort.signal, options: config.options, key: config.key,
  });
  const collect = opts.collect;
  const dryRun = (opts.dryRun ?? false) || collect !== undefined;
  const kind: RunKind = opts.kind ?? (collect ? 'plan' : 'run');
  const startedBy = opts.startedBy ?? defaultStartedBy();
  const record = opts.recordRun ?? true;
  const tally = new Tally();
  const counts = tally.counts;
  const stages: LiveStage[] = [];
  const sinks: Array<{ name: string; sink: Sink; counts: StageCounts }> = [];
  let errorSink: ErrorSink | undefined;
  const sourceCounts = stageCounts(`source:${config.source.type}`);
  let accepted = 0;
  let expanded = 0;
  let failure: { code: string; message: string } | null = null;
  const facts: Record<string, unknown> = {};

  if (record) {
    const db = await opts.db();
    await ensureRunsTable(db.pool);
    await insertRun(db.pool, { id: runId, pipeline: config.name, configHash: loaded.hash, startedAt: started, dryRun: opts.dryRun ?? false, kind, startedBy, meta: opts.meta });
  }
  logger.info({ event: 'run.started', dry_run: dryRun, config_hash: loaded.hash }, 'run started');

  const budget = (final: boolean) => {
    const { max_rejected, max_rejected_ratio } = config.options;
    if (max_rejected !== undefined && counts.rejected > max_rejected) {
      throw new RenkeiError('ERROR_BUDGET', `error budget exceeded: ${counts.rejected} records rejected, max_rejected is ${max_rejected}; nothing was committed`);
    }
    if (final && max_rejected_ratio !== undefined && counts.read > 0 && counts.rejected / counts.read > max_rejected_ratio) {
      throw new RenkeiError('ERROR_BUDGET', `error budget exceeded: ${counts.rejected} of ${counts.read} records rejected (${(100 * counts.rejected / counts.read).toFixed(2)}%), max_rejected_ratio is ${max_rejected_ratio}; nothing was committed`);
    }
  };

  const pendingErrors: Drop[] = [];
  const onDrop = (sc: StageCounts, d: Drop) => {
    if (!d.stage) d.stage = sc.stage;
    tally.drop(sc, d);
    if (d.kind === 'rejected') pendingErrors.push(d);
    collect?.(d);
  };
  const flushErrors = async () => {
    if (pendingErrors.length === 0) return;
    const batch = pendingErrors.splice(0);
    if (errorSink) await errorSink.write(batch);
    // K10: per-record errors with their key, for sync reports and --retry-failed.
    if (record) await insertRunErrors((await opts.db()).pool, runId, batch.map((d) => ({ key: keyOf(d.data, config.key), code: d.code, message: d.message, stage: d.stage, origin: d.origin })));
  };
  const onlyKeys = opts.onlyKeys;

  /** Pushes items through stages from index `from`, then to the sinks. */
  const push = async (items: Array<Rec | Drop>, from: number, fromCounts: StageCounts): Promise<void> => {
    let recs: Rec[] = [];
    for (const it of items) {
      if (it instanceof Drop) onDrop(fromCounts, it);
      else if (onlyKeys && from === 0 && !onlyKeys.has(keyOf(it.data, config.key))) onDrop(fromCounts, filtered(it, 'NOT_SELECTED', 'not among the selected keys'));
      else recs.push(it);
    }
    for (let i = from; i < stages.length && recs.length; i++) {
      const { stage, counts: sc } = stages[i];
      const next: Rec[] = [];
      sc.in += recs.length;
      for (const r of recs) {
        let o = stage.process(r);
        if (o !== null && typeof (o as Promise<unknown>).then === 'function') o = await o;
        if (o === null) continue;
        if (o instanceof Drop) onDrop(sc, o);
        else if (Array.isArray(o)) { for (const x of o) { if (x instanceof Drop) onDrop(sc, x); else next.push(x); } }
        else next.push(o as Rec);
      }
      sc.out += next.length;
      recs = next;
    }
    if (recs.length) await toSinks(recs);
    await flushErrors();
    budget(false);
    opts.onProgress?.(counts);
  };

  const toSinks = async (recs: Rec[]) => {
    if (collect) for (const r of recs) collect(r);
    if (dryRun) { accepted += recs.length; return; }
    let live = recs;
    for (const s of sinks) {
      s.counts.in += live.length;
      const refused = await s.sink.write(live);
      live = sinkRefused(s, live, refused);
      s.counts.out += live.length;
    }
    accepted += live.length;
  };
  const sinkRefused = (s: { counts: StageCounts }, live: Rec[], refused: Drop[]): Rec[] => {
    if (refused.length === 0) return live;
    for (const d of refused) onDrop(s.counts, d);
    // Late refusals (a previous batch's rows) are not in `live`; they were counted as accepted.
    const inBatch = new Set(refused.map((d) => d.data));
    const kept = live.filter((r) => !inBatch.has(r.data));
    accepted -= refused.length - (live.length - kept.length);
    return kept;
  };

  try {
    const source = opts.source ?? createSource(config.source, ctxFor(sourceCounts.stage));
    if (opts.transforms ?? true) config.transforms.forEach((t, i) => {
      const name = `transforms[${i}]:${t.type}`;
      stages.push({ name, stage: createStage(t, ctxFor(name)), counts: stageCounts(name) });
    });
    if (!dryRun) {
      config.sinks.forEach((s, i) => {
        const name = `sinks[${i}]:${s.type}`;
        sinks.push({ name, sink: createSink(s, ctxFor(name)), counts: stageCounts(name) });
      });
    }
    errorSink = createErrorSink(config.errors, ctxFor('errors'));
    await errorSink.open();
    for (const s of stages) await s.stage.open?.();
    for (const s of sinks) await s.sink.open();

    try {
      for await (const batch of source.read()) {
        if (abort.signal.aborted) throw new RenkeiError('ABORTED', `run interrupted (${String(abort.signal.reason ?? 'signal')})`);
        counts.read += batch.length;
        sourceCounts.in += batch.length;
        await push(batch, 0, sourceCounts);
      }
    } finally {
      await source.close?.();
    }
    sourceCounts.out = sourceCounts.in - sourceCounts.rejected - sourceCounts.filtered - sourceCounts.unchanged;
    // End of input: flush held-back records stage by stage, each through the stages after it.
    for (let i = 0; i < stages.length; i++) {
      const f = stages[i].stage.flush?.();
      if (!f) continue;
      if (Symbol.asyncIterator in Object(f)) {
        for await (const b of f as AsyncIterable<Array<Rec | Drop>>) await flushed(i, b);
      } else await flushed(i, await (f as Array<Rec | Drop>));
    }
    for (const s of sinks) {
      const late = (await s.sink.drain?.()) ?? [];
      for (const d of late) onDrop(s.counts, d);
      accepted -= late.length;
      s.counts.out -= late.length;
    }
    await flushErrors();
    budget(true);
    for (const s of stages) Object.assign(facts, s.stage.facts?.());
    await opts.beforeCommit?.({ counts: { ...counts }, facts });
    for (const s of stages) {
      const { in: i, out, filtered, rejected, unchanged } = s.counts;
      const diff = out + filtered + rejected + unchanged - i;
      if (diff < 0 || (diff > 0 && !s.stage.expands)) {
        throw new RenkeiError('CONSERVATION', `stage ${s.name} received ${i} records but accounted for ${i + diff} (G1): an internal error`);
      }
      expanded += diff;
    }
    for (const s of sinks) await s.sink.close();
    counts.written = accepted;
    const problem = conservationProblem(counts, expanded);
    if (problem) throw new RenkeiError('CONSERVATION', `${problem}: an internal error`);
    for (const s of stages) await s.stage.close?.();
  } catch (e) {
    failure = { code: e instanceof RenkeiError ? e.code : 'INTERNAL', message: errorMessage(e) };
    if (!(e instanceof RenkeiError)) logger.error({ err: e }, 'unexpected error');
    for (const s of sinks) await s.sink.abort(e).catch((err) => logger.warn({ err: errorMessage(err) }, 'sink abort failed'));
    for (const s of stages) await s.stage.close?.().catch(() => {});
    counts.written = 0;
  }
  try {
    await flushErrors();
    await errorSink?.close();
  } catch (e) {
    failure ??= { code: 'ERRORS_FILE', message: `could not write the error file: ${errorMessage(e)}` };
  }

  async function flushed(i: number, b: Array<Rec | Drop>) {
    const sc = stages[i].counts;
    let n = 0;
    for (const x of b) if (!(x instanceof Drop)) n++;
    sc.out += n;
    await push(b, i + 1, sc);
  }

  const finished = now();
  const report: RunReport = {
    run_id: runId,
    pipeline: config.name,
    config_hash: loaded.hash,
    status: failure ? 'failed' : 'succeeded',
    dry_run: opts.dryRun ?? false,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_ms: finished.getTime() - started.getTime(),
    counts: { ...counts },
    expanded,
    stages: [sourceCounts, ...stages.map((s) => s.counts), ...sinks.map((s) => s.counts)],
    reasons: tally.reasons,
    errors_file: errorSink?.location ?? null,
    error: failure,
    kind,
    started_by: startedBy,
    facts,
  };
  const level = failure ? 'error' : 'info';
  logger[level]({ event: 'run.finished', status: report.status, counts: report.counts, duration_ms: report.duration_ms, reasons: report.reasons, error: failure }, failure ? `run failed: ${failure.message}` : 'run finished');
  if (config.notify?.webhook_url) {
    await notifyRunFinished({ ...report, direction: opts.meta?.direction }, config.notify, logger, { signal: opts.signal });
  }
  if (record) {
    try {
      await finishRun((await opts.db()).pool, report);
    } catch (e) {
      logger.error({ err: errorMessage(e) }, 'could not record the run in renkei_runs');
    }
  }
  return report;
}
