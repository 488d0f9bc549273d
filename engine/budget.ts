/**
 * The error budget: a run fails when too many records are rejected, so a configuration mistake (a
 * wrong column type, a wrong delimiter) can never end "✔ succeeded".
 *
 * `max_rejected` (a count) is checked after every batch; `max_rejected_ratio` (a share of the records
 * read) at the end of input. Without either, the default is a ratio of 0.5: more than half of the
 * records rejected fails the run. `max_rejected_ratio: 1` turns the default off.
 */
import { RenkeiError } from './errors.ts';
import type { Counts } from './report.ts';
import type { RunOptions } from './types.ts';

export const DEFAULT_MAX_REJECTED_RATIO = 0.5;

/** The ratio in force: the configured one, else the default unless a count budget was given. */
export function effectiveRatio(o: Pick<RunOptions, 'max_rejected' | 'max_rejected_ratio'>): number | undefined {
  if (o.max_rejected_ratio !== undefined) return o.max_rejected_ratio;
  return o.max_rejected === undefined ? DEFAULT_MAX_REJECTED_RATIO : undefined;
}

/** Throws ERROR_BUDGET when the budget is exceeded; `final` adds the ratio check (end of input). */
export function checkBudget(o: Pick<RunOptions, 'max_rejected' | 'max_rejected_ratio'>, c: Counts, final: boolean): void {
  if (o.max_rejected !== undefined && c.rejected > o.max_rejected) {
    throw new RenkeiError('ERROR_BUDGET', `error budget exceeded: ${c.rejected} records rejected, max_rejected is ${o.max_rejected}`);
  }
  const ratio = effectiveRatio(o);
  if (final && ratio !== undefined && c.read > 0 && c.rejected / c.read > ratio) {
    const pct = (100 * c.rejected / c.read).toFixed(2);
    const which = o.max_rejected_ratio === undefined ? `more than ${ratio * 100}% rejected fails a run by default (set options.max_rejected_ratio; 1 turns it off)` : `max_rejected_ratio is ${ratio}`;
    throw new RenkeiError('ERROR_BUDGET', `error budget exceeded: ${c.rejected} of ${c.read} records rejected (${pct}%); ${which}`);
  }
}
