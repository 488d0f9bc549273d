import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { loadPipeline } from '../../config/load.ts';
import { UsageError } from '../session.ts';
import { PARAM_HELP, PARAM_OPTIONS } from '../params.ts';
import { scrub } from '../../engine/logger.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a pipeline file (YAML, types, options, ${ENV} variables, params) without running it',
  help: `Usage: renkei validate FILE [--set key.path=value]... [--param name=value]...

Checks the pipeline file against the schema built from the registered components. Every problem is
listed with file:line and key path, e.g.
  pipelines/x.yaml:7: sinks[0].mode: Invalid option: expected one of "append"|"replace"|"upsert"

Options:
  --set key.path=value   override a value before validation (repeatable; value read as YAML)
${PARAM_HELP}

Exit codes: 0 valid, 2 invalid.`,
  async run(argv, io) {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { set: { type: 'string', multiple: true }, ...PARAM_OPTIONS } });
    if (positionals.length !== 1) throw new UsageError('expected exactly one pipeline file');
    const p = loadPipeline(path.resolve(io.cwd, positionals[0]), { env: io.env, set: values.set, params: values.param });
    const c = p.config;
    io.stdout.write(`ok: ${positionals[0]} — pipeline "${c.name}": source ${c.source.type} → ${c.transforms.length ? c.transforms.map((t) => t.type).join(' → ') : '(no transforms)'} → ${c.sinks.map((s) => s.type).join(', ')}; errors → ${c.errors?.type ?? 'csv in the state home (errors/<pipeline>/)'}\n`);
    const params = Object.entries(p.params);
    if (params.length) io.stdout.write(scrub(`params: ${params.map(([k, v]) => `${k}=${v}`).join(', ')}\n`, p.secrets));
    return 0;
  },
};
