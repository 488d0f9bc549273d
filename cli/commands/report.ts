import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { appliedPlanIds, listRuns, runErrors, type RunRow } from '../../db/runs.ts';
import { writtenOf } from '../../engine/report.ts';
import { LOG_HELP, LOG_OPTIONS, UsageError, parseLimit, withRunTable } from '../session.ts';
import { RUN_FILTER_HELP, RUN_FILTER_OPTIONS, runFilters } from '../run-filters.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Sync reports: the latest plans, applies and runs with counts and errors (K10)',
  help: `Usage: renkei report [--pipeline P] [--kind K] [--status S] [--limit N] [--time-zone TZ] [--json]
       renkei report RUN [--time-zone TZ] [--json]

Without RUN: the latest reports (default 10), newest first: when, what kind (run, plan, apply,
dry-run), pipeline and direction, who or what started it, the reference date, status and counts that
add up (read = written + unchanged + filtered + rejected; plans and dry runs say "would write"),
and counts by candidate status. A plan no apply has used yet is shown as waiting to sync (同期待ち).
With RUN: that report in full, with its per-record errors (key, code, message).

Options:
  --pipeline P   only this pipeline
${RUN_FILTER_HELP}
  --limit N      how many (default 10)
  --time-zone TZ the time zone times are shown in (default Asia/Tokyo, or RENKEI_TIME_ZONE)
  --json         one JSON object per line (with waiting_to_sync for plans)
${LOG_HELP}`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { pipeline: { type: 'string' }, limit: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, 'time-zone': { type: 'string' }, ...RUN_FILTER_OPTIONS, ...LOG_OPTIONS } });
    const filters = runFilters(values);
    if (positionals.length > 1) throw new UsageError('expected at most one run id');
    const limit = parseLimit(values.limit);
    const tz = values['time-zone'] ?? io.env.RENKEI_TIME_ZONE ?? 'Asia/Tokyo';
    const when = timeIn(tz);
    return withRunTable(io, values, async (pool) => {
      if (positionals.length === 1) {
        const [found] = await listRuns(pool, { limit: 1, id: positionals[0] });
        if (!found) throw new UsageError(`no run ${positionals[0]} (see renkei report)`);
        const [run] = await withWaiting(pool, [found]);
        const errors = await runErrors(pool, run.id, 10_000);
        if (values.json) {
          io.stdout.write(JSON.stringify({ ...run, errors }) + '\n');
          return 0;
        }
        io.stdout.write(detail(run, when) + '\n');

        const groups = [
          { title: 'errors', list: errors.filter((e) => e.outcome === 'rejected') },
          { title: 'excluded (left out by a rule, not an error in the data)', list: errors.filter((e) => e.outcome === 'excluded') },
        ];
        for (const g of groups) {
          if (g.list.length === 0) continue;
          io.stdout.write(`${g.title} (${g.list.length}${errors.length === 10_000 ? '+' : ''}):\n`);
          for (const e of g.list) io.stdout.write(`  ${e.key || '(no key)'}  ${e.code}  ${e.message}  [${e.stage}${e.origin ? ` @ ${e.origin}` : ''}]\n`);
        }
        return 0;
      }
      const rows = await withWaiting(pool, await listRuns(pool, { limit, pipeline: values.pipeline, ...filters }));
      if (values.json) { for (const r of rows) io.stdout.write(JSON.stringify(r) + '\n'); return 0; }
      if (rows.length === 0) { io.stdout.write('no reports yet\n'); return 0; }
      for (const r of rows) io.stdout.write(line(r, when) + '\n');
      return 0;
    });
  },
};

/** A report row; a succeeded plan no apply has used is waiting to sync (同期待ち, K4). */
type ReportRow = RunRow & { waiting_to_sync?: boolean };

