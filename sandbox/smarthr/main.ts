/**
 * Standalone entry: `node bin/run-ts.js sandbox/smarthr/main.ts [options]` — the same as
 * `renkei sandbox smarthr [options]`, without loading the rest of the CLI (the benchmark runs the
 * sandbox in its own process this way).
 */
import { command } from '../../cli/commands/sandbox.ts';

process.exitCode = await command.run(['smarthr', ...process.argv.slice(2)], { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
