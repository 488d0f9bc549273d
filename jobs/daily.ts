/**
 * The daily summary of the jobs: per company, how its jobs of the last hours ended — succeeded,
 * failed, refused (a guard), skipped (deferred by closed hours) or still pending (waiting for a
 * retry) — by the latest attempt of each job. `renkei status --daily` prints it and can post it to a
 * webhook (signed like the run.finished one).
 */
import type pg from 'pg';

export interface DailyRow { tenant: string; succeeded: number; failed: number; refused: number; skipped: number; pending: number }
export interface DailySummary { event: 'jobs.daily'; since: string; until: string; tenants: DailyRow[]; totals: Omit<DailyRow, 'tenant'> }

const BUCKET: Record<string, keyof Omit<DailyRow, 'tenant'>> = { succeeded: 'succeeded', failed: 'failed', refused: 'refused', deferred: 'skipped' };

export async function dailySummary(pool: pg.Pool, hours: number): Promise<DailySummary> {
  const r = await pool.query<{ tenant: string; outcome: string; n: number; since: Date; until: Date }>(
    `WITH latest AS (
       SELECT DISTINCT ON (job_id) job_id, tenant, outcome FROM renkei_job_attempts
        WHERE started_at > now() - make_interval(hours => $1) ORDER BY job_id, id DESC)
     SELECT tenant, outcome, count(*)::int AS n FROM latest GROUP BY 1, 2 ORDER BY 1, 2`, [hours]);
  const by = new Map<string, DailyRow>();
  const totals = { succeeded: 0, failed: 0, refused: 0, skipped: 0, pending: 0 };
  for (const row of r.rows) {
    const t = by.get(row.tenant) ?? { tenant: row.tenant, succeeded: 0, failed: 0, refused: 0, skipped: 0, pending: 0 };
    const b = BUCKET[row.outcome] ?? 'pending';
    t[b] += row.n;
    totals[b] += row.n;
    by.set(row.tenant, t);
  }
  const until = new Date();
  return { event: 'jobs.daily', since: new Date(until.getTime() - hours * 3600_000).toISOString(), until: until.toISOString(), tenants: [...by.values()], totals };
}

export function renderDaily(d: DailySummary): string {
  const head = `jobs from ${d.since} to ${d.until}\ntenant                 succeeded  failed refused skipped pending`;
  const line = (name: string, x: Omit<DailyRow, 'tenant'>) => `${name.padEnd(22)} ${[x.succeeded, x.failed, x.refused, x.skipped, x.pending].map((n, i) => String(n).padStart([9, 7, 7, 7, 7][i])).join(' ')}`;
  return [head, ...d.tenants.map((t) => line(t.tenant, t)), line('(all)', d.totals)].join('\n') + '\n';
}
