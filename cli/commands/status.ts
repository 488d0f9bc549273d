import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError, LOG_HELP, LOG_OPTIONS, numberOption, openSession } from '../session.ts';
import { jobsStatus, renderStatus } from '../../jobs/status.ts';
import { dailySummary, renderDaily } from '../../jobs/daily.ts';
import { ensureLedger } from '../../jobs/ledger.ts';
import { notifyEvent, notifySchema } from '../../engine/notify.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Jobs queued, active, done and failed per pipeline; latest failures; live workers',
  help: `Usage: renkei status [--json] [--failures N]
       renkei status --daily [--hours H] [--json] [--webhook URL]

Shows the job queue of the state database (DATABASE_URL): per pipeline the jobs queued, deferred
(KING OF TIME closed hours, K9, or a run of the same company still active), active, waiting to be
retried, completed (last 24 hours) and failed (last 7 days); the latest
failures with company, outcome (failed, refused by a guard, retrying, abandoned by a worker that
died, handed back by a stopped worker), run id and message; and the workers seen in the last 2 minutes.

With --daily: per company, how its jobs of the last H hours (default 24) ended — succeeded, failed,
refused by a guard, skipped (closed hours) or pending (a retry to come) — by each job's latest
attempt; --webhook posts it as JSON (event jobs.daily), signed with RENKEI_WEBHOOK_SECRET when set
(X-Renkei-Signature, as the run.finished webhook). Run it from cron each morning.

Options:
  --json          the same as JSON, for monitoring
  --failures N    failures listed (default 10)
  --daily         the daily summary per company
  --hours H       the summary's window (default 24)
  --webhook URL   also POST the daily summary there
${LOG_HELP}`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, failures: { type: 'string' }, daily: { type: 'boolean', default: false }, hours: { type: 'string' }, webhook: { type: 'string' }, ...LOG_OPTIONS } });
    if (positionals.length) throw new UsageError(`status takes no arguments (got ${positionals.join(' ')})`);
    const failures = numberOption('failures', values.failures, 0, 1000) ?? 10;
    if (!values.daily && (values.hours !== undefined || values.webhook !== undefined)) throw new UsageError('--hours and --webhook go with --daily');
    const hours = numberOption('hours', values.hours, 1, 24 * 31) ?? 24;
    const notify = values.webhook === undefined ? undefined : notifySchema.safeParse({ webhook_url: values.webhook, secret: io.env.RENKEI_WEBHOOK_SECRET || undefined });
    if (notify && !notify.success) throw new UsageError(`--webhook: ${notify.error.issues[0].message}`);
    const s = openSession(io, values);
    try {
      const db = await s.db();
      if (values.daily) {
        await ensureLedger(db.pool);
        const d = await dailySummary(db.pool, hours);
        io.stdout.write(values.json ? JSON.stringify(d, null, 2) + '\n' : renderDaily(d));
        if (notify?.success) {
          const r = await notifyEvent('jobs.daily', d as unknown as Record<string, unknown>, notify.data, s.logger);
          if (!r.delivered) { io.stderr.write(`renkei status: the daily summary webhook was not delivered (status ${r.status ?? 'none'} after ${r.attempts} attempt(s))\n`); return 1; }
        }
        return 0;
      }
      const st = await jobsStatus(db.pool, { failures, workersSeenSeconds: 120 });
      io.stdout.write(values.json ? JSON.stringify(st, null, 2) + '\n' : renderStatus(st));
      return 0;
    } finally {
      await s.close();
    }
  },
};
