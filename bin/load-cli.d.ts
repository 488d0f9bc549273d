/** Types for load-cli.js (plain JavaScript: it runs before any TypeScript can). */
import type { CommandIO } from '../cli/command.ts';

/** The compiled CLI's URL, or undefined when there is none or a source it was built from changed. */
export function compiledCli(distDir: string): string | undefined;
/** `main(argv, io)` from cli/main.ts, compiled or through tsx. */
export function loadMain(distDir?: string): Promise<(argv: string[], io?: CommandIO) => Promise<number>>;
