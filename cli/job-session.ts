/** What the job commands share: the state database and a pg-boss handle for control (no worker). */
import type PgBoss from 'pg-boss';
import type { CommandIO } from './command.ts';
import { openSession, type Session } from './session.ts';
import { openBoss, queueTimings } from '../jobs/queue.ts';
import { ensureLedger } from '../jobs/ledger.ts';
import { ensureRunsTable } from '../db/runs.ts';

export async function withBoss<T>(io: CommandIO, flags: Parameters<typeof openSession>[1], fn: (boss: PgBoss, s: Session, pool: import('pg').Pool) => Promise<T>): Promise<T> {
  const s = openSession(io, flags);
  let boss: PgBoss | undefined;
  try {
    const db = await s.db();
    await ensureRunsTable(db.pool);
    await ensureLedger(db.pool);
    boss = await openBoss(db.url, 'control', queueTimings(io.env), (e) => s.logger.warn({ err: e.message }, 'job queue error'));
    return await fn(boss, s, db.pool);
  } finally {
    await boss?.stop({ graceful: false, timeout: 1000 }).catch(() => {});
    await s.close();
  }
}
