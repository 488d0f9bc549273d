/** A CLI sub-command: one file per command under cli/commands/, listed in cli/main.ts. */
export interface Command {
  name: string;
  /** One line for `renkei --help`. */
  summary: string;
  /** Full `--help` text (usage, options, examples). */
  help: string;
  /** Returns the exit code: 0 ok, 1 run failed, 2 bad usage or configuration. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}
