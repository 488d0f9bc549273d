import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { REDACTED, loadPipeline } from '../../config/load.ts';
import { applyPlan } from '../../sync/applier.ts';
import { RenkeiError } from '../../engine/errors.ts';
import type { CandidateStatus, Plan } from '../../sync/plan.ts';
import { scrub } from '../../engine/logger.ts';
import { keysWrittenSince, listRuns, runErrors, ensureRunsTable } from '../../db/runs.ts';
import { LOG_HELP, LOG_OPTIONS, STARTED_BY_HELP, STARTED_BY_OPTIONS, UsageError, openSession } from '../session.ts';
import { summary } from './run.ts';
import { planAndPrint } from './plan.ts';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Write exactly the selected candidates of a saved plan (or retry the failures of an apply)',
  help: `Usage: renkei apply PLAN [--only new,changed] [--select KEY,… | --select-file F] [--force] [--again]
       renkei apply --retry-failed RUN [--force] [--again]

Writes the selected candidates of a plan made by \`renkei plan\`. Before writing, the target records
the selection touches are read again: if any changed since the plan, nothing is written and they are
listed (exit 1). Safety guards refuse an apply when the source returned far fewer records than the
last successful run, or when too large a share of the target would be resigned/deactivated.
A plan's records are written once (G7): renkei records which ones each apply wrote (what the target
acknowledged), so applying the plan again writes only the rest (a part applied with --select, or
what a failed apply did not write); the others are counted as ALREADY_APPLIED. When nothing selected
is left the apply is refused (exit 1).

Options:
  --only STATUSES    new, changed or both (default new,changed; unchanged candidates cannot be applied)
  --select KEYS      only these keys (comma-separated, as shown in the plan)
  --select-file F    only the keys listed in F (one per line)
  --force            apply even if the target changed since the plan, the pipeline file changed, or a guard refuses
  --again            write again the records an earlier apply of this plan already wrote (--force does not)
  --retry-failed RUN re-plan only the records that failed in apply run RUN, and apply them (those
                     written since, by another retry or an apply of the plan, are left out unless --again)
  --set key.path=value  a secret the plan was made with (--set token=…), which plans never store (G5)
${LOG_HELP}
${STARTED_BY_HELP}

Exit codes: 0 applied (even with records the target refused), 1 refused or failed, 2 bad usage.`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv, allowPositionals: true,
      options: { only: { type: 'string', default: 'new,changed' }, select: { type: 'string' }, 'select-file': { type: 'string' }, force: { type: 'boolean', default: false }, again: { type: 'boolean', default: false }, 'retry-failed': { type: 'string' }, set: { type: 'string', multiple: true }, ...LOG_OPTIONS, ...STARTED_BY_OPTIONS },
    });
    const retry = values['retry-failed'];
    if (retry ? positionals.length !== 0 : positionals.length !== 1) throw new UsageError(retry ? '--retry-failed takes a run id instead of a plan file' : 'expected exactly one plan file');
    if (values.select && values['select-file']) throw new UsageError('use --select or --select-file, not both');
    const only = new Set(values.only.split(',').map((s) => s.trim()).filter(Boolean) as CandidateStatus[]);
    let keys: Set<string> | undefined;
    if (values.select) keys = new Set(values.select.split(',').map((s) => s.trim()).filter(Boolean));
    if (values['select-file']) {
      let text: string;
      try {
        text = fs.readFileSync(path.resolve(io.cwd, values['select-file']), 'utf8');
      } catch (e) {
        throw new UsageError(`--select-file ${values['select-file']}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      keys = new Set(text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean));
    }

    const session = openSession(io, values);
    try {
      let plan: Plan;
      let loaded;
      let retryOf: string | undefined;
      if (retry) {
        const db = await session.db();
        await ensureRunsTable(db.pool);
        const [run] = await listRuns(db.pool, { limit: 1, id: retry });
        if (!run) throw new UsageError(`no run ${retry} in the run table (see renkei report)`);
        if (run.kind !== 'apply' || !run.pipeline_file) throw new UsageError(`run ${retry} is a ${run.kind}, not an apply: nothing to retry`);
        const failed = new Set((await runErrors(db.pool, retry, 1_000_000)).filter((e) => e.outcome === 'rejected').map((e) => e.key).filter(Boolean));
        if (failed.size === 0) { io.stdout.write(`run ${retry} has no failed records: nothing to retry\n`); return 0; }
        // Failed records written since (an earlier retry, or an apply of the plan again) are not retried (G7).
        const since = run.plan_id && !values.again ? await keysWrittenSince(db.pool, run.plan_id, retry, run.started_at) : new Map<string, { run_id: string; applied_at: Date }>();
        const gone = [...failed].filter((k) => since.has(k));
        for (const k of gone) failed.delete(k);
        if (gone.length) {
          const last = gone.map((k) => since.get(k)!).reduce((a, b) => (b.applied_at > a.applied_at ? b : a));
          const what = `${gone.length} of the records that failed in ${retry} were written since, last by run ${last.run_id} on ${last.applied_at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
          if (failed.size === 0) throw new RenkeiError('PLAN_APPLIED', `${what}; nothing left to retry (--again retries them anyway)`);
          io.stdout.write(`${what}: not retried (ALREADY_APPLIED)\n`);
        }
        io.stdout.write(`re-planning the ${failed.size} record(s) that failed in ${retry}\n`);
        loaded = loadPipeline(run.pipeline_file, { env: io.env, set: withSecrets(run.overrides ?? [], values.set), params: run.params ?? [] });
        for (const s of loaded.secrets) session.secrets.add(s);
        const r = await planAndPrint(io, session, loaded, { limit: 50, statuses: ['new', 'changed', 'rejected'], onlyKeys: failed });
        if (!r.plan) return 1;
        plan = r.plan;
        keys = undefined;
        retryOf = run.plan_id ?? undefined;
      } else {
        try {
          plan = JSON.parse(fs.readFileSync(path.resolve(io.cwd, positionals[0]), 'utf8')) as Plan;
        } catch (e) {
          throw new UsageError(`cannot read plan ${positionals[0]}: ${(e as Error).message}`);
        }
        if (plan?.version !== 1 || !Array.isArray(plan.candidates)) throw new UsageError(`${positionals[0]} is not a renkei plan`);
        loaded = loadPipeline(plan.pipeline_file, { env: io.env, set: withSecrets(plan.overrides ?? [], values.set), params: plan.params ?? [] });
        for (const s of loaded.secrets) session.secrets.add(s);
      }
      try {
        const { report, chosen, alreadyApplied } = await applyPlan(plan, loaded, { logger: session.logger, db: session.db, startedBy: session.startedBy, errorsDir: session.errorsDir, selection: { only, keys }, force: values.force, again: values.again, retryOf });
        io.stdout.write(`applied ${chosen.length - alreadyApplied} selected candidate(s) of plan ${plan.plan_id}\n`);
        if (alreadyApplied) io.stdout.write(`  ${alreadyApplied} of the ${chosen.length} selected candidate(s) were already applied by an earlier apply of this plan: skipped (ALREADY_APPLIED)\n`);
        io.stdout.write(scrub(summary(report), session.secrets));
        if (report.counts.rejected > 0) io.stdout.write(`  retry the failed ones: renkei apply --retry-failed ${report.run_id}\n`);
        return report.status === 'succeeded' ? 0 : 1;
      } catch (e) {
        if (e instanceof RenkeiError && e.code === 'USAGE') throw new UsageError(e.message);
        throw e;
      }
    } finally {
      await session.close();
    }
  },
};

