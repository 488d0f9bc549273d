import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import pino from 'pino';
import { RUN_OPTION_DEFAULTS, type Ctx } from './types.ts';
import type { Db } from '../db/connect.ts';
import { RenkeiError } from './errors.ts';


/** Sortable, readable run id: `20261122T043512Z-3f9a1c`. */
export function newRunId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${ts}-${crypto.randomBytes(3).toString('hex')}`;
}

function unlimitedSignal(): AbortSignal {
  const s = new AbortController().signal;
  setMaxListeners(0, s);
  return s;
}

/** A context for tests and library use; the CLI builds the real one in the runner. */
export function makeCtx(over: Partial<Ctx> = {}): Ctx {
  return {
    runId: over.runId ?? newRunId(),
    pipeline: over.pipeline ?? 'test',
    logger: over.logger ?? pino({ level: 'silent' }),
    baseDir: over.baseDir ?? process.cwd(),
    now: over.now ?? (() => new Date()),
    db: over.db ?? (async (): Promise<Db> => { throw new RenkeiError('DB', 'no database in this context'); }),
    signal: over.signal ?? unlimitedSignal(),
    options: over.options ?? { ...RUN_OPTION_DEFAULTS },
    key: over.key ?? [],
  };
}
