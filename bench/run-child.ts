/**
 * Runs one pipeline in this (child) process and prints one JSON line with the report's counts,
 * the wall time and the process's peak RSS — so a benchmark measures memory per run, not per suite.
 * Usage: node bin/run-ts.js bench/run-child.ts PIPELINE.yaml [key=value ...]
 */
import pino from 'pino';
import { loadPipeline } from '../config/load.ts';
import { runPipeline } from '../engine/runner.ts';
import { newPool, type Db } from '../db/connect.ts';

const [file, ...sets] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!file || !url) { console.error('usage: DATABASE_URL=… run-child.ts PIPELINE.yaml [k=v…]'); process.exit(2); }
const loaded = loadPipeline(file, { set: sets });
const pool = newPool(url);
const db: Db = { pool, url, close: async () => { await pool.end(); } };
const t0 = performance.now();
const report = await runPipeline(loaded, { logger: pino({ level: 'warn' }), db: async () => db, recordRun: false });
const seconds = (performance.now() - t0) / 1000;
await pool.end();
process.stdout.write(JSON.stringify({ status: report.status, error: report.error, counts: report.counts, seconds, max_rss_mb: process.resourceUsage().maxRSS / 1024 }) + '\n');
