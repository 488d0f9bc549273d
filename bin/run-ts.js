#!/usr/bin/env node
// Runs a TypeScript file (benchmarks, scripts) through tsx's loader: `node bin/run-ts.js FILE [args]`.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
register();
const file = process.argv[2];
if (!file) { console.error('usage: run-ts FILE [args]'); process.exit(2); }
process.argv.splice(2, 1);
// Scripts ask bench/entry.ts whether they are the file being run (argv no longer names it).
process.env.RENKEI_ENTRY = path.resolve(file);
await import(pathToFileURL(path.resolve(file)).href);
