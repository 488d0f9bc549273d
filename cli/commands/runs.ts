import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { LOG_HELP, LOG_OPTIONS, parseLimit, withRunTable } from '../session.ts';
import { listRuns } from '../../db/runs.ts';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'List the latest runs from the run table',
  help: `Usage: renkei runs [--limit N] [--pipeline NAME] [--json]

Lists runs recorded in renkei_runs (DATABASE_URL, or the embedded server in ./.renkei), newest first.

Options:
  --limit N          how many (default 10)
  --pipeline NAME    only this pipeline
  --json             one JSON object per line instead of a table
${LOG_HELP}`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { limit: { type: 'string', default: '10' }, pipeline: { type: 'string' }, json: { type: 'boolean', default: false }, ...LOG_OPTIONS } });
    const limit = parseLimit(values.limit);
    return withRunTable(io, values, async (pool) => {
      const rows = await listRuns(pool, { limit, pipeline: values.pipeline });
      if (values.json) { for (const r of rows) io.stdout.write(JSON.stringify(r) + '\n'); return 0; }
      if (rows.length === 0) { io.stdout.write('no runs recorded yet\n'); return 0; }
      const table = rows.map((r) => {
        const c = r.counts;
        return [r.id, r.pipeline, r.status + (r.dry_run ? ' (dry)' : ''), r.started_at.toISOString().replace('T', ' ').slice(0, 19),
          r.finished_at ? `${((r.finished_at.getTime() - r.started_at.getTime()) / 1000).toFixed(1)}s` : '',
          c ? String(c.read) : '', c ? String(c.written) : '', c ? String(c.unchanged) : '', c ? String(c.filtered) : '', c ? String(c.rejected) : '',
          r.message ?? ''];
      });
      const head = ['run', 'pipeline', 'status', 'started (UTC)', 'took', 'read', 'written', 'unchanged', 'filtered', 'rejected', 'message'];
      const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
      const line = (r: string[]) => r.map((c, i) => (i >= 5 && i <= 9 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
      io.stdout.write([line(head), ...table.map(line)].join('\n') + '\n');
      return 0;
    });
  },
};