async function withWaiting(pool: Parameters<typeof appliedPlanIds>[0], rows: RunRow[]): Promise<ReportRow[]> {
  const plans = rows.filter((r) => r.kind === 'plan' && r.status === 'succeeded').map((r) => r.id);
  const applied = await appliedPlanIds(pool, plans);
  return rows.map((r) => (plans.includes(r.id) ? { ...r, waiting_to_sync: !applied.has(r.id) } : r));
}

/** `2026-11-30 22:46:05 +09:00` in the given time zone (an unknown zone is a usage error). */
function timeIn(timeZone: string): (d: Date) => string {
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' });
  } catch { throw new UsageError(`--time-zone ${timeZone}: not a time zone (e.g. Asia/Tokyo, UTC)`); }
  return (d) => {
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    const off = p.timeZoneName === 'GMT' ? '+00:00' : String(p.timeZoneName).replace('GMT', '');
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${off}`;
  };
}

/** Plans and dry runs wrote nothing: their counts read "would write", never "written". */
export function plannedRow(r: Pick<RunRow, 'kind' | 'dry_run' | 'counts'>): boolean {
  return r.kind === 'plan' || r.kind === 'dry-run' || r.dry_run || r.counts?.would_write !== undefined;
}

export function countsText(r: RunRow): string {
  const c = r.counts;
  if (!c) return '';
  const w = plannedRow(r) ? `would write ${writtenOf(c)}` : `written ${writtenOf(c)}`;
  // As in the run's summary: an equation only when it holds (finding 14); a run that stopped part-way lists its counts.
  const out = writtenOf(c) + c.unchanged + c.filtered + c.rejected;
  const read = c.read + (r.expanded ?? 0);
  if (out !== read) return `read ${c.read}; ${w}, unchanged ${c.unchanged}, filtered ${c.filtered}, rejected ${c.rejected} (stopped part-way: ${read - out} read record(s) got no outcome)`;
  return `read ${c.read}${r.expanded ? ` + ${r.expanded} target-only` : ''} = ${w} + unchanged ${c.unchanged} + filtered ${c.filtered} + rejected ${c.rejected}`;
}

function statusText(r: RunRow): string {
  return r.status_counts ? Object.entries(r.status_counts).map(([k, v]) => `${k} ${v}`).join(', ') : '';
}

function line(r: ReportRow, when: (d: Date) => string): string {
  const parts = [when(r.started_at), r.id, r.kind.padEnd(7), (r.waiting_to_sync ? '同期待ち waiting to sync' : r.status).padEnd(11), r.pipeline];
  if (r.direction) parts.push(`(${r.direction})`);
  if (r.reference_date) parts.push(`基準日 ${r.reference_date}`);
  parts.push(`by ${r.started_by ?? '?'}`);
  const counts = [countsText(r), statusText(r)].filter(Boolean).join(' | ');
  return parts.join('  ') + (counts ? `\n    ${counts}` : '') + (r.message ? `\n    ${r.message}` : '');
}

function detail(r: ReportRow, when: (d: Date) => string): string {
  return [
    `${r.kind} ${r.id} — ${r.waiting_to_sync ? `${r.status}, 同期待ち waiting to sync (apply it: renkei apply <plan file>)` : r.status}`,
    `pipeline     ${r.pipeline}${r.pipeline_file ? ` (${r.pipeline_file})` : ''}`,
    r.direction ? `direction    ${r.direction}` : '',
    `started by   ${r.started_by ?? '?'}`,
    `started      ${when(r.started_at)}${r.finished_at ? `, took ${((r.finished_at.getTime() - r.started_at.getTime()) / 1000).toFixed(1)}s` : ''}`,
    r.reference_date ? `基準日        ${r.reference_date}` : '',
    r.plan_id ? `plan         ${r.plan_id}` : '',
    `counts       ${countsText(r)}`,
    r.status_counts ? `by status    ${statusText(r)}` : '',
    r.errors_file ? `errors file  ${r.errors_file}` : '',
    r.message ? `message      ${r.message}` : '',
  ].filter(Boolean).join('\n');
}
