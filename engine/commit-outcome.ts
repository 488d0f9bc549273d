/**
 * What a run leaves in its targets, told honestly. Atomic sinks (PostgreSQL COPY in one transaction)
 * commit all or nothing; per-record sinks (REST) keep every write the target acknowledged, even when
 * the run fails or is interrupted afterwards. Only acknowledged writes are counted (G1).
 */
import type { Sink } from './types.ts';
import type { Counts, ReportCounts, StageCounts } from './report.ts';

export interface LiveSink { name: string; sink: Sink; counts: StageCounts }

/**
 * After a failure: sets each sink's `out` to what stays in its target, and returns the run's written
 * count (the most any per-record sink kept) with a note for the failure message.
 */
export function failureOutcome(sinks: LiveSink[], dryRun: boolean): { written: number; note: string } {
  if (dryRun) return { written: 0, note: '' };
  const kept: string[] = [];
  const rolledBack: string[] = [];
  let written = 0;
  for (const s of sinks) {
    if (s.sink.commits === 'per-record') {
      const n = s.sink.acknowledged?.() ?? 0;
      s.counts.out = n;
      written = Math.max(written, n);
      if (n > 0) kept.push(`${n} record${n === 1 ? '' : 's'} stay${n === 1 ? 's' : ''} written by ${s.name} (acknowledged by the target; REST writes cannot be rolled back)`);
    } else {
      s.counts.out = 0;
      rolledBack.push(s.name);
    }
  }
  if (kept.length === 0) return { written: 0, note: sinks.length ? '; nothing was committed' : '' };
  const rb = rolledBack.length ? `; ${rolledBack.join(', ')} rolled back` : '';
  return { written, note: `; ${kept.join('; ')}${rb}` };
}

/** The report's counts: `written` for runs and applies, `would_write` for plans and dry runs. */
export function reportCounts(c: Counts, dryRun: boolean): ReportCounts {
  const { written, ...rest } = c;
  return dryRun ? { read: rest.read, would_write: written, unchanged: rest.unchanged, filtered: rest.filtered, rejected: rest.rejected } : { ...c };
}
