import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when the module at `url` is the script being run (`node bin/run-ts.js bench/x.ts`, or tsx directly). */
export function isEntry(url: string): boolean {
  const self = fileURLToPath(url);
  return process.env.RENKEI_ENTRY === self || (process.argv[1] !== undefined && path.resolve(process.argv[1]) === self);
}
