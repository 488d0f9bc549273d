/**
 * A guess written out as a commented pipeline file (csv → normalize → validate → postgres), and the
 * template `renkei init` writes without a sample. Comments say what was guessed and why, so the
 * person who edits the file can tell a guess from a rule.
 */
import type { CsvGuess, GuessedColumn } from './csv.ts';

/** A YAML scalar: plain when safe, else a JSON string (valid YAML double-quoted). */
function scalar(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s) ? s : JSON.stringify(s);
}
/** Text that is safe inside a `#` comment (one line). */
const note = (s: string): string => s.replace(/[\r\n]+/g, ' ');

const DELIMITER_NAME: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };

/** The sink column a guessed column becomes (clock times are stored as minutes: `<name>_min`). */
export function sinkColumn(c: GuessedColumn): { name: string; type: string; from?: string } {
  return c.kind === 'time' ? { name: `${c.name}_min`, type: c.sqlType, from: c.name } : { name: c.name, type: c.sqlType };
}

function blanks(c: GuessedColumn, rows: number): string {
  const b = c.blanks === 0 ? `never blank in ${rows} sampled rows` : `blank in ${c.blanks} of ${rows} sampled rows`;
  return c.misfits ? `${b}; ${c.misfits} value(s) not ${c.kind}: those records will be rejected` : b;
}

export interface RenderOptions {
  /** The source path as the pipeline file writes it (relative to the pipeline file). */
  sourcePath: string;
  /** The pipeline file as the next commands name it. */
  pipelineShown: string;
  /** The command line that wrote it, for the header comment. */
  command: string;
}

