import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIO } from '../command.ts';
import { loadPipeline, type LoadedPipeline } from '../../config/load.ts';
import { ConfigError } from '../../engine/errors.ts';
import { UsageError } from '../session.ts';
import { PARAM_HELP, PARAM_OPTIONS } from '../params.ts';
import { scrub } from '../../engine/logger.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check pipeline files (YAML, types, options, ${ENV} variables, params, input files) without running them',
  help: `Usage: renkei validate FILE... [--set key.path=value]... [--param name=value]... [--env-optional]

Checks each pipeline file against the schema built from the registered components, and that the
files it reads (csv/json sources, diff targets, lookups) exist. Every problem is listed with
file:line and key path, e.g.
  pipelines/x.yaml:7: sinks[0].mode: Invalid option: expected one of "append"|"replace"|"upsert"
FILE may be a glob (pipelines/*.yaml), also when quoted.

Options:
  --set key.path=value   override a value before validation (repeatable; value read as YAML)
${PARAM_HELP}
  --env-optional         an environment variable that is not set is a warning, and the values built
                         from it are not checked (shipped pipelines validate in a fresh shell)

Exit codes: 0 every file valid, 2 a file is invalid.`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { set: { type: 'string', multiple: true }, 'env-optional': { type: 'boolean', default: false }, ...PARAM_OPTIONS } });
    if (positionals.length === 0) throw new UsageError('expected one or more pipeline files');
    const files = positionals.flatMap((p) => expand(io.cwd, p));
    let invalid = 0;
    for (const shown of files) {
      try {
        const p = loadPipeline(path.resolve(io.cwd, shown), { env: io.env, set: values.set, params: values.param, envOptional: values['env-optional'] });
        const missing = missingInputs(p);
        if (missing.length) throw new ConfigError(`${shown}: input files not found`, missing);
        report(io, shown, p);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        invalid++;
        io.stderr.write(`✘ ${e.message}\n`);
      }
    }
    if (files.length > 1) io.stdout.write(`${files.length - invalid} of ${files.length} pipeline files valid\n`);
    return invalid ? 2 : 0;
  },
};

function report(io: CommandIO, shown: string, p: LoadedPipeline): void {
  const c = p.config;
  const flow = `source ${c.source.type} → ${c.transforms?.length ? c.transforms.map((t) => t.type).join(' → ') : '(no transforms)'} → ${c.sinks.map((s) => s.type).join(', ')}; errors → ${c.errors?.type ?? 'csv in the state home (errors/<pipeline>/)'}`;
  io.stdout.write(`ok: ${shown} — pipeline "${c.name}": ${flow}\n`);
  for (const w of p.warnings ?? []) io.stdout.write(`  warning: ${w}\n`);
  const params = Object.entries(p.params);
  if (params.length) io.stdout.write(scrub(`  params: ${params.map(([k, v]) => `${k}=${v}`).join(', ')}\n`, p.secrets));
}

/** A glob in the last path part (`*`, `?`) is expanded in its folder, sorted; other arguments stay. */
function expand(cwd: string, arg: string): string[] {
  const base = path.basename(arg);
  if (!/[*?]/.test(base) || fs.existsSync(path.resolve(cwd, arg))) return [arg];
  const dir = path.dirname(arg);
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let names: string[] = [];
  try { names = fs.readdirSync(path.resolve(cwd, dir)); } catch { /* no such folder */ }
  const hits = names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
  if (!hits.length) throw new UsageError(`no file matches ${arg}`);
  return hits;
}

/** The files a pipeline reads (csv/json components outside the error sink) that do not exist. */
function missingInputs(p: LoadedPipeline): string[] {
  const out: string[] = [];
  const visit = (v: unknown, at: string): void => {
    if (Array.isArray(v)) { v.forEach((x, i) => visit(x, `${at}[${i}]`)); return; }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if ((o.type === 'csv' || o.type === 'json') && typeof o.path === 'string' && !o.path.includes('${')) {
      const file = path.resolve(p.baseDir, o.path);
      if (!fs.existsSync(file)) out.push(`${at}.path: ${file} does not exist`);
    }
    for (const [k, x] of Object.entries(o)) if (x && typeof x === 'object') visit(x, `${at}.${k}`);
  };
  visit(p.config.source, 'source');
  visit(p.config.transforms, 'transforms');
  return out;
}
