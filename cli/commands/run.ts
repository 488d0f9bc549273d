import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIO } from '../command.ts';
import { loadPipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import { writtenOf, type RunReport } from '../../engine/report.ts';
import { checkReportPath, writeReportFile } from '../report-file.ts';
import { exitCodeForSignal, withInterrupts } from '../interrupt.ts';
import { PARAM_HELP, PARAM_OPTIONS } from '../params.ts';
import { scrub } from '../../engine/logger.ts';
import { LOG_HELP, LOG_OPTIONS, STARTED_BY_HELP, STARTED_BY_OPTIONS, UsageError, openSession, parseLimit } from '../session.ts';
import { diffConfig, makePlan } from '../../sync/planner.ts';
import { applyPlan } from '../../sync/applier.ts';
import { renderPlanSummary } from '../../sync/review/terminal.ts';

export const RUN_HELP_OPTIONS = `  --set key.path=value   override a config value (repeatable; value read as YAML)
${PARAM_HELP}
  --dry-run              do everything but commit: a postgres sink loads and checks every row in a transaction
                         and rolls it back; a REST sink builds and checks every body but sends no write;
                         so the counts (would write N, rejected M) are the real run's
  --limit N              a trial load: read only the first N records of the source
  --report-json PATH     write the run report as JSON (run_id, pipeline, status, counts, stages, errors_file, duration_ms)
  --no-progress          no progress line on the terminal
  --force                pipelines with a diff stage: apply even when a safety guard refuses
${LOG_HELP}
${STARTED_BY_HELP}`;

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline file end to end',
  help: `Usage: renkei run FILE [options]

Streams the source through the transforms into the sinks. Rejected records go to the error sink with
their position, key, rule code and message; the run is recorded in renkei_runs.
A pipeline with a diff stage (a sync to a target) runs as plan + apply in one step, for nightly jobs:
the plan is computed and recorded, the safety guards are checked, then every new and changed
candidate is written (renkei plan / renkei apply do the same in two steps with a review between).

Options:
${RUN_HELP_OPTIONS}

Exit codes: 0 the run completed (even with rejected records), 1 the run failed (a PostgreSQL sink
commits nothing; REST writes the target acknowledged stay and are counted), 2 bad usage or
configuration, 130 / 143 interrupted by SIGINT (Ctrl-C) / SIGTERM (PostgreSQL sinks rolled back,
the run recorded as interrupted).

Example:
  renkei run pipelines/demo-attendance.yaml --set options.batch_size=2000 --report-json report.json`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv, allowPositionals: true,
      options: { set: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean', default: false }, limit: { type: 'string' }, 'report-json': { type: 'string' }, 'no-progress': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, ...PARAM_OPTIONS, ...LOG_OPTIONS, ...STARTED_BY_OPTIONS },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one pipeline file');
    const loaded = loadPipeline(path.resolve(io.cwd, positionals[0]), { env: io.env, set: values.set, params: values.param });
    if (values['report-json']) checkReportPath(io, values['report-json']);
    const limit = values.limit === undefined ? undefined : parseLimit(values.limit);
    if (limit !== undefined && diffConfig(loaded)) throw new UsageError('--limit is for trial loads: a sync pipeline would take the rest of the source for missing records (use renkei preview, or plan)');
    if (diffConfig(loaded) && !values['dry-run']) return plannedRun(io, loaded, { force: values.force, reportJson: values['report-json'], flags: values });
    const report = await runLoaded(io, loaded, { dryRun: values['dry-run'], reportJson: values['report-json'], progress: !values['no-progress'], flags: values, limit });
    return exitCode(report);
  },
};

/** 0 succeeded, 130/143 interrupted by SIGINT/SIGTERM, 1 failed. */
export function exitCode(r: RunReport): number {
  if (r.status === 'succeeded') return 0;
  return r.status === 'interrupted' ? exitCodeForSignal(r.interrupted_by) : 1;
}

function writeReport(io: CommandIO, file: string, body: unknown, secrets: Set<string>): void {
  writeReportFile(io, path.resolve(io.cwd, file), body, secrets);
}

function tellInterrupted(io: CommandIO, r: RunReport): void {
  if (r.status === 'interrupted') io.stderr.write(`renkei: ${r.kind} ${r.run_id} ${r.error?.message ?? 'interrupted'}\n`);
}

