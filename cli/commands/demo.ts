import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { loadPipeline } from '../../config/load.ts';
import { configOf } from '../../config/registry.ts';
import { postgresSink } from '../../sinks/postgres.ts';
import { writeAttendanceCsv } from '../../sandbox/attendance-data.ts';
import { LOG_OPTIONS, UsageError, openSession } from '../session.ts';
import { runLoaded } from './run.ts';
import { homeDir, resolveHome } from '../../db/home.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_PIPELINE = path.join(ROOT, 'pipelines', 'demo-attendance.yaml');

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Generate a Shift_JIS attendance export and load it into Postgres (end-to-end demo)',
  help: `Usage: renkei demo [--rows N] [--seed S] [--dir DIR]

Generates a deterministic attendance CSV (Shift_JIS, CRLF, mixed date formats, night shifts past
midnight, a few bad rows) and runs ${path.relative(process.cwd(), DEMO_PIPELINE) || DEMO_PIPELINE}:
csv → normalize dates and times → validate → Postgres upsert. Without DATABASE_URL the data goes to
the embedded PostgreSQL in the state home (RENKEI_HOME, default ~/.renkei). Rejected rows go to
DIR/errors/<run id>.csv.

Options:
  --rows N     rows to generate (default 100000)
  --seed S     generator seed (default 42)
  --dir DIR    where the data and error files go (default <state home>/demo)
  --log-level / --log-format as for run (default level: warn)`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '100000' }, seed: { type: 'string', default: '42' }, dir: { type: 'string' }, ...LOG_OPTIONS, 'log-level': { type: 'string', default: 'warn' } } });
    const rows = Number(values.rows);
    if (!Number.isInteger(rows) || rows < 1) throw new UsageError(`--rows must be a positive integer, not ${values.rows}`);
    const dir = values.dir ? path.resolve(io.cwd, values.dir) : homeDir(resolveHome(io.env), 'demo');
    const file = path.join(dir, `attendance-${rows}-${values.seed}.csv`);
    if (!fs.existsSync(file)) {
      io.stdout.write(`generating ${rows.toLocaleString('en-US')} attendance rows (Shift_JIS) → ${file}\n`);
      await writeAttendanceCsv(file + '.tmp', { rows, seed: values.seed, encoding: 'cp932' });
      fs.renameSync(file + '.tmp', file);
    }
    const env = { ...io.env, DEMO_FILE: file, DEMO_DIR: dir };
    const loaded = loadPipeline(DEMO_PIPELINE, { env });
    io.stdout.write(`running pipeline "${loaded.config.name}" (${path.relative(io.cwd, DEMO_PIPELINE)})\n`);
    const report = await runLoaded({ ...io, env }, loaded, { dryRun: false, progress: true, flags: values });
    if (report.status !== 'succeeded') return 1;
    // Show where the data went, from the database itself.
    const s = openSession({ ...io, env }, { 'log-level': 'warn', 'log-format': values['log-format'] });
    try {
      const db = await s.db();
      const sink = configOf(postgresSink, loaded.config.sinks[0]);
      if (!sink) throw new Error(`${DEMO_PIPELINE}: the demo's first sink must be postgres`);
      const { rows: [stats] } = await db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT employee_code)::int AS employees, min(work_date)::text AS first, max(work_date)::text AS last, count(*) FILTER (WHERE clock_out_min >= 1440)::int AS past_midnight FROM "${sink.table}"`);
      const where = io.env.DATABASE_URL ? 'DATABASE_URL' : `the embedded PostgreSQL (${path.join(resolveHome(io.env), 'pg')})`;
      io.stdout.write(`table ${sink.table} in ${where}: ${stats.n.toLocaleString('en-US')} rows, ${stats.employees} employees, ${stats.first} … ${stats.last}, ${stats.past_midnight} shifts ending past midnight\n`);
      const sample = await db.pool.query(`SELECT employee_code, work_date::text, clock_in_min, clock_out_min, break_min, division FROM "${sink.table}" ORDER BY clock_out_min DESC, employee_code LIMIT 3`);
      for (const r of sample.rows) io.stdout.write(`  ${JSON.stringify(r)}\n`);
      const home = io.env.RENKEI_HOME ? `RENKEI_HOME=${io.env.RENKEI_HOME} ` : '';
      io.stdout.write(`try: ${home}node bin/renkei.js runs   (the run table)\n`);
    } finally {
      await s.close();
    }
    return 0;
  },
};