/** The pipeline file for a guess. */
export function renderGuess(g: CsvGuess, o: RenderOptions): string {
  const w = Math.max(...g.columns.map((c) => c.name.length), 8) + 2;
  const pad = (s: string, n = w) => s.padEnd(n);
  const L: string[] = [];
  const enc = g.encoding.encoding === 'utf-8' ? `UTF-8${g.encoding.bom ? ' with a byte-order mark (stripped when read)' : ''}`
    : g.encoding.encoding === 'shift_jis' ? 'not valid UTF-8, reads cleanly as Shift_JIS (decoded as CP932, what Windows and Excel write)'
      : 'not valid UTF-8, reads cleanly as EUC-JP';
  L.push(
    `# Written by \`${note(o.command)}\`.`,
    `# Guessed from ${g.complete ? 'the whole file' : `its first ${g.sampleBytes.toLocaleString('en-US')} bytes`} (${g.rows} data rows): every value below is a`,
    '# proposal to check. Look at the result without writing anything, then load it:',
    `#   renkei preview ${o.pipelineShown}     # the first 20 records after the transforms, and the rejects with their codes`,
    `#   renkei run ${o.pipelineShown}         # load into PostgreSQL; rejected records go to the error file it names`,
    '# Every option: renkei schema --component TYPE (csv, normalize, validate, postgres), or docs/components.md.',
    '#',
    '# Column names are ASCII snake_case with the header they came from in a comment. PostgreSQL accepts',
    '# Japanese names too, but then every query, psql session and BI tool must quote them and type them',
    '# through an IME, and they use 3 of the 63 bytes a name may have per character. Rename freely: a name',
    '# is used in `source.columns`, the transforms and the sink columns below.',
    `name: ${scalar(g.table.replace(/_/g, '-'))}`,
  );
  if (g.key) L.push(`${pad(`key: [${g.key.join(', ')}]`, 24)}  # identifies a record in error rows and logs (never personal data)`);
  L.push(
    '',
    'source:',
    '  type: csv',
    `${pad(`  path: ${scalar(o.sourcePath.replaceAll('${', () => '$${'))}`, 24)}  # relative to this file`,
    `${pad(`  encoding: ${g.encoding.encoding}`, 24)}  # ${enc}${g.encoding.doubt ? `; ${note(g.encoding.doubt)}` : ''}`,
    `${pad(`  delimiter: ${JSON.stringify(g.delimiter)}`, 24)}  # ${DELIMITER_NAME[g.delimiter] ?? 'delimiter'}-separated`,
    `${pad(`  quote: ${g.quote === '"' ? `'"'` : `"'"`}`, 24)}  # a field wrapped in it may hold delimiters and line breaks`,
    `${pad(`  header: ${g.header}`, 24)}  # ${g.header ? 'the first row names the columns; `columns` renames them, by position' : 'no header row: `columns` names the fields, by position'}`,
    '  columns:',
  );
  g.columns.forEach((c, i) => {
    const from = c.header === undefined ? `column ${i + 1}` : `${i + 1}: ${note(c.header)}`;
    L.push(`    - ${pad(c.name)}# ${from} — ${c.kind}; ${blanks(c, g.rows)}${g.key?.includes(c.name) ? '; the key' : ''}`);
  });

  const normalized = g.columns.filter((c) => c.normalize);
  const rules: string[] = [];
  for (const k of g.key ?? []) rules.push(`      - { fields: [${k}], check: required, code: MISSING_${k.toUpperCase()} }${' '.repeat(2)}# part of the key`);
  for (const c of g.columns) {
    if (c.pattern) rules.push(`      - { fields: [${c.name}], check: pattern, pattern: ${JSON.stringify(c.pattern)}, code: INVALID_${c.name.toUpperCase()} }  # every sampled value has this shape`);
  }
  for (const c of g.columns) {
    if (c.kind === 'email') rules.push(`      - { fields: [${c.name}], check: email }${' '.repeat(2)}# one @ and a dotted domain (blank passes: add a required rule if it must be there)`);
    if (/^(name|last_name|first_name)$/.test(c.name) && c.blanks === 0 && !g.key?.includes(c.name)) {
      rules.push(`      - { fields: [${c.name}], check: required, code: MISSING_${c.name.toUpperCase()} }  # never blank in the sample`);
    }
  }
  L.push('', 'transforms:');
  if (normalized.length) {
    L.push(
      '  # normalize puts each field into one form; a value it cannot read rejects the record with a code',
      '  # (INVALID_DATE, INVALID_TIME, INVALID_KANA …) and its line, and the run goes on.',
      '  - type: normalize',
      '    fields:',
    );
    for (const c of normalized) L.push(`      ${pad(`${c.name}: ${c.normalize}`, w + 10)}# ${c.why}`);
  }
  if (rules.length) {
    L.push('  # validate rejects a record that fails a rule, with the rule\'s code.', '  - type: validate', '    rules:', ...rules);
  }
  if (!normalized.length && !rules.length) L.push('  []');

  L.push(
    '',
    'sinks:',
    '  - type: postgres',
    '    # connection: ${DATABASE_URL}   # default: DATABASE_URL when set, else renkei\'s own PostgreSQL (renkei db status)',
    `    table: ${scalar(g.table)}`,
  );
  if (g.key) {
    const why = g.key.length === 1
      ? `${g.key[0]} looks like an identifier and is unique in the sample,`
      : `${g.key.join(' + ')} are unique together in the sample (one row per ${g.key[0]} and ${g.key[1]}),`;
    L.push(
      `    # upsert: ${why}`,
      '    # so running again with a newer export updates those rows instead of adding copies. If the',
      '    # sample misled (the key repeats further down the file), use `mode: append` and drop `key`.',
      '    mode: upsert',
      `    key: [${g.key.join(', ')}]`,
    );
  } else {
    L.push('    # append: no column is unique in the sample, so every run adds its rows. With an identifier column,', '    # `mode: upsert` + `key: [column]` updates rows instead; `mode: replace` swaps in the whole table.', '    mode: append');
  }
  L.push('    create_table: true    # created when missing, with these columns (and a primary key on `key`)', '    columns:');
  for (const c of g.columns) {
    const s = sinkColumn(c);
    const extra = c.kind === 'time' ? '  # minutes since 0:00 of the day (25:30 → 1530)' : '';
    L.push(`      - { name: ${s.name}, type: ${s.type}${s.from ? `, from: ${s.from}` : ''} }${extra}`);
  }
  L.push(
    '',
    '# Rejected records (with line, key, rule code and message) go to a CSV in the state home,',
    '# <home>/errors/<pipeline>/<run id>.csv (mode 0600). To keep them next to this file instead:',
    '# errors: { type: csv, path: errors/{run_id}.csv }',
    '# A run fails when more than half of the records are rejected (a wrong guess above, not bad data);',
    '# options: { max_rejected: 100 } sets another budget.',
    '',
  );
  return L.join('\n');
}

