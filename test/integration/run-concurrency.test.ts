/**
 * `options.concurrency` bounds real work: REST sink writes and API page fetches that do not set their
 * own `concurrency` use it (issue 9); a component's own setting wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { parsePipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import { ROOT } from '../helpers/cli.ts';

const HOOK = path.join(ROOT, 'test/integration/fixtures/hook-stage.ts');
let sb: SmarthrSandbox;
let dir: string;
beforeAll(async () => {
  sb = await startSmarthrSandbox({ state: generateTenant({ employees: 300, seed: 'conc' }), rateLimit: 0, latencyMs: 15 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-conc-'));
});
afterAll(async () => { await sb.stop(); });

let n = 0;
async function writes(options: string, sink = ''): Promise<number> {
  const tag = `C${++n}`;
  fs.writeFileSync(path.join(dir, `${tag}.json`), JSON.stringify(Array.from({ length: 24 }, (_, i) => ({ emp_code: `${tag}-${i}`, last_name: '林', first_name: `${i}`, gender: 'male' }))));
  const loaded = parsePipeline(`name: ${tag}
key: [emp_code]
source: { type: json, path: ${tag}.json }
transforms: [{ type: module, path: ${HOOK}, options: { status: new } }]
sinks:
  - { type: smarthr.crews, base_url: ${sb.url}, token: '\${SMARTHR_TOKEN}', rate_limit: 1000, fields: [emp_code, last_name, first_name, gender]${sink} }
errors: { type: csv, path: ${tag}-errors.csv }
options: { batch_size: 24${options} }
`, path.join(dir, `${tag}.yaml`), { env: { SMARTHR_TOKEN: sb.token } });
  sb.stats.reset();
  const r = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => { throw new Error('no db'); }, recordRun: false });
  expect(r.error).toBeNull();
  expect(r.counts.written).toBe(24);
  return sb.stats.peakInFlight;
}

async function pageReads(options: string): Promise<number> {
  const loaded = parsePipeline(`name: read
source: { type: smarthr.crews, base_url: ${sb.url}, token: '\${SMARTHR_TOKEN}', rate_limit: 1000, per_page: 10 }
sinks: [{ type: postgres, table: never_written, columns: [{ name: id, type: text }] }]
errors: { type: csv, path: read-errors.csv }
options: { max_rejected_ratio: 1${options} }
`, path.join(dir, 'read.yaml'), { env: { SMARTHR_TOKEN: sb.token } });
  sb.stats.reset();
  const r = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => { throw new Error('no db'); }, recordRun: false, dryRun: true, collect: () => {} });
  expect(r.error).toBeNull();
  return sb.stats.peakInFlight;
}

describe('options.concurrency', () => {
  it('bounds the writes in flight of a REST sink that does not set its own', async () => {
    expect(await writes(', concurrency: 1')).toBe(1);
    expect(await writes(', concurrency: 6')).toBeGreaterThan(1);
    expect(await writes(', concurrency: 6')).toBeLessThanOrEqual(6);
    expect(await writes(', concurrency: 6', ', concurrency: 1')).toBe(1);
  });

  it('bounds the pages fetched at once by an API source that does not set its own', async () => {
    expect(await pageReads(', concurrency: 1')).toBe(1);
    const many = await pageReads(', concurrency: 5');
    expect(many).toBeGreaterThan(1);
    expect(many).toBeLessThanOrEqual(5);
  });
});
