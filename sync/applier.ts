/**
 * Apply (K4): write exactly the selected candidates of a plan. Before writing, the target records
 * the selection touches are read again: a candidate whose target changed since the plan (a `new` one
 * now exists, a `changed` one has other values or is gone) stops the apply unless forced. Then the
 * safety guards, then the plan's records go to the pipeline's sinks (no source read, no transforms).
 *
 * Once per record (G7): every apply records which plan records its sinks' targets acknowledged
 * (`renkei_plan_applies`); a later apply of the same plan skips them — counted as filtered
 * `ALREADY_APPLIED`, never silently — and is refused when nothing selected is left, unless `again`.
 * The target re-check cannot see this when the plan's diff target is not the sink's own table.
 */
import { RenkeiError } from '../engine/errors.ts';
import { defaultStartedBy, runPipeline, type RunPipelineOptions } from '../engine/runner.ts';
import { newRunId } from '../engine/context.ts';
import { emptyCounts } from '../engine/report.ts';
import type { RunReport } from '../engine/report.ts';
import type { Candidate, CandidateStatus, Plan } from './plan.ts';
import { filtered, type Ctx, type Rec, type Source } from '../engine/types.ts';
import type { LoadedPipeline } from '../config/load.ts';
import { BY_KEY, ensureRunsTable, finishRun, insertRun, markApplied, planApplies, setStatusCounts, type PlanApply } from '../db/runs.ts';
import type { DiffStage } from '../transforms/diff.ts';
import { getter, keyText } from '../transforms/lib/fields.ts';
import { checkGuards, guardError } from './guards.ts';
import { changedPaths, configLeaves } from './config-leaves.ts';
import { diffConfig } from './planner.ts';
import type { Db } from '../db/connect.ts';

export interface Selection {
  /** Statuses to apply (only `new` and `changed` can be). */
  only: Set<CandidateStatus>;
  /** Keys to apply; all candidates of the chosen statuses when absent. */
  keys?: Set<string>;
}

export function selectCandidates(plan: Plan, sel: Selection): Candidate[] {
  for (const s of sel.only) {
    if (s !== 'new' && s !== 'changed') throw new RenkeiError('USAGE', `--only ${s}: only new and changed candidates can be applied (unchanged ones are not selectable, K5)`);
  }
  const chosen = plan.candidates.filter((c) => sel.only.has(c.status) && (!sel.keys || sel.keys.has(c.key)));
  if (sel.keys) {
    const found = new Set(chosen.map((c) => c.key));
    const bad = [...sel.keys].filter((k) => !found.has(k));
    if (bad.length) {
      const why = (k: string) => { const c = plan.candidates.find((x) => x.key === k); return c ? `${k} (${c.status})` : `${k} (not in the plan)`; };
      throw new RenkeiError('USAGE', `cannot select ${bad.length} key(s): ${bad.slice(0, 20).map(why).join(', ')}${bad.length > 20 ? ', …' : ''}`);
    }
  }
  return chosen;
}

/** Re-reads the target through the pipeline's diff stage; returns the candidates whose target moved. */
export async function staleCandidates(loaded: LoadedPipeline, chosen: Candidate[], ctx: Ctx): Promise<string[]> {
  const cfg = loaded.config.transforms.find((t) => t.type === 'diff');
  if (!cfg || chosen.length === 0) return [];
  const d = diffConfig(loaded)!;
  const keyGets = d.key.map(getter);
  const stage = loaded.components.createStage(cfg, ctx) as DiffStage;
  await stage.open!();
  try {
    const stale: string[] = [];
    for (const c of chosen) {
      const now = stage.targetHash(keyText(keyGets, c.record ?? {}));
      if (c.status === 'new' && now !== null) stale.push(`${c.key}: created in the target since the plan`);
      if (c.status === 'changed' && now === null) stale.push(`${c.key}: no longer in the target`);
      else if (c.status === 'changed' && now !== c.target_hash) stale.push(`${c.key}: changed in the target since the plan`);
    }
    return stale;
  } finally {
    await stage.close?.();
  }
}

