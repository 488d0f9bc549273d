/**
 * The CLI compiled by scripts/build.mjs (what `npm ci` installs), built here into a temporary folder
 * and run as a process: files found next to the sources, user .ts stage files loaded lazily with the
 * bundle's own project modules, and bin/load-cli.js choosing the build only while it is up to date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { compiledCli } from '../../bin/load-cli.js';
import { ROOT, cliEnv, type CliResult } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let out: string;
let dir: string;
let db: TestDb;

beforeAll(async () => {
  // Inside the project, as dist/ is: the bundle finds its external packages in node_modules/.
  fs.mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
  out = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'renkei-dist-'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-compiled-'));
  db = await freshDb();
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--outdir', out], { cwd: ROOT });
});
afterAll(() => {
  for (const d of [out, dir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** `node -e` running a script module with `args`, as bin/renkei.js would run the CLI. */
function node(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { cwd, env: cliEnv(env) });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
const RUN_MAIN = 'process.exit(await main(process.argv.slice(1)));'; // node -e: argv[1] is the first argument
/** The compiled bundle itself, whatever the state of the sources. */
const compiled = (args: string[], env: NodeJS.ProcessEnv, cwd: string) =>
  node(`const { main } = await import(${JSON.stringify(pathToFileURL(path.join(out, 'cli.js')).href)}); ${RUN_MAIN}`, args, env, cwd);

