import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { LOG_HELP, LOG_OPTIONS, parseLimit, withRunTable } from '../session.ts';
import { listRuns } from '../../db/runs.ts';
import { writtenOf } from '../../engine/report.ts';
import { RUN_FILTER_HELP, RUN_FILTER_OPTIONS, runFilters } from '../run-filters.ts';
import { plannedRow } from './report.ts';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'List the latest runs from the run table',
  help: `Usage: renkei runs [--limit N] [--pipeline NAME] [--kind K] [--status S] [--json]

Lists runs recorded in renkei_runs (DATABASE_URL, or the embedded server in the state home), newest
first, with their kind (run, plan, apply, dry-run) and status (running, succeeded, failed,
interrupted, abandoned). Plans and dry runs wrote nothing: their count is "would write" (shown as ~N).
A run whose process died is marked abandoned here, the first time a command looks.

Options:
  --limit N          how many (default 10)
  --pipeline NAME    only this pipeline
${RUN_FILTER_HELP}
  --json             one JSON object per line instead of a table
${LOG_HELP}`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { limit: { type: 'string', default: '10' }, pipeline: { type: 'string' }, json: { type: 'boolean', default: false }, ...RUN_FILTER_OPTIONS, ...LOG_OPTIONS } });
    const limit = parseLimit(values.limit);
    const filters = runFilters(values);
    return withRunTable(io, values, async (pool) => {
      const rows = await listRuns(pool, { limit, pipeline: values.pipeline, ...filters });
      if (values.json) { for (const r of rows) io.stdout.write(JSON.stringify(r) + '\n'); return 0; }
      if (rows.length === 0) {
        const filter = [values.pipeline && `pipeline ${values.pipeline}`, values.kind && `kind ${values.kind}`, values.status && `status ${values.status}`].filter(Boolean).join(', ');
        io.stdout.write(filter ? `no runs match ${filter}\n` : 'no runs recorded yet\n');
        return 0;
      }
      const table = rows.map((r) => {
        const c = r.counts;
        const written = c ? (plannedRow(r) ? `~${writtenOf(c)}` : String(writtenOf(c))) : '';
        return [r.id, r.kind, r.pipeline, r.status, r.started_at.toISOString().replace('T', ' ').slice(0, 19),
          r.finished_at ? `${((r.finished_at.getTime() - r.started_at.getTime()) / 1000).toFixed(1)}s` : '',
          c ? String(c.read) : '', written, c ? String(c.unchanged) : '', c ? String(c.filtered) : '', c ? String(c.rejected) : '',
          r.message ?? ''];
      });
      const head = ['run', 'kind', 'pipeline', 'status', 'started (UTC)', 'took', 'read', 'written', 'unchanged', 'filtered', 'rejected', 'message'];
      const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
      const line = (r: string[]) => r.map((c, i) => (i >= 6 && i <= 10 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
      io.stdout.write([line(head), ...table.map(line)].join('\n') + '\n');
      if (rows.some(plannedRow)) io.stdout.write('~N: would write N (a plan or dry run writes nothing)\n');
      return 0;
    });
  },
};
