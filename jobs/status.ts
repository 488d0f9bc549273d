/** `renkei status`: jobs per pipeline and state, the latest failures, and the workers seen recently. */
import type pg from 'pg';
import { BOSS_SCHEMA, RUN_QUEUE } from './queue.ts';

export interface JobsStatus {
  pipelines: Array<{ pipeline: string; queued: number; deferred: number; active: number; retry: number; completed: number; failed: number; cancelled: number }>;
  failures: Array<{ job_id: string; tenant: string; pipeline: string; outcome: string; code: string | null; message: string | null; run_ids: string[]; finished_at: string }>;
  workers: Array<{ id: string; host: string; pid: number; concurrency: number; active: number; seen_at: string; stopped: boolean }>;
}

export async function jobsStatus(pool: pg.Pool, o: { failures: number; workersSeenSeconds: number }): Promise<JobsStatus> {
  const exists = async (t: string) => (await pool.query<{ r: string | null }>('SELECT to_regclass($1) AS r', [t])).rows[0].r !== null;
  const out: JobsStatus = { pipelines: [], failures: [], workers: [] };
  if (await exists(`${BOSS_SCHEMA}.job`)) {
    const r = await pool.query<{ pipeline: string; state: string; deferred: boolean; n: number }>(
      `SELECT data->>'pipeline' AS pipeline, state::text, (state = 'created' AND start_after > now()) AS deferred, count(*)::int AS n
         FROM ${BOSS_SCHEMA}.job WHERE name = $1 GROUP BY 1, 2, 3 ORDER BY 1`, [RUN_QUEUE]);
    const by = new Map<string, JobsStatus['pipelines'][number]>();
    for (const row of r.rows) {
      const p = by.get(row.pipeline) ?? { pipeline: row.pipeline, queued: 0, deferred: 0, active: 0, retry: 0, completed: 0, failed: 0, cancelled: 0 };
      if (row.state === 'created') p[row.deferred ? 'deferred' : 'queued'] += row.n;
      else if (row.state in p) (p as unknown as Record<string, number>)[row.state] += row.n;
      by.set(row.pipeline, p);
    }
    out.pipelines = [...by.values()];
  }
  if (await exists('renkei_job_attempts')) {
    out.failures = (await pool.query(
      `SELECT job_id, tenant, pipeline, outcome, code, message, run_ids, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at
         FROM renkei_job_attempts WHERE outcome IN ('failed', 'refused', 'retrying', 'abandoned', 'handed_back')
        ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT $1`, [o.failures])).rows;
    out.workers = (await pool.query(
      `SELECT id, host, pid, concurrency, active, to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS seen_at, stopped_at IS NOT NULL AS stopped
         FROM renkei_workers WHERE seen_at > now() - make_interval(secs => $1) ORDER BY seen_at DESC`, [o.workersSeenSeconds])).rows;
  }
  return out;
}

export function renderStatus(s: JobsStatus): string {
  const lines: string[] = [];
  if (!s.pipelines.length) lines.push('no jobs (renkei enqueue TENANTS, or renkei schedule TENANTS)');
  else {
    lines.push('pipeline                          queued deferred active  retry completed failed');
    for (const p of s.pipelines) lines.push(`${p.pipeline.padEnd(32)} ${[p.queued, p.deferred, p.active, p.retry, p.completed, p.failed].map((n, i) => String(n).padStart([7, 8, 6, 6, 9, 6][i])).join(' ')}`);
  }
  if (s.failures.length) {
    lines.push('', 'latest failures:');
    for (const f of s.failures) lines.push(`  ${f.finished_at ?? '(running)'}  ${f.tenant} ${f.pipeline}  ${f.outcome}${f.code ? ` ${f.code}` : ''}  run ${f.run_ids.at(-1) ?? '-'}  job ${f.job_id}\n    ${(f.message ?? '').split('\n')[0]}`);
  }
  lines.push('', s.workers.length ? 'workers seen recently:' : 'no worker seen recently');
  for (const w of s.workers) lines.push(`  ${w.id}  concurrency ${w.concurrency}, ${w.active} active, seen ${w.seen_at}${w.stopped ? ' (stopped)' : ''}`);
  return lines.join('\n') + '\n';
}
