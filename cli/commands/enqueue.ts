import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError, LOG_HELP, LOG_OPTIONS } from '../session.ts';
import { loadTenants } from '../../config/tenants.ts';
import { enqueueTenants } from '../../jobs/enqueue.ts';
import { withBoss } from '../job-session.ts';
import { defaultStartedBy } from '../../engine/run-recorder.ts';

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: 'Queue runs of a tenants file now, for the workers',
  help: `Usage: renkei enqueue TENANTS [--tenant ID] [--pipeline ID] [options]

Queues one job per company and pipeline of the tenants file in the state database (DATABASE_URL);
workers (renkei worker) run them. A company and pipeline that already has a queued run gets no
second one (it is listed as already queued). Jobs hold names only, never a token.

Options:
  --tenant ID      only this company
  --pipeline ID    only this pipeline (its id, by default the file name without .yaml)
  --json           print the queued jobs as JSON
${LOG_HELP}

Exit codes: 0 queued, 2 a problem in the tenants file or an unknown tenant or pipeline.`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { tenant: { type: 'string' }, pipeline: { type: 'string' }, json: { type: 'boolean', default: false }, ...LOG_OPTIONS } });
    if (positionals.length !== 1) throw new UsageError('expected exactly one tenants file');
    const tf = loadTenants(path.resolve(io.cwd, positionals[0]));
    return withBoss(io, values, async (boss) => {
      const r = await enqueueTenants(boss, tf, { tenant: values.tenant, pipeline: values.pipeline, origin: `enqueue:${defaultStartedBy(io.env)}` });
      if (values.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        io.stdout.write(`queued ${r.queued.length} run(s)${r.already.length ? `; ${r.already.length} already queued` : ''}\n`);
        for (const a of r.already) io.stdout.write(`  already queued: ${a.tenant} ${a.pipeline}\n`);
      }
      return 0;
    });
  },
};
