/**
 * What every command shares: logger from --log-level/--log-format, the state database opened lazily
 * (embedded server started only when needed, stopped at the end), and clean interruption.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { progressLine, type ProgressLine } from './progress.ts';
import type { Logger } from 'pino';
import { createLogger } from '../engine/logger.ts';
import { openDb, type Db } from '../db/connect.ts';
import type { CommandIO } from './command.ts';
import { faultBurstsSchema, type FaultBurst } from '../sandbox/shared/faults.ts';
import { SECRET_ENV } from '../config/interpolate.ts';
import { ensureRunsTable, reapAbandoned } from '../db/runs.ts';
import { resolveHome } from '../db/home.ts';
import { defaultStartedBy } from '../engine/run-recorder.ts';

export const LOG_OPTIONS = {
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
} as const;

export const LOG_HELP = `  --log-level L      trace|debug|info|warn|error|silent (default: warn on a terminal, info otherwise)
  --log-format F     json|pretty (default: pretty on a terminal, JSON lines otherwise)`;

/** `--started-by` for the commands that start a run (run, plan, apply). */
export const STARTED_BY_OPTIONS = { 'started-by': { type: 'string' } } as const;
export const STARTED_BY_HELP = `  --started-by WHO   who or what started this, for the sync report (default cli:<user>; e.g. schedule:nightly)`;

export interface Session {
  logger: Logger;
  /** `--started-by`, when given (K10). */
  startedBy?: string;
  secrets: Set<string>;
  /** The state home (RENKEI_HOME, else ~/.renkei): embedded cluster, plans, review pages. */
  home: string;
  /** Default folder of error files, for pipelines without `errors:` (`<home>/errors`). */
  errorsDir: string;
  db: () => Promise<Db>;
  /** The progress line on the terminal (log lines clear it and draw it again after them). */
  progress(label: string, enabled: boolean): ProgressLine;
  close(): Promise<void>;
}

export function openSession(io: CommandIO, flags: { 'log-level'?: string; 'log-format'?: string; 'started-by'?: string }): Session {
  const secrets = new Set<string>();
  for (const [k, v] of Object.entries(io.env)) if (v && SECRET_ENV.test(k)) secrets.add(v);
  const tty = Boolean((io.stderr as NodeJS.WriteStream).isTTY);
  const format = (flags['log-format'] ?? (tty ? 'pretty' : 'json')) as 'json' | 'pretty';
  if (format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format must be json or pretty, not ${format}`);
  // On a terminal only warnings and errors are logged: the progress line and the summary say the rest.
  const level = flags['log-level'] ?? (tty ? 'warn' : 'info');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) throw new UsageError(`--log-level must be one of trace, debug, info, warn, error, silent`);
  let line: ProgressLine | undefined;
  // On a terminal a log line first clears the progress line, which is drawn again after it.
  const toTerminal = new Writable({
    write(chunk, _enc, cb) {
      line?.clear();
      io.stderr.write(chunk);
      line?.redraw();
      cb();
    },
  });
  const destination = tty ? toTerminal : io.stderr === process.stderr ? undefined : io.stderr;
  const logger = createLogger({ level, format, secrets, destination, colorize: tty });
  let dbp: Promise<Db> | undefined;
  const home = resolveHome(io.env);
  return {
    logger,
    startedBy: flags['started-by'] ?? defaultStartedBy(io.env),
    secrets,
    home,
    errorsDir: io.env.RENKEI_ERRORS_DIR ? path.resolve(io.cwd, io.env.RENKEI_ERRORS_DIR) : path.join(home, 'errors'),
    db: () => {
      dbp ??= openDb({ env: io.env, home, note: `renkei (pid ${process.pid})`, onLog: (m) => { if (m.startsWith('renkei:')) logger.warn(m.slice(8)); } }).then((db) => {
        secrets.add(db.url);
        try { const u = new URL(db.url); if (u.password) secrets.add(decodeURIComponent(u.password)); } catch { /* not a URL */ }
        return db;
      });
      return dbp;
    },
    progress(label, enabled) {
      line = progressLine(io.stderr, label, enabled);
      return line;
    },
    async close() {
      if (dbp) await (await dbp.catch(() => undefined))?.close();
      logger.flush?.();
    },
  };
}

export class UsageError extends Error {}

/** A numeric option (`--port 0`, `--fail-rate 0.1`) within bounds, or undefined when not given. */
export function numberOption(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER, int = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}, not ${v}`);
  return n;
}

/**
 * `--faults SPEC` of the sandboxes: scripted fault bursts as inline JSON (`[{"fault":"http429","from":3,"count":8}]`)
 * or the path of a JSON file holding that array.
 */
export function faultsOption(v: string | undefined, cwd: string): FaultBurst[] | undefined {
  if (v === undefined) return undefined;
  const inline = v.trimStart().startsWith('[');
  let text = v;
  if (!inline) {
    try {
      text = fs.readFileSync(path.resolve(cwd, v), 'utf8');
    } catch (e) {
      throw new UsageError(`--faults ${v}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a JSON array inline or a file holding one`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--faults${inline ? '' : ` ${v}`}: not JSON (${(e as Error).message}); e.g. [{"fault":"http429","from":3,"count":8,"on":"read"}]`);
  }
  const r = faultBurstsSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    const where = i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
    throw new UsageError(`--faults${inline ? '' : ` ${v}`}: ${where ? `${where}: ` : ''}${i.message}`);
  }
  return r.data;
}

/** `--limit N` as a positive integer. */
export function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive integer, not ${v}`);
  return n;
}

/** Runs `fn` with the state database, its run table ensured, and closes the session after. */
export async function withRunTable<T>(io: CommandIO, flags: Parameters<typeof openSession>[1], fn: (pool: import('pg').Pool) => Promise<T>): Promise<T> {
  const s = openSession(io, flags);
  try {
    const db = await s.db();
    await ensureRunsTable(db.pool, (message) => io.stderr.write(`${message}\n`));
    // A run whose process died is recorded as abandoned by the first command that looks.
    await reapAbandoned(db.pool);
    return await fn(db.pool);
  } finally {
    await s.close();
  }
}