describe('the compiled CLI', () => {
  it('prints --help; code that finds files next to its source still does (demo names pipelines/demo-attendance.yaml)', async () => {
    const help = await compiled(['--help'], {}, ROOT);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: renkei <command>');
    const demo = await compiled(['demo', '--help'], {}, ROOT);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain(`runs ${path.join('pipelines', 'demo-attendance.yaml')}:`);
  });

  it('runs a user .ts module stage: its reject() makes the runner\'s Drop, its ConfigError is the runner\'s (CONFIG_INVALID, not INTERNAL)', async () => {
    const engine = (f: string) => JSON.stringify(path.join(ROOT, 'engine', f));
    fs.writeFileSync(path.join(dir, 'split.ts'), `import { reject, type Rec, type Stage } from ${engine('types.ts')};
export default function create(): Stage {
  return {
    process(rec: Rec) {
      const full = String(rec.data.full_name ?? '');
      const at: number = full.indexOf(' ');
      if (at < 0) return reject(rec, 'NAME_UNSPLIT', 'no space', 'full_name');
      return { data: { last_name: full.slice(0, at), first_name: full.slice(at + 1) }, origin: rec.origin };
    },
  };
}
`);
    fs.writeFileSync(path.join(dir, 'refuse.ts'), `import { ConfigError } from ${engine('errors.ts')};
export default function create(options: { colour?: string }): never {
  throw new ConfigError(\`refuse.ts: colour \${String(options.colour)} is not one of red, blue\`);
}
`);
    // An ES module folder, as in this project: tsx (compiled CLI or not) loads a .ts file under no
    // "type": "module" as CommonJS, which cannot import the project's ES modules.
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(path.join(dir, 'in.csv'), 'full_name\n山田 太郎\n山田\n鈴木 花子\n');
    const pipeline = (stage: string, options: string) => `name: user-stage
key: [full_name]
source: { type: csv, path: in.csv }
transforms:
  - { type: module, path: ${stage}, options: ${options} }
sinks:
  - type: postgres
    connection: \${DATABASE_URL}
    table: user_stage_out
    mode: append
    create_table: true
    columns: [{ name: last_name, type: text }, { name: first_name, type: text }]
errors: { type: csv, path: 'errors/{run_id}.csv' }
`;
    fs.writeFileSync(path.join(dir, 'split.yaml'), pipeline('split.ts', '{}'));
    fs.writeFileSync(path.join(dir, 'refuse.yaml'), pipeline('refuse.ts', '{ colour: green }'));
    const env = { DATABASE_URL: db.url };

    const r = await compiled(['run', 'split.yaml', '--report-json', 'report.json', '--log-level', 'warn'], env, dir);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(report.counts).toMatchObject({ read: 3, written: 2, rejected: 1 });
    expect(report.reasons.rejected).toEqual({ NAME_UNSPLIT: 1 });
    expect((await db.pool.query('SELECT last_name, first_name FROM user_stage_out ORDER BY last_name')).rows)
      .toEqual([{ last_name: '山田', first_name: '太郎' }, { last_name: '鈴木', first_name: '花子' }]);

    // A RenkeiError of another module instance would be an INTERNAL failure.
    const refused = await compiled(['run', 'refuse.yaml', '--report-json', 'refused.json', '--log-level', 'warn'], env, dir);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    const failed = JSON.parse(fs.readFileSync(path.join(dir, 'refused.json'), 'utf8'));
    expect(failed.error).toEqual({ code: 'CONFIG_INVALID', message: expect.stringContaining('refuse.ts: colour green is not one of red, blue') });
    expect(refused.stdout).toContain('CONFIG_INVALID: refuse.ts: colour green is not one of red, blue');
  });

  it('bin/load-cli.js takes the build only while every source it lists has its build-time mtime', () => {
    const d = fs.mkdtempSync(path.join(dir, 'stamp-'));
    const src = (f: string) => path.join(d, 'src', f);
    fs.mkdirSync(path.join(d, 'src'));
    fs.mkdirSync(path.join(d, 'dist'));
    for (const f of ['a.ts', 'b.ts']) fs.writeFileSync(src(f), 'export {};\n');
    const mtime = (f: string) => fs.statSync(src(f)).mtimeMs;
    const stamp = (inputs: Record<string, number>) => fs.writeFileSync(path.join(d, 'dist', 'build.json'), JSON.stringify({ root: '../src', entry: 'cli.js', inputs }));
    const url = pathToFileURL(path.join(d, 'dist', 'cli.js')).href;

    expect(compiledCli(path.join(d, 'dist'))).toBeUndefined(); // no stamp: never built
    stamp({ 'a.ts': mtime('a.ts'), 'b.ts': mtime('b.ts') });
    expect(compiledCli(path.join(d, 'dist'))).toBe(url);
    const t = new Date(mtime('b.ts') + 5_000);
    fs.utimesSync(src('b.ts'), t, t); // edited after the build
    expect(compiledCli(path.join(d, 'dist'))).toBeUndefined();
    stamp({ 'a.ts': mtime('a.ts'), 'b.ts': mtime('b.ts') });
    expect(compiledCli(path.join(d, 'dist'))).toBe(url);
    stamp({ 'a.ts': -1, 'b.ts': mtime('b.ts') }); // changed while the build ran
    expect(compiledCli(path.join(d, 'dist'))).toBeUndefined();
    stamp({ 'a.ts': mtime('a.ts'), 'b.ts': mtime('b.ts') });
    fs.rmSync(src('a.ts')); // removed since
    expect(compiledCli(path.join(d, 'dist'))).toBeUndefined();
    fs.writeFileSync(path.join(d, 'dist', 'build.json'), '{"root": "../src", "inp'); // half written
    expect(compiledCli(path.join(d, 'dist'))).toBeUndefined();
  });

  it('with a stale build, bin/load-cli.js runs the TypeScript sources through tsx', async () => {
    const stale = fs.mkdtempSync(path.join(dir, 'stale-'));
    fs.writeFileSync(path.join(stale, 'build.json'), JSON.stringify({ root: path.relative(stale, ROOT), entry: 'cli.js', inputs: { 'cli/main.ts': -1 } }));
    fs.writeFileSync(path.join(stale, 'cli.js'), 'throw new Error("the stale build was loaded");\n');
    const loader = JSON.stringify(pathToFileURL(path.join(ROOT, 'bin/load-cli.js')).href);
    const r = await node(`const { loadMain } = await import(${loader}); const main = await loadMain(${JSON.stringify(stale)}); ${RUN_MAIN}`, ['--help'], {}, ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: renkei <command>');
  });
});
