/** `--kind` and `--status` filters of `renkei runs` and `renkei report`, checked against the known values. */
import { RUN_KINDS, RUN_STATUSES } from '../db/runs.ts';
import { UsageError } from './session.ts';

export const RUN_FILTER_OPTIONS = {
  kind: { type: 'string' },
  status: { type: 'string' },
} as const;

export const RUN_FILTER_HELP = `  --kind K       only these kinds, comma-separated: ${RUN_KINDS.join(', ')}
  --status S     only these statuses, comma-separated: ${RUN_STATUSES.join(', ')}`;

function list(flag: string, v: string | undefined, valid: readonly string[]): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((x) => !valid.includes(x));
  if (bad.length || items.length === 0) throw new UsageError(`--${flag}: unknown ${bad.join(', ') || '(empty)'}; valid: ${valid.join(', ')}`);
  return items;
}

export function runFilters(v: { kind?: string; status?: string }): { kinds?: string[]; statuses?: string[] } {
  return { kinds: list('kind', v.kind, RUN_KINDS), statuses: list('status', v.status, RUN_STATUSES) };
}