/** When a record was applied, as messages show it. */
const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The plan's chosen records as a source. Those an earlier apply wrote come out as filtered
 * `ALREADY_APPLIED` (read and counted, G1); `numbers` learns each record's position in the plan.
 */
function planSource(chosen: Candidate[], batch: number, pos: Map<Candidate, number>, doneOf: (c: Candidate) => PlanApply | undefined, numbers: Map<unknown, { recordNo: number; key: string }>): Source {
  return {
    async *read() {
      for (let i = 0; i < chosen.length; i += batch) {
        yield chosen.slice(i, i + batch).map((c) => {
          const rec: Rec = {
            data: { ...c.record },
            origin: c.origin ?? `plan:${c.key}`,
            meta: c.status === 'changed'
              ? { status: 'changed', changes: c.changes, target: c.target, target_hash: c.target_hash }
              : { status: 'new' },
          };
          const earlier = doneOf(c);
          if (earlier) return filtered(rec, 'ALREADY_APPLIED', `${c.key}: already applied by run ${earlier.run_id} on ${when(earlier.applied_at)}`);
          numbers.set(rec.data, { recordNo: pos.get(c)!, key: c.key });
          return rec;
        });
      }
    },
  };
}

/** The refusal when every selected record was written by an earlier apply of the plan (G7). */
function alreadyApplied(plan: Plan, applied: PlanApply[]): RenkeiError {
  const last = applied.reduce((a, b) => (b.applied_at > a.applied_at ? b : a));
  const runs = new Set(applied.map((a) => a.run_id)).size;
  return new RenkeiError('PLAN_APPLIED', `plan ${plan.plan_id} was already applied by run ${last.run_id} on ${when(last.applied_at)}${runs > 1 ? ` (and ${runs - 1} earlier run${runs > 2 ? 's' : ''})` : ''}; nothing left to apply (the ${applied.length} selected record(s) are written; apply --again writes them again)`);
}

export interface ApplyOptions extends Omit<RunPipelineOptions, 'collect' | 'source' | 'transforms' | 'kind'> {
  selection: Selection;
  force: boolean;
  /** Skip the target re-check (a run that planned a moment ago in the same process). */
  recheck?: boolean;
  /** Write records an earlier apply of this plan already wrote, again (`apply --again`; G7). */
  again?: boolean;
  /**
   * Record which plan records were written, and skip those written before (default true; G7).
   * `renkei run` plans and applies in one go: its plan cannot be applied again, so it records none.
   */
  remember?: boolean;
  /**
   * `apply --retry-failed`: the plan whose apply failed for these records. What this apply writes is
   * marked there too, by key, so applying that plan again does not write them twice.
   */
  retryOf?: string;
}

export interface ApplyResult {
  report: RunReport;
  /** The selected candidates, those already applied included. */
  chosen: Candidate[];
  /** Of them, written by an earlier apply of the plan and skipped (G7). */
  alreadyApplied: number;
}

/** The advisory lock an apply of a plan holds in the state database (one apply of a plan at a time, G7). */
export const planLockKey = (planId: string) => `renkei:plan:${planId}`;

/**
 * Runs `fn` holding the plans' advisory locks (a session lock on a connection of its own), or refuses
 * when another apply holds one: two applies of one plan at a time would both see its records unwritten.
 */
async function withPlanLocks<T>(pool: import('pg').Pool, planIds: string[], fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const held: string[] = [];
  try {
    for (const id of planIds) {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [planLockKey(id)]);
      if (!r.rows[0].ok) throw new RenkeiError('PLAN_BUSY', `plan ${id} is being applied by another renkei process right now; when it has finished (renkei runs), apply again: only what it did not write is left`);
      held.push(id);
    }
    return await fn();
  } finally {
    for (const id of held) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [planLockKey(id)]).catch(() => {});
    client.release();
  }
}

