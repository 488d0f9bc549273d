/**
 * `--report-json PATH`: checked before the run starts (a scheduler must not learn of an unwritable
 * path only after the data is committed, and retry into duplicates); written after it. A report that
 * still cannot be written then is a warning: the run's exit code says whether the data is in.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandIO } from './command.ts';
import { UsageError } from './session.ts';
import { writePrivateFile } from '../db/home.ts';
import { scrub } from '../engine/logger.ts';

/** Pseudo file systems where writing may block or mean something else entirely. */
const SPECIAL = /^\/(proc|sys|dev)(\/|$)/;

/** Checks that an output file given as `option` (--report-json, --out, --html) can be written, before any work. */
export function checkReportPath(io: CommandIO, file: string, option = '--report-json'): string {
  const abs = path.resolve(io.cwd, file);
  if (SPECIAL.test(abs)) throw new UsageError(`${option} ${file}: ${abs} is not a regular file location`);
  try {
    if (fs.existsSync(abs)) {
      if (!fs.statSync(abs).isFile()) throw new UsageError(`${option} ${file}: ${abs} exists and is not a file`);
      fs.accessSync(abs, fs.constants.W_OK);
    } else {
      fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
      fs.accessSync(path.dirname(abs), fs.constants.W_OK);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${option} ${file}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was run`);
  }
  return abs;
}

export function writeReportFile(io: CommandIO, abs: string, body: unknown, secrets: Set<string>): void {
  try {
    writePrivateFile(abs, scrub(JSON.stringify(body, null, 2), secrets) + '\n');
  } catch (e) {
    io.stderr.write(`renkei: warning: the run report could not be written to ${abs} (${(e as Error).message}); the run's outcome is in its exit code and in renkei report\n`);
  }
}
