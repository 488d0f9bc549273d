import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError, LOG_HELP, LOG_OPTIONS, numberOption, openSession } from '../session.ts';
import { jobsStatus, renderStatus } from '../../jobs/status.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Jobs queued, active, done and failed per pipeline; latest failures; live workers',
  help: `Usage: renkei status [--json] [--failures N]

Shows the job queue of the state database (DATABASE_URL): per pipeline the jobs queued, deferred
(KING OF TIME closed hours, K9), active, waiting to be retried, completed and failed; the latest
failures with company, outcome (failed, refused by a guard, retrying, abandoned by a worker that
died, handed back by a stopped worker), run id and message; and the workers seen in the last 2 minutes.

Options:
  --json          the same as JSON, for monitoring
  --failures N    failures listed (default 10)
${LOG_HELP}`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, failures: { type: 'string' }, ...LOG_OPTIONS } });
    if (positionals.length) throw new UsageError(`status takes no arguments (got ${positionals.join(' ')})`);
    const failures = numberOption('failures', values.failures, 0, 1000) ?? 10;
    const s = openSession(io, values);
    try {
      const db = await s.db();
      const st = await jobsStatus(db.pool, { failures, workersSeenSeconds: 120 });
      io.stdout.write(values.json ? JSON.stringify(st, null, 2) + '\n' : renderStatus(st));
      return 0;
    } finally {
      await s.close();
    }
  },
};
