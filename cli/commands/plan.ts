import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIO } from '../command.ts';
import { loadPipeline, type LoadedPipeline } from '../../config/load.ts';
import { makePlan } from '../../sync/planner.ts';
import type { Plan } from '../../sync/plan.ts';
import type { RunReport } from '../../engine/report.ts';
import { CANDIDATE_STATUSES, type CandidateStatus } from '../../sync/plan.ts';
import { scrub } from '../../engine/logger.ts';
import { renderPlanHtml } from '../../sync/review/html.ts';
import { renderPlanTable } from '../../sync/review/terminal.ts';
import { LOG_HELP, LOG_OPTIONS, STARTED_BY_HELP, STARTED_BY_OPTIONS, UsageError, openSession, type Session } from '../session.ts';
import { summary } from './run.ts';
import { homeDir, writePrivateFile } from '../../db/home.ts';
import { PARAM_HELP, PARAM_OPTIONS } from '../params.ts';
import { checkReportPath } from '../report-file.ts';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Compute what a pipeline would write (new / changed / unchanged / rejected / missing) without writing',
  help: `Usage: renkei plan FILE [options]

Runs the pipeline up to its sinks without writing anything (K4) and saves a plan: every candidate
with its status — new, changed (each field old → new), unchanged, rejected (code and message),
missing in source — the counts, the reference date, the config hash and a fingerprint of the target
it was computed against. Review it, then write a selection of it with \`renkei apply PLAN\`.

Options:
  --out PLAN            where to save the plan (default <state home>/plans/<plan id>.json, mode 0600)
  --html PAGE           also write the review page: one self-contained HTML file (opens on new + changed;
                        filter, search, per-field diff, labels, ticks downloaded as a --select-file)
  --show STATUSES       statuses listed on the terminal (default new,changed,rejected; "all" for every one)
  --limit N             candidates listed on the terminal (default 50)
  --set key.path=value  override a config value (repeatable)
${PARAM_HELP}
${LOG_HELP}
${STARTED_BY_HELP}

Exit codes: 0 plan saved, 1 the plan could not be computed, 2 bad usage or configuration.`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv, allowPositionals: true,
      options: { out: { type: 'string' }, html: { type: 'string' }, show: { type: 'string' }, limit: { type: 'string', default: '50' }, set: { type: 'string', multiple: true }, ...PARAM_OPTIONS, ...LOG_OPTIONS, ...STARTED_BY_OPTIONS },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one pipeline file');
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number, not ${values.limit}`);
    const statuses = parseStatuses(values.show);
    const loaded = loadPipeline(path.resolve(io.cwd, positionals[0]), { env: io.env, set: values.set, params: values.param });
    if (values.out) checkReportPath(io, values.out, '--out');
    if (values.html) checkReportPath(io, values.html, '--html');
    const session = openSession(io, values);
    for (const s of loaded.secrets) session.secrets.add(s);
    try {
      const { plan, report } = await planAndPrint(io, session, loaded, { limit, statuses, out: values.out, html: values.html });
      return plan && report.status === 'succeeded' ? 0 : 1;
    } finally {
      await session.close();
    }
  },
};

function parseStatuses(v: string | undefined): CandidateStatus[] {
  if (!v) return ['new', 'changed', 'rejected'];
  if (v === 'all') return [...CANDIDATE_STATUSES];
  const list = v.split(',').map((s) => s.trim()) as CandidateStatus[];
  const bad = list.filter((s) => !CANDIDATE_STATUSES.includes(s));
  if (bad.length) throw new UsageError(`--show: unknown status ${bad.join(', ')}; valid: ${CANDIDATE_STATUSES.join(', ')}, all`);
  return list;
}

/** Plans are kept in the state home (0600: they hold personal data, G6). */
export function defaultPlanFile(home: string, planId: string): string {
  return path.join(homeDir(home, 'plans'), `${planId}.json`);
}

export async function planAndPrint(io: CommandIO, session: Session, loaded: LoadedPipeline, o: { limit: number; statuses: CandidateStatus[]; out?: string; html?: string; onlyKeys?: Set<string> }): Promise<{ plan?: Plan; report: RunReport }> {
  const { plan, report } = await makePlan(loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, errorsDir: session.errorsDir, onlyKeys: o.onlyKeys });
  io.stdout.write(scrub(summary(report), session.secrets));
  if (report.status !== 'succeeded') return { report };
  const color = Boolean((io.stdout as NodeJS.WriteStream).isTTY);
  io.stdout.write(renderPlanTable(plan, { color, statuses: o.statuses, limit: o.limit }) + '\n');
  const out = o.out ? path.resolve(io.cwd, o.out) : defaultPlanFile(session.home, plan.plan_id);
  writePrivateFile(out, JSON.stringify(plan) + '\n');
  io.stdout.write(`plan saved: ${out}\n`);
  if (o.html) {
    const page = path.resolve(io.cwd, o.html);
    writePrivateFile(page, renderPlanHtml(plan, { planFile: out }));
    io.stdout.write(`review page: ${page}\n`);
  }
  const shown = path.relative(io.cwd, out).startsWith('..') ? out : path.relative(io.cwd, out);
  io.stdout.write(`apply it: renkei apply ${shown} [--only new,changed] [--select KEY,…]\n`);
  return { plan, report };
}