export async function applyPlan(plan: Plan, loaded: LoadedPipeline, opts: ApplyOptions): Promise<ApplyResult> {
  if (plan.config_hash !== loaded.hash && !opts.force) {
    const changed = plan.config_leaves ? changedPaths(plan.config_leaves, configLeaves(loaded.config, loaded.secrets)) : [];
    const what = changed.length
      ? `these settings differ: ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ', …' : ''} (from the pipeline file ${loaded.file}, a --set/--param, or an environment variable it reads)`
      : `the pipeline file ${loaded.file}, or a variable or --set it reads, changed (config hash differs)`;
    throw new RenkeiError('PLAN_STALE', `the configuration changed since the plan ${plan.plan_id} was made: ${what}; plan again, or use --force`);
  }
  const chosen = selectCandidates(plan, opts.selection);
  const db = await opts.db();
  const remember = opts.remember ?? true;
  if (!remember) return applyChosen(plan, loaded, opts, chosen, db, false);
  await ensureRunsTable(db.pool);
  try {
    return await withPlanLocks(db.pool, [plan.plan_id, ...(opts.retryOf ? [opts.retryOf] : [])], () => applyChosen(plan, loaded, opts, chosen, db, true));
  } catch (e) {
    if (e instanceof RenkeiError && e.code === 'PLAN_BUSY' && (opts.recordRun ?? true)) await recordRefusal(plan, loaded, chosen, 0, e, opts, db.pool);
    throw e;
  }
}

async function applyChosen(plan: Plan, loaded: LoadedPipeline, opts: ApplyOptions, chosen: Candidate[], db: Db, remember: boolean): Promise<ApplyResult> {
  const pos = new Map(plan.candidates.map((c, i) => [c, i]));
  let done: Awaited<ReturnType<typeof planApplies>> = { byNo: new Map(), byKey: new Map() };
  if (remember && !opts.again) done = await planApplies(db.pool, plan.plan_id);
  const doneOf = (c: Candidate) => done.byNo.get(pos.get(c)!) ?? done.byKey.get(c.key);
  const applied = chosen.flatMap((c) => doneOf(c) ?? []);
  const toWrite = applied.length ? chosen.filter((c) => !doneOf(c)) : chosen;
  try {
    if (applied.length && toWrite.length === 0) throw alreadyApplied(plan, applied);
    await checkBeforeWriting(plan, loaded, toWrite, opts, db.pool);
  } catch (e) {
    // A refused apply is part of the sync history too (K10): recorded as a failed apply, nothing written.
    if (e instanceof RenkeiError && (opts.recordRun ?? true)) await recordRefusal(plan, loaded, chosen, applied.length, e, opts, db.pool);
    throw e;
  }
  const runId = opts.runId ?? newRunId((opts.now ?? (() => new Date()))());
  const numbers = new Map<unknown, { recordNo: number; key: string }>();
  const report = await runPipeline(loaded, {
    ...opts,
    runId,
    source: planSource(chosen, loaded.config.options.batch_size, pos, doneOf, numbers),
    transforms: false,
    kind: 'apply',
    meta: applyMeta(plan, opts),
    // Only what a target acknowledged is marked: per record (REST), or all at once after a commit.
    onAcknowledged: remember
      ? async (sink, recs) => {
        const written = recs.flatMap((r) => numbers.get(r.data) ?? []);
        await markApplied(db.pool, plan.plan_id, runId, sink, written);
        if (opts.retryOf) await markApplied(db.pool, opts.retryOf, runId, sink, written.map((w) => ({ recordNo: BY_KEY, key: w.key })));
      }
      : undefined,
  });
  if (opts.recordRun ?? true) {
    const by = (s: string) => chosen.filter((c) => c.status === s).length;
    await setStatusCounts(db.pool, report.run_id, { selected_new: by('new'), selected_changed: by('changed'), ...(applied.length ? { already_applied: applied.length } : {}), written: report.counts.written ?? 0, rejected: report.counts.rejected });
  }
  return { report, chosen, alreadyApplied: applied.length };
}

