import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError, LOG_HELP, LOG_OPTIONS } from '../session.ts';
import { loadTenants } from '../../config/tenants.ts';
import { syncSchedules } from '../../jobs/schedule.ts';
import { withBoss } from '../job-session.ts';

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'Register the cron schedules of a tenants file (idempotent)',
  help: `Usage: renkei schedule TENANTS [options]

Registers or updates the cron schedule of every company in the tenants file (schedule.cron, in
schedule.time_zone, Asia/Tokyo by default) in the job queue of the state database (DATABASE_URL).
Running it again with an edited file updates the schedules; the schedules of companies removed from
the file are removed. A running worker (renkei worker) fires them: each firing queues one run per
company and pipeline, and never a second while one is still queued.

The tenants file is read again when each job runs: keep it at the same absolute path on every
worker machine. Its JSON Schema: renkei schema --tenants.

Options:
${LOG_HELP}

Exit codes: 0 scheduled, 2 a problem in the tenants file (file:line and key path).`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { ...LOG_OPTIONS } });
    if (positionals.length !== 1) throw new UsageError('expected exactly one tenants file');
    const tf = loadTenants(path.resolve(io.cwd, positionals[0]));
    return withBoss(io, values, async (boss) => {
      const r = await syncSchedules(boss, tf);
      for (const s of r.scheduled) io.stdout.write(`scheduled ${s.cron} (${s.time_zone}): ${s.tenants.join(', ')}\n`);
      if (r.removed.length) io.stdout.write(`removed ${r.removed.length} schedule(s) no company of ${tf.file} uses any more\n`);
      if (!r.scheduled.length) io.stdout.write(`no company of ${tf.file} has a schedule\n`);
      return 0;
    });
  },
};