const keyOfSet = (spec: string) => spec.slice(0, Math.max(0, spec.indexOf('=')));

/**
 * The `--set` overrides to load a plan's pipeline with: the stored ones, with each secret the plan
 * could not keep (stored as [REDACTED], G5) given again with `apply --set key=value`.
 */
export function withSecrets(stored: readonly string[], given: readonly string[] | undefined): string[] {
  const secretKeys = stored.filter((s) => s.endsWith(`=${REDACTED}`)).map(keyOfSet);
  const byKey = new Map((given ?? []).map((g) => [keyOfSet(g), g]));
  for (const k of byKey.keys()) {
    if (!secretKeys.includes(k)) throw new UsageError(`apply --set ${k || '(no key)'}=…: apply only takes the secrets its plan was made with again (${secretKeys.length ? secretKeys.join(', ') : 'this plan has none'}); anything else is planned anew with renkei plan`);
  }
  const missing = secretKeys.filter((k) => !byKey.has(k));
  if (missing.length) {
    throw new UsageError(`the plan was made with secret --set values, which are never stored: give them again: ${missing.map((k) => `--set ${k}=…`).join(' ')} (or give secrets through \${ENV} variables in the pipeline file)`);
  }
  return stored.map((s) => (s.endsWith(`=${REDACTED}`) ? byKey.get(keyOfSet(s))! : s));
}
