import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { loadPipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import { Drop, type Rec } from '../../engine/types.ts';
import { scrub } from '../../engine/logger.ts';
import { LOG_HELP, LOG_OPTIONS, UsageError, openSession } from '../session.ts';
import { PARAM_HELP, PARAM_OPTIONS } from '../params.ts';
import { displayWidth, padEnd, truncate } from '../../sync/review/format.ts';

export const previewCommand: Command = {
  name: 'preview',
  summary: 'Show the first records as they leave the transforms (or one stage), and the rejects among them; writes nothing',
  help: `Usage: renkei preview FILE [--limit N] [--stage K] [--set key.path=value]... [--param name=value]...

Reads the first N records of the source, runs them through the transforms (or only up to stage K)
and prints what comes out — each record with its origin — and every record dropped on the way with
its outcome, rule code and message. Nothing is written: no sink is opened, no run is recorded.
On a terminal a table; otherwise one JSON object per line.

Options:
  --limit N             records to read (default 20)
  --stage K             stop after transform K: its number (1 = the first) or its type
  --set key.path=value  override a config value (repeatable)
${PARAM_HELP}
${LOG_HELP}

Example:
  renkei preview pipelines/demo-attendance.yaml --limit 5 --stage normalize`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv, allowPositionals: true,
      options: { limit: { type: 'string', default: '20' }, stage: { type: 'string' }, set: { type: 'string', multiple: true }, ...PARAM_OPTIONS, ...LOG_OPTIONS },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one pipeline file');
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not ${values.limit}`);
    const loaded = loadPipeline(path.resolve(io.cwd, positionals[0]), { env: io.env, set: values.set, params: values.param });
    const upTo = stageCount(values.stage, loaded.config.transforms.map((t) => t.type));
    const session = openSession(io, { ...values, 'log-level': values['log-level'] ?? 'warn' });
    for (const s of loaded.secrets) session.secrets.add(s);
    const items: Array<Rec | Drop> = [];
    try {
      const report = await runPipeline(loaded, {
        logger: session.logger, db: session.db, recordRun: false, dryRun: true, kind: 'dry-run', limit, transforms: upTo,
        collect: (x) => { items.push(x); }, errorsDir: session.errorsDir,
        // The rejects are printed, not written to the error file.
        components: { ...loaded.components, createErrorSink: () => ({ location: '(preview: not written)', open: async () => {}, write: async () => {}, close: async () => {} }) },
      });
      const tty = Boolean((io.stdout as NodeJS.WriteStream).isTTY);
      io.stdout.write(scrub(tty ? table(items) : jsonLines(items), session.secrets));
      const through = upTo === undefined ? 'all transforms' : `transforms 1–${upTo}`;
      io.stderr.write(`preview of ${report.counts.read} record(s) through ${through}: ${items.filter((x) => !(x instanceof Drop)).length} out, ${items.filter((x) => x instanceof Drop).length} dropped; nothing written\n`);
      if (report.error) io.stderr.write(`error: ${report.error.code}: ${report.error.message}\n`);
      return report.error && report.error.code !== 'ERROR_BUDGET' ? 1 : 0;
    } finally {
      await session.close();
    }
  },
};

/** `--stage`: a 1-based number or a transform type (its first occurrence); undefined = all. */
function stageCount(stage: string | undefined, types: string[]): number | undefined {
  if (stage === undefined) return undefined;
  const n = Number(stage);
  if (Number.isInteger(n) && n >= 1 && n <= types.length) return n;
  const i = types.indexOf(stage);
  if (i >= 0) return i + 1;
  throw new UsageError(`--stage ${stage}: not a transform of this pipeline; valid: 1–${types.length} or ${types.join(', ') || '(none)'}`);
}

function jsonLines(items: Array<Rec | Drop>): string {
  return items.map((x) => JSON.stringify(x instanceof Drop
    ? { outcome: x.kind, code: x.code, message: x.message, origin: x.origin, stage: x.stage, record: x.data ?? null }
    : { outcome: 'out', origin: x.origin, record: x.data })).join('\n') + (items.length ? '\n' : '');
}

const cell = (v: unknown): string => (v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));

function table(items: Array<Rec | Drop>): string {
  const recs = items.filter((x): x is Rec => !(x instanceof Drop));
  const drops = items.filter((x): x is Drop => x instanceof Drop);
  const lines: string[] = [];
  if (recs.length) {
    const cols = [...new Set(recs.flatMap((r) => Object.keys(r.data)))];
    const rows = recs.map((r) => [r.origin, ...cols.map((c) => truncate(cell(r.data[c]), 24))]);
    const head = ['origin', ...cols];
    const w = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]))));
    const fmt = (r: string[]) => r.map((c, i) => padEnd(c, w[i])).join('  ').trimEnd();
    lines.push(fmt(head), fmt(w.map((n) => '─'.repeat(n))), ...rows.map(fmt));
  } else lines.push('(no record came out)');
  if (drops.length) {
    lines.push('', 'dropped:');
    for (const d of drops) lines.push(`  ${d.origin}  ${d.kind} ${d.code}  ${d.message}  [${d.stage}]`);
  }
  return lines.join('\n') + '\n';
}


