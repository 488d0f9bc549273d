/**
 * Which CLI `renkei` runs: the one compiled at install time (dist/, scripts/build.mjs) when it is up
 * to date with the TypeScript sources, otherwise the sources themselves through tsx — slower to
 * start (about 1 s of CPU), never stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The compiled CLI's URL, or undefined when there is none or any source it was built from changed:
 * every file listed in DIST/build.json must still have the mtime it had at build time (about a
 * hundred stat calls, well under a millisecond of work).
 */
export function compiledCli(distDir) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(distDir, 'build.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const root = path.resolve(distDir, stamp.root);
  for (const [file, mtime] of Object.entries(stamp.inputs)) {
    if (fs.statSync(path.join(root, file), { throwIfNoEntry: false })?.mtimeMs !== mtime) return undefined;
  }
  return pathToFileURL(path.join(distDir, stamp.entry)).href;
}

/** `main(argv, io)` from cli/main.ts, compiled or through tsx. */
export async function loadMain(distDir = fileURLToPath(new URL('../dist/', import.meta.url))) {
  const compiled = compiledCli(distDir);
  if (compiled) return (await import(compiled)).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../cli/main.ts')).main;
}
