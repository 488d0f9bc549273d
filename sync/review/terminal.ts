/**
 * The plan as text for a terminal (K5): counts by status, then one block per candidate; a changed
 * candidate lists every differing field as `field: old → new`. Colour only when the caller asks
 * (it passes `isTTY`): old values struck through in red, new values in green, as the manuals' screens.
 */
import { CANDIDATE_STATUSES, type Candidate, type CandidateStatus, type Plan } from '../plan.ts';
import { BLANK, displayWidth, padEnd, truncate, valueText, visibleControls } from './format.ts';

export interface TableOptions {
  /** ANSI colour; pass `process.stdout.isTTY`. */
  color: boolean;
  /** Only candidates with these statuses (default: all). */
  statuses?: CandidateStatus[];
  /** At most this many candidates are listed; the rest are counted. */
  limit?: number;
}

/** Longest value shown on a terminal line; the HTML page and plan.json carry the full value. */
const MAX_VALUE = 80;

const RESET = '\x1b[0m';
const STYLE = {
  old: '\x1b[9;31m',
  new: '\x1b[32m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  code: '\x1b[31m',
} as const;
const STATUS_STYLE: Record<CandidateStatus, string> = {
  new: '\x1b[1;32m',
  changed: '\x1b[1;33m',
  unchanged: '\x1b[2m',
  rejected: '\x1b[1;31m',
  excluded: '\x1b[1;36m',
  missing: '\x1b[1;35m',
};

function paint(color: boolean, style: string, s: string): string {
  return color ? `${style}${s}${RESET}` : s;
}

/** A value for one terminal line: control characters made visible, long values cut. */
function termValue(v: unknown): string {
  const t = valueText(v);
  return t === null ? BLANK : truncate(visibleControls(t), MAX_VALUE);
}

/** Header lines: plan identity and counts per status. */
export function renderPlanSummary(plan: Plan, opts: { color?: boolean } = {}): string {
  const color = opts.color ?? false;
  const head = [`plan ${plan.plan_id}`, `pipeline ${plan.pipeline}`];
  if (plan.direction) head.push(plan.direction);
  const meta = [`created ${plan.created_at}`, `config ${plan.config_hash.slice(0, 12)}`];
  if (plan.reference_date) meta.unshift(`reference date ${plan.reference_date}`);
  // `excluded` only when a plan has any: plans of pipelines that exclude nothing read as before.
  const counts = CANDIDATE_STATUSES.filter((s) => s !== 'excluded' || (plan.counts.excluded ?? 0) > 0).map((s) => {
    const n = plan.counts[s] ?? 0;
    return `${paint(color && n > 0, STATUS_STYLE[s], s)} ${n}`;
  });
  const total = CANDIDATE_STATUSES.reduce((a, s) => a + (plan.counts[s] ?? 0), 0);
  const unlisted = filteredNotListed(plan);
  const lines = [
    visibleControls(head.join(' · ')),
    visibleControls(meta.join(' · ')),
    `${counts.join('  ')}  (${total} candidates${unlisted ? `, ${unlisted} filtered out` : ''})`,
  ];
  const blank = plan.target_blank_keys?.count ?? 0;
  if (blank) lines.push(`⚠ ${blank} target record(s) have a blank key: not compared, never updated (listed on the review page and in the plan)`);
  return lines.join('\n');
}

/** Records filtered out but not listed as `excluded` candidates (plans saved before that status existed). */
export function filteredNotListed(plan: Plan): number {
  return Math.max(0, (plan.counts.filtered ?? 0) - (plan.counts.excluded ?? 0));
}

/** Summary, then one block per candidate of the chosen statuses, up to `limit`. */
export function renderPlanTable(plan: Plan, opts: TableOptions): string {
  const wanted = new Set(opts.statuses ?? CANDIDATE_STATUSES);
  const limit = opts.limit ?? Infinity;
  const shown = plan.candidates.filter((c) => wanted.has(c.status));
  const listed = shown.slice(0, Math.max(0, limit));
  const keyWidth = Math.min(24, Math.max(3, ...listed.map((c) => displayWidth(visibleControls(c.key)))));

  const lines = [renderPlanSummary(plan, { color: opts.color }), ''];
  for (const c of listed) lines.push(...candidateLines(c, keyWidth, opts.color));
  if (shown.length === 0) lines.push('(no candidates with the chosen statuses)');
  const more = shown.length - listed.length;
  if (more > 0) lines.push(`… and ${more} more (see the HTML review page or --out plan.json)`);
  return lines.join('\n');
}

function candidateLines(c: Candidate, keyWidth: number, color: boolean): string[] {
  const status = paint(color, STATUS_STYLE[c.status], padEnd(c.status.toUpperCase(), 9));
  const key = padEnd(truncate(visibleControls(c.key), 40), keyWidth);
  const origin = c.origin ? paint(color, STYLE.dim, visibleControls(c.origin)) : '';
  const label = c.label ? `${paint(color, STYLE.bold, truncate(visibleControls(c.label), 40))}  ` : '';
  const out = [`${status}  ${key}  ${label}${origin}`.trimEnd()];
  if (c.status === 'changed') {
    for (const ch of c.changes ?? []) {
      const oldV = paint(color, STYLE.old, termValue(ch.old));
      const newV = paint(color, STYLE.new, termValue(ch.new));
      out.push(`    ${visibleControls(ch.field)}: ${oldV} → ${newV}`);
    }
  } else if (c.status === 'rejected' || c.status === 'excluded') {
    const code = paint(color, STYLE.code, visibleControls(c.code ?? c.status.toUpperCase()));
    const stage = c.stage ? ` [${visibleControls(c.stage)}]` : '';
    out.push(`    ${code}${stage}: ${truncate(visibleControls(c.message ?? ''), 200)}`);
  }
  return out;
}
