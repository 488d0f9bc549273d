import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError, LOG_HELP, LOG_OPTIONS, numberOption, openSession } from '../session.ts';
import { Worker } from '../../jobs/worker.ts';
import { queueTimings } from '../../jobs/queue.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run queued jobs (scheduled and enqueued tenant runs) until SIGTERM',
  help: `Usage: renkei worker [--concurrency N] [--drain-seconds S] [options]

Takes jobs from the queue in the state database (DATABASE_URL: the same PostgreSQL for every worker,
on any number of machines) and runs them, N at a time, and fires the cron schedules (renkei schedule).
Each job reads the tenants file again at its path and resolves the company's tokens from this
process's environment or secret files: every machine needs the file and the variables.

Per job: one run per company and pipeline at a time; jobs using the same connection token run one
after the other across all workers (so each token's rate limit holds); a KING OF TIME job never
starts inside closed hours (K9) but is deferred to the window's end; transient failures are retried
with backoff, terminal ones (configuration, 401, an expired linkage, a guard refusal) fail at once.
Every log line carries tenant, pipeline, run_id and job_id.

Stopping: SIGTERM or SIGINT takes no new job and lets the current ones finish for --drain-seconds,
then interrupts them (runs recorded interrupted, jobs handed back to the queue for another worker);
a second signal interrupts at once. A worker killed outright (SIGKILL, power loss) loses its jobs'
leases: they are retried elsewhere after RENKEI_JOB_LEASE_SECONDS and its runs recorded abandoned.

Options:
  --concurrency N     jobs at a time in this process (default 2)
  --drain-seconds S   how long a stop waits for current jobs (default 300)
${LOG_HELP}

Environment: RENKEI_JOB_LEASE_SECONDS (default 3600: longer than your longest run),
RENKEI_JOB_RETRIES (3), RENKEI_JOB_RETRY_DELAY_SECONDS (60, doubled each retry),
RENKEI_JOB_MAINTENANCE_SECONDS (60: how often expired leases are looked for), RENKEI_JOB_POLL_SECONDS (2).

Exit codes: 0 stopped by a signal after draining, 1 could not start.`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { concurrency: { type: 'string' }, 'drain-seconds': { type: 'string' }, ...LOG_OPTIONS } });
    if (positionals.length) throw new UsageError(`worker takes no arguments (got ${positionals.join(' ')}); the tenants file travels with each job`);
    const concurrency = numberOption('concurrency', values.concurrency, 1, 64) ?? 2;
    const drain = numberOption('drain-seconds', values['drain-seconds'], 0, 86_400) ?? 300;
    const s = openSession(io, values);
    const db = await s.db();
    const worker = new Worker({ db, logger: s.logger, secrets: s.secrets, env: io.env, home: s.home, errorsDir: s.errorsDir, concurrency, timings: queueTimings(io.env), drainMs: drain * 1000 });
    let signals = 0;
    let stopped: Promise<void> | undefined;
    let on: ((sig: NodeJS.Signals) => void) | undefined;
    const done = new Promise<void>((resolve) => {
      on = (sig: NodeJS.Signals) => {
        signals++;
        io.stderr.write(signals === 1 ? `renkei worker: ${sig}: taking no new job; finishing the ${worker.activeJobs} current one(s) (up to ${drain} s)\n` : `renkei worker: ${sig} again: interrupting the current jobs\n`);
        const p = worker.stop({ now: signals > 1 });
        stopped ??= p;
        p.then(resolve, resolve);
      };
      process.on('SIGTERM', on);
      process.on('SIGINT', on);
    });
    try {
      await worker.start();
      io.stderr.write(`renkei worker ${worker.id}: running jobs (concurrency ${concurrency}); SIGTERM to drain and stop\n`);
      await done;
      await stopped;
      return 0;
    } finally {
      process.off('SIGTERM', on!);
      process.off('SIGINT', on!);
      await s.close();
    }
  },
};
