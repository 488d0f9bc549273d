/** `renkeiIn`: the CLI run in this process through `main(argv, io)` (see `runMain` in cli.ts). */
export { runMain as renkeiIn } from './cli.ts';
