// Loaded with `node --import` by bench/cli-process.ts: when the renkei process exits, its peak RSS
// (kilobytes, every thread) is written to the file named by RENKEI_BENCH_RSS.
import fs from 'node:fs';

const out = process.env.RENKEI_BENCH_RSS;
if (out) process.on('exit', () => fs.writeFileSync(out, String(process.resourceUsage().maxRSS)));