const applyMeta = (plan: Plan, opts: ApplyOptions) =>
  ({ ...opts.meta, planId: plan.plan_id, referenceDate: plan.reference_date ?? null, direction: plan.direction, pipelineFile: plan.pipeline_file, overrides: plan.overrides, params: plan.params ?? [] });

async function recordRefusal(plan: Plan, loaded: LoadedPipeline, chosen: Candidate[], alreadyApplied: number, e: RenkeiError, opts: ApplyOptions, pool: import('pg').Pool): Promise<void> {
  const now = (opts.now ?? (() => new Date()))();
  const id = opts.runId ?? newRunId(now);
  await ensureRunsTable(pool);
  await insertRun(pool, { id, pipeline: plan.pipeline, configHash: loaded.hash, startedAt: now, dryRun: false, kind: 'apply', startedBy: opts.startedBy ?? defaultStartedBy(), meta: applyMeta(plan, opts) });
  const report: RunReport = {
    run_id: id, pipeline: plan.pipeline, config_hash: loaded.hash, status: 'failed', dry_run: false, started_at: now.toISOString(),
    finished_at: now.toISOString(), duration_ms: 0, counts: emptyCounts(), expanded: 0, stages: [], reasons: { filtered: {}, rejected: {} },
    errors_file: null, error: { code: e.code, message: e.message }, kind: 'apply', started_by: opts.startedBy ?? defaultStartedBy(), facts: {},
  };
  await finishRun(pool, report);
  await setStatusCounts(pool, id, { selected_new: chosen.filter((c) => c.status === 'new').length, selected_changed: chosen.filter((c) => c.status === 'changed').length, ...(alreadyApplied ? { already_applied: alreadyApplied } : {}), written: 0, rejected: 0 });
}

async function checkBeforeWriting(plan: Plan, loaded: LoadedPipeline, chosen: Candidate[], opts: ApplyOptions, pool: import('pg').Pool): Promise<void> {
  const logger = opts.logger.child({ pipeline: plan.pipeline, plan_id: plan.plan_id });
  if (opts.recheck ?? true) {
    const ctx: Ctx = {
      runId: plan.plan_id, pipeline: plan.pipeline, logger: logger.child({ stage: 'apply:recheck' }), baseDir: loaded.baseDir,
      now: opts.now ?? (() => new Date()), db: opts.db, signal: opts.signal ?? new AbortController().signal,
      options: loaded.config.options, key: loaded.config.key, createSource: loaded.components.createSource,
    };
    const stale = await staleCandidates(loaded, chosen, ctx);
    if (stale.length && !opts.force) {
      // The most common cause: this very plan was applied already (its own writes moved the target).
      const earlier = await pool.query<{ id: string; finished_at: Date | null; status: string }>(
        `SELECT id, finished_at, status FROM renkei_runs WHERE kind = 'apply' AND plan_id = $1 AND status IN ('succeeded', 'failed', 'interrupted') AND counts IS NOT NULL AND coalesce((counts->>'written')::int, 0) > 0 ORDER BY started_at DESC LIMIT 1`,
        [plan.plan_id]).catch(() => ({ rows: [] as Array<{ id: string; finished_at: Date | null; status: string }> }));
      const own = earlier.rows[0] ? `This plan was already applied by run ${earlier.rows[0].id} (${earlier.rows[0].status}${earlier.rows[0].finished_at ? `, ${earlier.rows[0].finished_at.toISOString()}` : ''}): those changes are its own writes. ` : '';
      throw new RenkeiError('PLAN_STALE', `${stale.length} selected record(s) changed in the target since the plan ${plan.plan_id}:\n${stale.slice(0, 50).map((s) => `  - ${s}`).join('\n')}${stale.length > 50 ? `\n  … and ${stale.length - 50} more` : ''}\n${own}Plan again, or apply with --force.`);
    }
    if (stale.length) logger.warn({ stale: stale.length }, 'applying despite target changes (--force)');
  }
  if (!opts.force) {
    const g = await checkGuards(plan, chosen, loaded.config, pool);
    if (!g.ok) throw guardError(g.problems);
  }
}
