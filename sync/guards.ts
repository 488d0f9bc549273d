/**
 * Safety guards (issue 5): before anything is applied, refuse when the source returned suspiciously
 * few records compared with the last successful run, or when the changes would resign/deactivate
 * more than a configured share of the target. `--force` bypasses them; the refusal explains the numbers.
 */
import type pg from 'pg';
import { RenkeiError } from '../engine/errors.ts';
import type { Candidate, Plan } from './plan.ts';
import type { PipelineConfig } from '../config/schema.ts';
import { lastSuccessfulRead } from '../db/runs.ts';
import { canon } from '../transforms/lib/fields.ts';

const blank = (v: unknown) => canon(v) === '';

/** True when one of the candidate's changes resigns/deactivates the record. */
export function deactivates(c: Candidate, rules: PipelineConfig['guards']['deactivate']): boolean {
  if (c.status !== 'changed' || !c.changes) return false;
  return c.changes.some((ch) => rules.some((r) => r.field === ch.field && (r.to === undefined ? blank(ch.old) && !blank(ch.new) : canon(ch.new) === r.to && canon(ch.old) !== r.to)));
}

export interface GuardResult { ok: boolean; problems: string[] }

export async function checkGuards(plan: Plan, selected: Candidate[], config: PipelineConfig, pool: pg.Pool): Promise<GuardResult> {
  const g = config.guards;
  const problems: string[] = [];
  const last = await lastSuccessfulRead(pool, plan.pipeline, plan.plan_id);
  if (last && last.read > 0 && plan.source_records < g.min_source_ratio * last.read) {
    problems.push(`the source returned ${plan.source_records} records, ${(100 * plan.source_records / last.read).toFixed(1)}% of the ${last.read} read by the last successful run ${last.id} (guards.min_source_ratio is ${g.min_source_ratio}): a truncated read would look like mass changes`);
  }
  const base = plan.target_records ?? plan.counts.changed + plan.counts.unchanged + plan.counts.missing;
  const n = selected.filter((c) => deactivates(c, g.deactivate)).length;
  if (n > 0 && base > 0 && n / base > g.max_deactivate_ratio) {
    problems.push(`${n} of ${base} target records (${(100 * n / base).toFixed(1)}%) would be resigned/deactivated (guards.max_deactivate_ratio is ${g.max_deactivate_ratio})`);
  }
  return { ok: problems.length === 0, problems };
}

export function guardError(problems: string[]): RenkeiError {
  return new RenkeiError('GUARD_REFUSED', `refusing to apply:\n${problems.map((p) => `  - ${p}`).join('\n')}\nCheck the source; if this is expected, run again with --force.`);
}
