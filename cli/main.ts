/** `renkei` — entry point: dispatches to one file per command, maps failures to exit codes. */
import fs from 'node:fs';
import type { Command, CommandIO } from './command.ts';
import { didYouMean } from '../config/suggest.ts';
import { ConfigError, RenkeiError } from '../engine/errors.ts';
import { UsageError } from './session.ts';
import { validateCommand } from './commands/validate.ts';
import { runCommand } from './commands/run.ts';
import { runsCommand } from './commands/runs.ts';
import { schemaCommand } from './commands/schema.ts';
import { demoCommand } from './commands/demo.ts';
import { planCommand } from './commands/plan.ts';
import { applyCommand } from './commands/apply.ts';
import { reportCommand } from './commands/report.ts';
import { command as sandboxCommand } from './commands/sandbox.ts';
import { dbCommand } from './commands/db.ts';
import { previewCommand } from './commands/preview.ts';
import { linkCommand } from './commands/link.ts';
import { initCommand } from './commands/init.ts';
import { scheduleCommand } from './commands/schedule.ts';
import { enqueueCommand } from './commands/enqueue.ts';
import { workerCommand } from './commands/worker.ts';
import { statusCommand } from './commands/status.ts';

export const commands: Command[] = [initCommand, validateCommand, previewCommand, runCommand, planCommand, applyCommand, reportCommand, runsCommand, dbCommand, schemaCommand, sandboxCommand, demoCommand, linkCommand, scheduleCommand, enqueueCommand, workerCommand, statusCommand];

function usage(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `renkei — streaming ETL for Japanese HR data

Usage: renkei <command> [options]    (renkei <command> --help for details; renkei --version)

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Exit codes: 0 ok (a run completed, even with rejected records), 1 the run failed, 2 bad usage or
configuration, 130 / 143 interrupted by SIGINT / SIGTERM.

State: RENKEI_HOME (default ~/.renkei; /var/lib/renkei as root) holds the embedded PostgreSQL,
plans and review pages; DATABASE_URL uses another server (renkei db status).
`;
}

/** renkei's version, from its package.json. */
export function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The options a command's help lists (`--name`), for "did you mean". */
const helpOptions = (help: string): string[] => [...new Set([...help.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]))];

export async function main(argv: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`renkei ${version()} (node ${process.versions.node})\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`renkei: unknown command "${name}"${didYouMean(name, commands.map((c) => c.name))}\nvalid: ${commands.map((c) => c.name).join(', ')} (renkei --help)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(cmd.help.endsWith('\n') ? cmd.help : cmd.help + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof ConfigError) { io.stderr.write(`renkei ${name}: ${e.message}\n`); return 2; }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.stderr.write(`renkei ${name}: ${usageMessage(e as Error & { code?: string }, cmd)}\n(see renkei ${name} --help)\n`);
      return 2;
    }
    // A usage problem found below the CLI (a damaged --state file, a port in use, --only of a status that cannot be applied) is still exit 2.
    if (e instanceof RenkeiError && e.code === 'USAGE') { io.stderr.write(`renkei ${name}: ${e.message}\n`); return 2; }
    if (e instanceof RenkeiError) { io.stderr.write(`renkei ${name}: ${e.code}: ${e.message}\n`); return 1; }
    io.stderr.write(`renkei ${name}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

/** Node's parseArgs wording made short, with a suggestion for a mistyped option. */
function usageMessage(e: Error & { code?: string }, cmd: Command): string {
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const opt = /'(-{1,2}[^']+)'/.exec(e.message)?.[1] ?? '';
    return `unknown option ${opt}${didYouMean(opt, helpOptions(cmd.help))}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument: ${/'([^']+)'/.exec(e.message)?.[1] ?? e.message}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return e.message.split('\n')[0].replace(/^Option /, 'option ');
  return e.message;
}