/** The pipeline `renkei init` writes without `--from`: every section explained, valid as is. */
export function renderTemplate(command: string, shown: string): string {
  return `# Written by \`${note(command)}\`: a pipeline template. A pipeline reads one source, passes each
# record through the transforms in order, and writes what comes out to the sinks; a record that a
# stage cannot read or refuses is rejected with a rule code and kept in the error file, and the run
# goes on. Point \`source.path\` at your CSV, name its columns, then:
#   renkei validate ${shown}    # checks this file: every problem with its line and the valid choices
#   renkei preview ${shown}     # the first 20 records after the transforms, and the rejects
#   renkei run ${shown}         # loads into PostgreSQL
# Faster: \`renkei init --from your.csv\` guesses all of this from the file itself.
# Every option: renkei schema --component TYPE, or docs/components.md.

name: employees                  # letters, digits, _ . - : names the run in logs, reports and \`renkei runs\`
key: [employee_code]             # the fields that identify a record in error rows and logs (never personal data)

# source: where records come from. csv streams a file of any size; relative paths are relative to this file.
source:
  type: csv
  path: employees.csv
  encoding: utf-8                # utf-8 (a BOM is stripped), shift_jis (read as CP932), euc-jp
  delimiter: ","                 # "\\t" for tab-separated files
  header: true                   # the first row names the columns
  # columns: [employee_code, name, name_kana, email, hire_date]   # rename the fields, by position

# transforms: in order; each record goes through all of them.
transforms:
  # normalize: one form per field. text = safe NFKC (Ａ１ → A1, ｶﾅ → カナ) and tidy spaces; kana =
  # katakana reading; email = trimmed, lower-case; date = ISO from 2024/4/1, 令和6年4月1日, R6.4.1 …;
  # time = minutes since 0:00 (25:30 → 1530); gender = male | female (男/女, M/F, 1/2); integer.
  # A value that cannot be read rejects the record (INVALID_DATE …).
  - type: normalize
    fields:
      name: text
      name_kana: kana
      email: email
      hire_date: date
  # validate: the first failing rule rejects the record with its code.
  - type: validate
    rules:
      - { fields: [employee_code], check: required, code: MISSING_EMPLOYEE_CODE }
      - { fields: [email], check: email }

# sinks: where records go. postgres loads with COPY in one transaction: a failed run commits nothing.
sinks:
  - type: postgres
    # connection: \${DATABASE_URL}  # default: DATABASE_URL when set, else renkei's own PostgreSQL (renkei db status)
    table: employees
    mode: upsert                   # append adds rows; replace swaps in the whole table; upsert updates by key
    key: [employee_code]
    create_table: true             # create the table when missing (with a primary key on \`key\` for upsert)
    columns:                       # in order: name, type (text, integer, numeric, boolean, date, timestamp …), from (default: name)
      - { name: employee_code, type: text }
      - { name: name, type: text }
      - { name: name_kana, type: text }
      - { name: email, type: text }
      - { name: hire_date, type: date }

# errors: rejected records. Without this block: <home>/errors/<pipeline>/<run id>.csv (mode 0600).
# errors: { type: csv, path: errors/{run_id}.csv }

# options: batch_size, concurrency, and the error budget (default: a run fails when more than half is rejected).
# options: { max_rejected: 100 }
`;
}
