/**
 * Plan (K4/K5): run a pipeline up to its sinks without writing, and turn what would happen into
 * candidates — new, changed (old → new per field), unchanged, rejected, excluded (filtered out by a
 * rule, listed with its reason code), missing in source.
 */
import path from 'node:path';
import { Drop, type Rec } from '../engine/types.ts';
import { dropKey, keyOf } from '../engine/keys.ts';
import { runPipeline, type RunPipelineOptions } from '../engine/runner.ts';
import type { RunReport } from '../engine/report.ts';
import type { BlankKeyTargets, Candidate, Plan, PlanCounts } from './plan.ts';
import { getter } from '../transforms/lib/fields.ts';
import { labelText } from '../transforms/diff.ts';
import type { LoadedPipeline } from '../config/load.ts';
import { setStatusCounts } from '../db/runs.ts';
import { configLeaves } from './config-leaves.ts';

export type PlanRunOptions = Omit<RunPipelineOptions, 'collect' | 'source' | 'transforms' | 'kind' | 'dryRun'>;

/** The diff stage's config, when the pipeline has one (key names on the target side, compared fields). */
export function diffConfig(loaded: LoadedPipeline): { key: string[]; fields: string[]; target_fields: Record<string, string>; label?: string[] } | undefined {
  return loaded.config.transforms.find((t) => t.type === 'diff') as never;
}

export async function makePlan(loaded: LoadedPipeline, opts: PlanRunOptions): Promise<{ plan: Plan; report: RunReport }> {
  const { config } = loaded;
  const key = config.key;
  const diff = diffConfig(loaded);
  // Target-only records carry the target's field names.
  const targetKey = key.map((k) => diff?.target_fields?.[k] ?? k);
  const labelFields = diff?.label ?? [];
  const labelGets = labelFields.map(getter);
  const labelGetsT = labelFields.map((f) => getter(diff?.target_fields?.[f] ?? f));
  /** Adds the label (when there is one) to a candidate; missing records carry target field names. */
  const push = (c: Candidate, data: Rec['data'] | string | undefined) => {
    if (labelGets.length && data && typeof data === 'object') {
      const label = labelText(c.status === 'missing' ? labelGetsT : labelGets, data);
      if (label !== undefined) c.label = label;
    }
    candidates.push(c);
  };
  const candidates: Candidate[] = [];
  const counts: PlanCounts = { new: 0, changed: 0, unchanged: 0, rejected: 0, excluded: 0, missing: 0, filtered: 0 };
  const collect = (item: Rec | Drop) => {
    if (item instanceof Drop) {
      const data = typeof item.data === 'object' ? item.data : undefined;
      if (item.kind === 'unchanged') {
        counts.unchanged++;
        push({ key: keyOf(data, key), status: 'unchanged', origin: item.origin }, data);
      } else if (item.kind === 'rejected') {
        counts.rejected++;
        push({ key: dropKey(item, key), status: 'rejected', origin: item.origin, code: item.code, message: item.message, stage: item.stage }, data);
      } else if (item.code === 'MISSING_IN_SOURCE') {
        counts.missing++;
        push({ key: keyOf(data, targetKey), status: 'missing', message: item.message, record: data }, data);
      } else {
        counts.filtered++;
        // A record a stage excluded and marked listed (opted out, no match, a dropped duplicate …) is a
        // candidate with its key and reason (issue 10 item 5); other filtered records are only counted.
        if ((item as { listed?: boolean }).listed !== true) return;
        counts.excluded++;
        push({ key: keyOf(data, key), status: 'excluded', origin: item.origin, code: item.code, message: item.message, stage: item.stage }, data);
      }
      return;
    }
    const status = item.meta?.status ?? 'new';
    counts[status]++;
    const c: Candidate = { key: keyOf(item.data, key), status, origin: item.origin, record: item.data };
    if (item.meta?.changes) c.changes = item.meta.changes;
    if (item.meta?.target) c.target = item.meta.target;
    if (item.meta?.target_hash) c.target_hash = item.meta.target_hash;
    push(c, item.data);
  };
  const report = await runPipeline(loaded, { ...opts, collect, kind: 'plan', meta: { direction: config.description, ...opts.meta, pipelineFile: path.resolve(loaded.file), overrides: loaded.overrides, params: loaded.paramArgs } });
  const f = report.facts;
  const plan: Plan = {
    version: 1,
    plan_id: report.run_id,
    pipeline: config.name,
    pipeline_file: path.resolve(loaded.file),
    overrides: loaded.overrides,
    params: loaded.paramArgs,
    direction: opts.meta?.direction ?? config.description,
    config_hash: loaded.hash,
    config_leaves: configLeaves(loaded.config, loaded.secrets),
    created_at: report.started_at,
    reference_date: (f.reference_date as string | undefined) ?? null,
    target_fingerprint: (f.target_fingerprint as string | undefined) ?? '',
    target_records: (f.target_records as number | undefined) ?? null,
    source_records: report.counts.read,
    counts,
    candidates,
  };
  if (labelFields.length) plan.label_fields = labelFields;
  const blank = f.target_blank_keys as BlankKeyTargets | undefined;
  if (blank?.count) plan.target_blank_keys = blank;
  if (opts.recordRun ?? true) await setStatusCounts((await opts.db()).pool, report.run_id, { ...counts }, plan.reference_date);
  return { plan, report };
}
