/**
 * A pipeline config as fingerprints of its leaves (`source.base_url` → a short hash of the value,
 * secrets scrubbed first): a plan keeps them, so an apply refused because the config changed can name
 * what changed — often a variable such as SMARTHR_URL, not the pipeline file itself.
 */
import crypto from 'node:crypto';
import { scrub } from '../engine/logger.ts';

function leaves(v: unknown, at: string, out: Record<string, string>, secrets: Set<string>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, at ? `${at}.${k}` : k, out, secrets);
    return;
  }
  if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
    v.forEach((x, i) => leaves(x, `${at}[${i}]`, out, secrets));
    return;
  }
  out[at] = crypto.createHash('sha256').update(scrub(JSON.stringify(v) ?? 'undefined', secrets)).digest('hex').slice(0, 12);
}

export function configLeaves(config: unknown, secrets: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  leaves(config, '', out, secrets);
  return out;
}

/** The config paths whose values differ (added or removed included), sorted. */
export function changedPaths(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
