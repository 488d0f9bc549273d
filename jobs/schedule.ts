/**
 * Cron schedules. pg-boss 10 keeps one schedule per queue, so tenants are grouped by their
 * (cron, time zone): each group is a small queue `renkei-cron-<file>-<group>` whose schedule fires a
 * tick; a worker takes the tick and queues a run per tenant and pipeline of the group (the run queue
 * keeps one queued run per tenant and pipeline, so a late tick never piles up runs).
 * `syncSchedules` is idempotent: groups of the file that no longer exist are unscheduled and removed.
 */
import crypto from 'node:crypto';
import type PgBoss from 'pg-boss';
import { loadTenants, type TenantsFile } from '../config/tenants.ts';
import { enqueueTenants, type Enqueued } from './enqueue.ts';

export const CRON_PREFIX = 'renkei-cron-';

export interface TickData { tenants_file: string; cron: string; time_zone: string; tenants: string[] }

const short = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 10);
const fileTag = (file: string) => `${CRON_PREFIX}${short(file)}-`;

export interface Synced { scheduled: Array<{ queue: string; cron: string; time_zone: string; tenants: string[] }>; removed: string[] }

export async function syncSchedules(boss: PgBoss, tf: TenantsFile): Promise<Synced> {
  const groups = new Map<string, TickData>();
  for (const t of tf.tenants) {
    if (!t.enabled || !t.schedule) continue;
    const k = `${t.schedule.cron}\n${t.schedule.time_zone}`;
    const g = groups.get(k) ?? { tenants_file: tf.file, cron: t.schedule.cron, time_zone: t.schedule.time_zone, tenants: [] };
    g.tenants.push(t.id);
    groups.set(k, g);
  }
  const tag = fileTag(tf.file);
  const out: Synced = { scheduled: [], removed: [] };
  const wanted = new Set<string>();
  for (const [k, g] of groups) {
    const queue = tag + short(k);
    wanted.add(queue);
    if (!(await boss.getQueue(queue))) await boss.createQueue(queue, { name: queue, policy: 'short', retryLimit: 2, expireInSeconds: 300 });
    await boss.schedule(queue, g.cron, g as unknown as object, { tz: g.time_zone });
    out.scheduled.push({ queue, cron: g.cron, time_zone: g.time_zone, tenants: g.tenants });
  }
  for (const s of await boss.getSchedules()) {
    if (s.name.startsWith(tag) && !wanted.has(s.name)) {
      await boss.unschedule(s.name);
      await boss.deleteQueue(s.name);
      out.removed.push(s.name);
    }
  }
  return out;
}

/** The cron queues a worker takes ticks from (every tenants file's). */
export async function cronQueues(boss: PgBoss): Promise<string[]> {
  return (await boss.getSchedules()).map((s) => s.name).filter((n) => n.startsWith(CRON_PREFIX));
}

/** A tick: queue the group's runs, as the tenants file says now (a tenant removed since is skipped). */
export async function fireTick(boss: PgBoss, d: TickData): Promise<Enqueued> {
  const tf = loadTenants(d.tenants_file);
  const still = tf.tenants.filter((t) => t.schedule?.cron === d.cron && t.schedule.time_zone === d.time_zone).map((t) => t.id);
  return enqueueTenants(boss, tf, { origin: `schedule:${d.cron} ${d.time_zone}`, tenantIds: d.tenants.filter((id) => still.includes(id)) });
}

export type { TenantsFile };
