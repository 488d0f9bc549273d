/**
 * Outcome accounting and the run report. Every record read ends in exactly one outcome (G1):
 * read + expanded = written + unchanged + filtered + rejected.
 */
import type { Drop, DropKind } from './types.ts';

export interface Counts {
  read: number;
  written: number;
  unchanged: number;
  filtered: number;
  rejected: number;
}

export interface StageCounts {
  stage: string;
  in: number;
  out: number;
  filtered: number;
  rejected: number;
  unchanged: number;
}

/**
 * Counts as reported. Runs and applies say `written` (acknowledged by the target); plans and dry
 * runs wrote nothing and say `would_write` instead, so a plan never reads as a write.
 */
export interface ReportCounts {
  read: number;
  written?: number;
  would_write?: number;
  unchanged: number;
  filtered: number;
  rejected: number;
}

export interface RunReport {
  run_id: string;
  pipeline: string;
  config_hash: string;
  /** `interrupted`: stopped by SIGINT/SIGTERM (see `interrupted_by`). */
  status: 'succeeded' | 'failed' | 'interrupted';
  /** The signal that interrupted the run, when it was. */
  interrupted_by?: string;
  dry_run: boolean;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  counts: ReportCounts;
  /** Extra records made by 1→N stages (part of the G1 equation; usually 0). */
  expanded: number;
  stages: StageCounts[];
  /** Count per rule code, for filtered and rejected records. */
  reasons: { filtered: Record<string, number>; rejected: Record<string, number> };
  errors_file: string | null;
  /** Why the run failed (code + message), null when it succeeded. */
  error: { code: string; message: string } | null;
  /** `run`, `plan`, `apply` or `dry-run`. */
  kind: 'run' | 'plan' | 'apply' | 'dry-run';
  /** Who or what started it (K10): `cli:<user>`, `schedule:<name>`. */
  started_by: string;
  /**
   * Per sink, how it commits and what it holds after the run: an `atomic` sink committed all or
   * nothing; a `per-record` sink keeps every write the target acknowledged, even after a failure.
   */
  sinks?: Array<{ sink: string; commits: 'atomic' | 'per-record'; written: number }>;
  /** Notices for the person running it (shown in the summary), e.g. a linkage about to expire. */
  notices?: string[];
  /** What stages reported at the end: reference date, target size and fingerprint, … */
  facts: Record<string, unknown>;
}

export function emptyCounts(): Counts {
  return { read: 0, written: 0, unchanged: 0, filtered: 0, rejected: 0 };
}

export function stageCounts(stage: string): StageCounts {
  return { stage, in: 0, out: 0, filtered: 0, rejected: 0, unchanged: 0 };
}

/** Tallies drops into a stage's counts, the run totals and the per-code reasons. */
export class Tally {
  readonly counts = emptyCounts();
  readonly reasons = { filtered: {} as Record<string, number>, rejected: {} as Record<string, number> };

  drop(sc: StageCounts, d: Drop): void {
    const k: DropKind = d.kind;
    sc[k]++;
    this.counts[k]++;
    if (k !== 'unchanged') this.reasons[k][d.code] = (this.reasons[k][d.code] ?? 0) + 1;
  }
}

/** G1: returns a message when the counts do not add up, null when they do. */
export function conservationProblem(c: Counts, expanded: number): string | null {
  const out = c.written + c.unchanged + c.filtered + c.rejected;
  if (c.read + expanded === out) return null;
  return `G1 conservation failed: read ${c.read}${expanded ? ` + expanded ${expanded}` : ''} ≠ written ${c.written} + unchanged ${c.unchanged} + filtered ${c.filtered} + rejected ${c.rejected} (= ${out})`;
}

/** The written count of a report whatever its kind (`would_write` for plans and dry runs). */
export function writtenOf(c: ReportCounts): number {
  return c.written ?? c.would_write ?? 0;
}