export async function runLoaded(io: CommandIO, loaded: ReturnType<typeof loadPipeline>, o: { dryRun: boolean; reportJson?: string; progress: boolean; limit?: number; flags: { 'log-level'?: string; 'log-format'?: string; 'started-by'?: string } }): Promise<RunReport> {
  const session = openSession(io, o.flags);
  for (const s of loaded.secrets) session.secrets.add(s);
  const progress = session.progress(loaded.config.name, o.progress);
  let report: RunReport;
  try {
    report = await withInterrupts(io, (signal) => runPipeline(loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, errorsDir: session.errorsDir, dryRun: o.dryRun, limit: o.limit, signal, meta: { direction: loaded.config.description }, onProgress: (c, src) => progress.update(c, src) }));
  } finally {
    progress.done();
    await session.close();
  }
  if (o.reportJson) writeReport(io, o.reportJson, report, session.secrets);
  io.stdout.write(scrub(summary(report), session.secrets));
  tellInterrupted(io, report);
  return report;
}

/**
 * `read = written + unchanged + filtered + rejected` (G1) — only when it holds: a run that stopped
 * part-way has records without an outcome, and its counts are listed, not equated.
 */
function countsLine(r: RunReport, planned: boolean, n: (x: number) => string): string {
  const c = r.counts;
  const parts = `${planned ? 'would write' : 'written'} ${n(writtenOf(c))}, unchanged ${n(c.unchanged)}, filtered ${n(c.filtered)}, rejected ${n(c.rejected)}`;
  const out = writtenOf(c) + c.unchanged + c.filtered + c.rejected;
  if (out === c.read + (r.expanded ?? 0)) return `  read ${n(c.read)}${r.expanded ? ` + ${n(r.expanded)} target-only` : ''} = ${parts.replaceAll(', ', ' + ')}`;
  return `  read ${n(c.read)}; ${parts} (stopped part-way: ${n(c.read + (r.expanded ?? 0) - out)} read record(s) got no outcome)`;
}

export function summary(r: RunReport): string {
  const c = r.counts;
  const n = (x: number) => x.toLocaleString('en-US');
  const planned = c.would_write !== undefined;
  const mark = r.status === 'succeeded' ? '✔' : r.status === 'interrupted' ? '■' : '✘';
  const lines = [
    `${mark} ${r.kind === 'run' ? '' : `${r.kind} `}${r.pipeline} ${r.status}${planned ? ' (nothing written)' : ''} in ${(r.duration_ms / 1000).toFixed(2)}s — run ${r.run_id}`,
    countsLine(r, planned, n),
  ];
  if (r.status === 'succeeded' && r.duration_ms >= 1000) lines.push(`  ${n(Math.round(c.read / (r.duration_ms / 1000)))} records/s`);
  for (const [kind, m] of Object.entries(r.reasons)) {
    const e = Object.entries(m);
    if (e.length) lines.push(`  ${kind}: ${e.map(([code, k]) => `${code} ${n(k)}`).join(', ')}`);
  }
  if (c.rejected > 0 && r.errors_file) lines.push(`  rejected records: ${r.errors_file}`);
  for (const n of r.notices ?? []) lines.push(`  ⚠ ${n}`);
  if (r.error) lines.push(`  error: ${r.error.code}: ${r.error.message}`);
  return lines.join('\n') + '\n';
}

/** Plan + apply in one step (nightly jobs): guards still apply; no re-check (the plan is seconds old). */
async function plannedRun(io: CommandIO, loaded: ReturnType<typeof loadPipeline>, o: { force: boolean; reportJson?: string; flags: { 'log-level'?: string; 'log-format'?: string; 'started-by'?: string } }): Promise<number> {
  const session = openSession(io, o.flags);
  for (const s of loaded.secrets) session.secrets.add(s);
  try {
    return await withInterrupts(io, async (signal) => {
      const { plan, report: planned } = await makePlan(loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, errorsDir: session.errorsDir, signal });
      io.stdout.write(scrub(summary(planned), session.secrets));
      if (planned.status !== 'succeeded') {
        // The plan's report is the run's: a scheduler reads why it failed there (every run yields a report).
        if (o.reportJson) writeReport(io, o.reportJson, planned, session.secrets);
        tellInterrupted(io, planned);
        return exitCode(planned);
      }
      io.stdout.write(renderPlanSummary(plan) + '\n');
      const { report } = await applyPlan(plan, loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, errorsDir: session.errorsDir, selection: { only: new Set(['new', 'changed']) }, force: o.force, recheck: false, remember: false, signal });
      if (o.reportJson) writeReport(io, o.reportJson, { ...report, plan_run_id: planned.run_id, plan_counts: plan.counts }, session.secrets);
      io.stdout.write(scrub(summary(report), session.secrets));
      tellInterrupted(io, report);
      return exitCode(report);
    });
  } finally {
    await session.close();
  }
}
