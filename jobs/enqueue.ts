/** Queue runs now: one job per (tenant, pipeline) of a tenants file, optionally narrowed to one of each. */
import type PgBoss from 'pg-boss';
import type { TenantsFile } from '../config/tenants.ts';
import { ConfigError } from '../engine/errors.ts';
import { didYouMean } from '../config/suggest.ts';
import { sendRun } from './queue.ts';

export interface Enqueued { queued: Array<{ tenant: string; pipeline: string; job_id: string }>; already: Array<{ tenant: string; pipeline: string }> }

export async function enqueueTenants(boss: PgBoss, tf: TenantsFile, o: { tenant?: string; pipeline?: string; origin: string; tenantIds?: readonly string[] }): Promise<Enqueued> {
  const ids = tf.tenants.map((t) => t.id);
  if (o.tenant && !ids.includes(o.tenant)) throw new ConfigError(`${tf.file}: no tenant ${o.tenant}${didYouMean(o.tenant, ids)}`);
  const tenants = tf.tenants.filter((t) => t.enabled && (!o.tenant || t.id === o.tenant) && (!o.tenantIds || o.tenantIds.includes(t.id)));
  const all = [...new Set(tenants.flatMap((t) => t.pipelines.map((p) => p.id)))];
  if (o.pipeline && !all.includes(o.pipeline)) throw new ConfigError(`${tf.file}: no pipeline ${o.pipeline} for ${o.tenant ?? 'any tenant'}${didYouMean(o.pipeline, all)}; listed: ${all.join(', ')}`);
  const out: Enqueued = { queued: [], already: [] };
  for (const t of tenants) {
    for (const p of t.pipelines) {
      if (o.pipeline && p.id !== o.pipeline) continue;
      const id = await sendRun(boss, { tenants_file: tf.file, tenant: t.id, pipeline: p.id, origin: o.origin });
      if (id) out.queued.push({ tenant: t.id, pipeline: p.id, job_id: id });
      else out.already.push({ tenant: t.id, pipeline: p.id });
    }
  }
  return out;
}
