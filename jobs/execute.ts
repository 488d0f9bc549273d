/**
 * One job's work: a tenant's pipeline, as `renkei run` does it (a sync pipeline plans, checks its
 * guards and applies new and changed; any other runs end to end), or, in `mode: plan`, only the plan,
 * saved with its review page in the state home for people to review in the morning.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/connect.ts';
import type { LoadedPipeline } from '../config/load.ts';
import { runPipeline } from '../engine/runner.ts';
import type { RunReport } from '../engine/report.ts';
import { diffConfig, makePlan } from '../sync/planner.ts';
import { applyPlan } from '../sync/applier.ts';
import { renderPlanHtml } from '../sync/review/html.ts';
import { homeDir, writePrivateFile } from '../db/home.ts';
import { RenkeiError } from '../engine/errors.ts';
import { newRunId } from '../engine/context.ts';

export interface ExecuteOptions {
  logger: Logger;
  db: () => Promise<Db>;
  signal: AbortSignal;
  mode: 'run' | 'plan';
  startedBy: string;
  errorsDir: string;
  /** State home: where `mode: plan` saves its plans and review pages. */
  home: string;
  /** Called with each run id before the run starts (the job keeps them, also when its worker dies mid-run). */
  onRun: (runId: string) => Promise<void>;
}

export interface Executed {
  /** The last run's report (the apply's, or the plan's when nothing was applied). */
  report: RunReport;
  planFile?: string;
}

export async function executePipeline(loaded: LoadedPipeline, o: ExecuteOptions): Promise<Executed> {
  const base = { logger: o.logger, db: o.db, startedBy: o.startedBy, errorsDir: o.errorsDir, signal: o.signal, meta: { direction: loaded.config.description } };
  if (!diffConfig(loaded)) {
    if (o.mode === 'plan') throw new RenkeiError('CONFIG_INVALID', `mode: plan needs a sync pipeline (one with a diff stage); ${loaded.file} has none`);
    const runId = await next(o);
    return { report: await runPipeline(loaded, { ...base, runId }) };
  }
  const { plan, report: planned } = await makePlan(loaded, { ...base, runId: await next(o) });
  if (planned.status !== 'succeeded') return { report: planned };
  if (o.mode === 'plan') {
    const planFile = path.join(homeDir(o.home, 'plans'), `${plan.plan_id}.json`);
    writePrivateFile(planFile, JSON.stringify(plan) + '\n');
    writePrivateFile(planFile.replace(/\.json$/, '.html'), renderPlanHtml(plan, { planFile }));
    return { report: planned, planFile };
  }
  // A guard refusal throws GUARD_REFUSED (the applier records it as a failed apply): the job fails at once.
  const { report } = await applyPlan(plan, loaded, { ...base, runId: await next(o), selection: { only: new Set(['new', 'changed']) }, force: false, recheck: false });
  return { report };
}

/** A new run id, told to the job before the run starts. */
async function next(o: ExecuteOptions): Promise<string> {
  const id = newRunId();
  await o.onRun(id);
  return id;
}
