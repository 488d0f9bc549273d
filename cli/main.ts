/** `renkei` — entry point: dispatches to one file per command, maps failures to exit codes. */
import type { Command, CommandIO } from './command.ts';
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
import { linkCommand } from './commands/link.ts';

export const commands: Command[] = [validateCommand, runCommand, planCommand, applyCommand, reportCommand, runsCommand, dbCommand, schemaCommand, sandboxCommand, demoCommand, linkCommand];

function usage(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `renkei — streaming ETL for Japanese HR data

Usage: renkei <command> [options]    (renkei <command> --help for details)

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Exit codes: 0 ok (a run completed, even with rejected records), 1 the run failed, 2 bad usage or
configuration, 130 / 143 interrupted by SIGINT / SIGTERM.

State: RENKEI_HOME (default ~/.renkei; /var/lib/renkei as root) holds the embedded PostgreSQL,
plans and review pages; DATABASE_URL uses another server (renkei db status).
`;
}

export async function main(argv: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`renkei: unknown command "${name}"; valid: ${commands.map((c) => c.name).join(', ')}\n`);
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
      io.stderr.write(`renkei ${name}: ${(e as Error).message}\n(see renkei ${name} --help)\n`);
      return 2;
    }
    if (e instanceof RenkeiError) { io.stderr.write(`renkei ${name}: ${e.code}: ${e.message}\n`); return 1; }
    io.stderr.write(`renkei ${name}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
