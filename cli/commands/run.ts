import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIO } from '../command.ts';
import { loadPipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import type { RunReport } from '../../engine/report.ts';
import { scrub } from '../../engine/logger.ts';
import { LOG_HELP, LOG_OPTIONS, UsageError, openSession } from '../session.ts';
import { progressLine } from '../progress.ts';
import { diffConfig, makePlan } from '../../engine/planner.ts';
import { applyPlan } from '../../engine/applier.ts';
import { renderPlanSummary } from '../../review/terminal.ts';

export const RUN_HELP_OPTIONS = `  --set key.path=value   override a config value (repeatable; value read as YAML)
  --dry-run              read and transform everything, write nothing (counts show what would be written)
  --report-json PATH     write the run report as JSON (run_id, pipeline, status, counts, stages, errors_file, duration_ms)
  --no-progress          no progress line on the terminal
  --force                pipelines with a diff stage: apply even when a safety guard refuses
${LOG_HELP}`;

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

Exit codes: 0 the run completed (even with rejected records), 1 the run failed (nothing committed),
2 bad usage or configuration.

Example:
  renkei run pipelines/demo-attendance.yaml --set options.batch_size=2000 --report-json report.json`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv, allowPositionals: true,
      options: { set: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean', default: false }, 'report-json': { type: 'string' }, 'no-progress': { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, ...LOG_OPTIONS },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one pipeline file');
    const loaded = loadPipeline(positionals[0], { env: io.env, set: values.set });
    if (diffConfig(loaded) && !values['dry-run']) return plannedRun(io, loaded, { force: values.force, reportJson: values['report-json'], flags: values });
    const report = await runLoaded(io, loaded, { dryRun: values['dry-run'], reportJson: values['report-json'], progress: !values['no-progress'], flags: values });
    return report.status === 'succeeded' ? 0 : 1;
  },
};

export async function runLoaded(io: CommandIO, loaded: ReturnType<typeof loadPipeline>, o: { dryRun: boolean; reportJson?: string; progress: boolean; flags: { 'log-level'?: string; 'log-format'?: string; 'started-by'?: string } }): Promise<RunReport> {
  const session = openSession(io, o.flags);
  for (const s of loaded.secrets) session.secrets.add(s);
  const abort = new AbortController();
  const onSignal = (sig: string) => { abort.abort(sig); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressLine(io.stderr, loaded.config.name, o.progress);
  let report: RunReport;
  try {
    report = await runPipeline(loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, dryRun: o.dryRun, signal: abort.signal, onProgress: (c) => progress.update(c) });
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
  if (o.reportJson) {
    fs.mkdirSync(path.dirname(path.resolve(io.cwd, o.reportJson)), { recursive: true });
    fs.writeFileSync(path.resolve(io.cwd, o.reportJson), scrub(JSON.stringify(report, null, 2), session.secrets) + '\n');
  }
  io.stdout.write(scrub(summary(report), session.secrets));
  return report;
}

export function summary(r: RunReport): string {
  const c = r.counts;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `${r.status === 'succeeded' ? '✔' : '✘'} ${r.kind === 'run' ? '' : `${r.kind} `}${r.pipeline} ${r.status}${r.dry_run || r.kind === 'plan' ? ' (nothing written)' : ''} in ${(r.duration_ms / 1000).toFixed(2)}s — run ${r.run_id}`,
    `  read ${n(c.read)}${r.expanded ? ` + ${n(r.expanded)} target-only` : ''} = ${r.dry_run || r.kind === 'plan' ? 'to write' : 'written'} ${n(c.written)} + unchanged ${n(c.unchanged)} + filtered ${n(c.filtered)} + rejected ${n(c.rejected)}`,
  ];
  if (r.status === 'succeeded' && r.duration_ms >= 1000) lines.push(`  ${n(Math.round(c.read / (r.duration_ms / 1000)))} records/s`);
  for (const [kind, m] of Object.entries(r.reasons)) {
    const e = Object.entries(m);
    if (e.length) lines.push(`  ${kind}: ${e.map(([code, k]) => `${code} ${n(k)}`).join(', ')}`);
  }
  if (c.rejected > 0 && r.errors_file) lines.push(`  rejected records: ${r.errors_file}`);
  if (r.error) lines.push(`  error: ${r.error.code}: ${r.error.message}`);
  return lines.join('\n') + '\n';
}

/** Plan + apply in one step (nightly jobs): guards still apply; no re-check (the plan is seconds old). */
async function plannedRun(io: CommandIO, loaded: ReturnType<typeof loadPipeline>, o: { force: boolean; reportJson?: string; flags: { 'log-level'?: string; 'log-format'?: string; 'started-by'?: string } }): Promise<number> {
  const session = openSession(io, o.flags);
  for (const s of loaded.secrets) session.secrets.add(s);
  try {
    const { plan, report: planned } = await makePlan(loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy });
    io.stdout.write(scrub(summary(planned), session.secrets));
    if (planned.status !== 'succeeded') return 1;
    io.stdout.write(renderPlanSummary(plan) + '\n');
    const { report } = await applyPlan(plan, loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, selection: { only: new Set(['new', 'changed']) }, force: o.force, recheck: false });
    if (o.reportJson) {
      fs.mkdirSync(path.dirname(path.resolve(io.cwd, o.reportJson)), { recursive: true });
      fs.writeFileSync(path.resolve(io.cwd, o.reportJson), scrub(JSON.stringify({ ...report, plan_run_id: planned.run_id, plan_counts: plan.counts }, null, 2), session.secrets) + '\n');
    }
    io.stdout.write(scrub(summary(report), session.secrets));
    return report.status === 'succeeded' ? 0 : 1;
  } finally {
    await session.close();
  }
}
