import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../session.ts';
import { guessCsv, type CsvGuess } from '../../config/guess/csv.ts';
import { renderGuess, renderTemplate, sinkColumn } from '../../config/guess/render.ts';
import { SAMPLE_BYTES, SAMPLE_ROWS, readSample } from '../../config/guess/sample.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a commented pipeline file: a template, or one guessed from a CSV (--from)',
  help: `Usage: renkei init [--from FILE.csv] [--out PIPELINE.yaml] [--table NAME]

Writes a pipeline file with every section explained (csv → normalize → validate → postgres).

With --from, reads the start of the CSV (${SAMPLE_BYTES / 1024} KiB, at most ${SAMPLE_ROWS.toLocaleString('en-US')} rows) and guesses, as Embulk's
guess does: the encoding (UTF-8 with or without BOM, Shift_JIS/CP932, EUC-JP), the delimiter
(, tab ; |), the quote, whether the first row is a header, and each column's type (integer,
numeric, boolean, date — 2024/4/1 and 令和6年4月1日 too —, timestamp, clock time — 25:30 too —,
email, gender, kana reading, text) and whether it is ever blank. It proposes normalize rules for
what it recognises, validate rules where they are evident (the key, emails), and a postgres sink
with matching columns: upsert on an identifier column that is unique in the sample, else append.
Column names are ASCII snake_case (社員番号 → employee_code), the header kept in a comment.
It prints what it guessed and the next commands. The file is never overwritten.

Options:
  --from FILE.csv        the CSV to guess from
  --out PIPELINE.yaml    the file to write (default: <csv name>.yaml with --from, else pipeline.yaml)
  --table NAME           the PostgreSQL table (default: from the CSV's file name)

Exit codes: 0 written, 2 bad usage, the CSV cannot be read, or the output file exists.

Example:
  renkei init --from staff.csv && renkei preview staff.yaml && renkei run staff.yaml`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { from: { type: 'string' }, out: { type: 'string' }, table: { type: 'string' } },
    });
    if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]} (the CSV goes after --from)`);
    if (values.table !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(values.table)) {
      throw new UsageError(`--table ${values.table}: use letters, digits and _ (schema.name allowed), starting with a letter`);
    }
    const csv = values.from === undefined ? undefined : path.resolve(io.cwd, values.from);
    const outShown = values.out ?? (values.from === undefined ? 'pipeline.yaml' : `${path.basename(values.from).replace(/\.[^.]*$/, '')}.yaml`);
    const out = path.resolve(io.cwd, outShown);
    if (fs.existsSync(out)) {
      io.stderr.write(`renkei init: ${outShown} already exists; nothing written (init never overwrites: pick another --out, or remove it)\n`);
      return 2;
    }
    const command = ['renkei init', ...argv].join(' ');
    if (csv === undefined) {
      write(out, renderTemplate(command, outShown));
      io.stdout.write(`wrote ${outShown}: a template (csv → normalize → validate → postgres), every section explained\nnext:\n  edit ${outShown}: source.path, the columns\n  renkei validate ${outShown}\n  renkei preview ${outShown}\n  renkei run ${outShown}\n`);
      return 0;
    }
    if (!fs.existsSync(csv) || !fs.statSync(csv).isFile()) {
      io.stderr.write(`renkei init: --from ${values.from}: no such file\n`);
      return 2;
    }
    if (readSample(csv).bytes.includes(0)) {
      io.stderr.write(`renkei init: --from ${values.from}: holds NUL bytes, so it is a binary file (or UTF-16 text), not a CSV; save it as CSV (UTF-8 or Shift_JIS)\n`);
      return 2;
    }
    const g = guessCsv(csv, values.table);
    if (!g.columns.length) {
      io.stderr.write(`renkei init: --from ${values.from}: the file is empty; nothing to guess from\n`);
      return 2;
    }
    const sourcePath = path.relative(path.dirname(out), csv).split(path.sep).join('/');
    write(out, renderGuess(g, { sourcePath, pipelineShown: outShown, command }));
    summary(io, g, values.from!, outShown);
    return 0;
  },
};

/** Creates the file; refuses (exit 2) when it appeared meanwhile. */
function write(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists; nothing written`);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`cannot write ${file}: its folder does not exist`);
    throw e;
  }
}

const DELIMITERS: Record<string, string> = { ',': 'comma (,)', '\t': 'tab', ';': 'semicolon (;)', '|': 'pipe (|)' };

function summary(io: CommandIO, g: CsvGuess, shownCsv: string, shownOut: string): void {
  const enc = g.encoding.encoding === 'utf-8' ? `utf-8${g.encoding.bom ? ' (with BOM)' : ''}` : `${g.encoding.encoding}${g.encoding.encoding === 'shift_jis' ? ' (not UTF-8; reads cleanly as CP932)' : ' (not UTF-8; reads cleanly as EUC-JP)'}`;
  const rows = [['', 'header', 'column', 'type', 'normalize', 'blank', 'misfits']];
  g.columns.forEach((c, i) => {
    const s = sinkColumn(c);
    rows.push([String(i + 1), c.header ?? '-', s.name, `${c.kind}${c.kind !== s.type && c.kind !== 'text' ? ` → ${s.type}` : ''}`, c.normalize ?? '-', c.blanks ? `${c.blanks}/${g.rows}` : 'never', c.misfits ? `${c.misfits} (rejected by the run)` : '']);
  });
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => width(r[j]))));
  const line = (r: string[]) => '    ' + r.map((c, j) => c + ' '.repeat(w[j] - width(c))).join('  ').trimEnd();
  const lines = [
    `guessed from ${shownCsv} (${g.complete ? 'whole file' : `first ${g.sampleBytes.toLocaleString('en-US')} bytes`}, ${g.rows} data rows):`,
    `  encoding   ${enc}${g.encoding.doubt ? ` ⚠ ${g.encoding.doubt}` : ''}`,
    `  delimiter  ${DELIMITERS[g.delimiter] ?? JSON.stringify(g.delimiter)}, quote ${g.quote}, ${g.header ? 'header row' : 'no header row'}`,
    `  columns:`,
    ...rows.map(line),
    `  table      ${g.table}: ${g.key ? `upsert on ${g.key.join(' + ')} (unique in the sample)` : 'append (no unique identifier in the sample)'}`,
    `wrote ${shownOut}`,
    'next:',
    `  renkei preview ${shownOut}    # the first records after the transforms, and the rejects; writes nothing`,
    `  renkei run ${shownOut}        # load into PostgreSQL`,
  ];
  io.stdout.write(lines.join('\n') + '\n');
}
