/**
 * Honest counts for a sink that cannot roll back (issue 8): when a run into SmartHR fails or is
 * interrupted after SmartHR acknowledged some writes, the report, the run table and the message say
 * exactly how many records stay written — the number the sandbox holds — and never "nothing was
 * committed".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { parsePipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import type { Rec } from '../../engine/types.ts';
import type { Db } from '../../db/connect.ts';
import { listRuns } from '../../db/runs.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { ROOT } from '../helpers/cli.ts';

const FIELDS = ['emp_code', 'last_name', 'first_name', 'gender', 'email'];
const HOOK = path.join(ROOT, 'test/integration/fixtures/hook-stage.ts');

let sb: SmarthrSandbox;
let tdb: TestDb;
let db: Db;
let dir: string;
beforeAll(async () => {
  sb = await startSmarthrSandbox({ state: generateTenant({ employees: 10, seed: 'partial' }), rateLimit: 0 });
  tdb = await freshDb();
  db = { pool: tdb.pool, url: tdb.url, close: async () => {} };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-partial-'));
});
afterAll(async () => { await sb.stop(); });
afterEach(() => { delete (globalThis as { __renkeiHook?: unknown }).__renkeiHook; });

let batchNo = 0;
/** JSON → hook stage → smarthr.crews (creates), batch size 2, one write at a time. */
function load(people: Array<Record<string, unknown>>, extra = '') {
  const tag = `P${++batchNo}`;
  const rows = people.map((p, i) => ({ emp_code: `${tag}-${i}`, last_name: '山田', first_name: `花子${i}`, gender: 'female', email: `${tag.toLowerCase()}-${i}@example.jp`, ...p }));
  fs.writeFileSync(path.join(dir, `${tag}.json`), JSON.stringify(rows));
  const yaml = `name: partial-${tag}
key: [emp_code]
source: { type: json, path: ${tag}.json }
transforms:
  - { type: module, path: ${HOOK}, options: { status: new } }
sinks:
  - type: smarthr.crews
    base_url: ${sb.url}
    token: \${SMARTHR_TOKEN}
    rate_limit: 1000
    concurrency: 1
    fields: [${FIELDS.join(', ')}]
errors: { type: csv, path: '${tag}-errors.csv' }
options: { batch_size: 2${extra} }
`;
  const loaded = parsePipeline(yaml, path.join(dir, `${tag}.yaml`), { env: { SMARTHR_TOKEN: sb.token } });
  const held = () => sb.state.crews.filter((c) => String(c.emp_code).startsWith(`${tag}-`)).length;
  return { loaded, held };
}

const hook = (fn: (rec: Rec, n: number) => void) => { (globalThis as { __renkeiHook?: unknown }).__renkeiHook = fn; };

async function recorded(runId: string) {
  const [row] = await listRuns(db.pool, { limit: 1, id: runId });
  return row;
}

describe('REST sinks: acknowledged writes are counted when a run fails', () => {
  it('G1: error budget exceeded after SmartHR accepted writes: written = what SmartHR holds, not "nothing was committed"', async () => {
    // Record 4 has a gender SmartHR refuses (400): rejected, and max_rejected 0 then fails the run.
    const { loaded, held } = load([{}, {}, {}, { gender: 'unknown' }, {}, {}], ', max_rejected: 0');
    const report = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => db });
    expect(report.status).toBe('failed');
    expect(report.error!.code).toBe('ERROR_BUDGET');
    expect(held()).toBe(3);
    expect(report.counts.written).toBe(3);
    expect(report.error!.message).toMatch(/3 records stay written by sinks\[0\]:smarthr\.crews/);
    expect(report.error!.message).not.toMatch(/nothing was committed/);
    expect(report.sinks).toEqual([{ sink: 'sinks[0]:smarthr.crews', commits: 'per-record', written: 3 }]);
    const row = await recorded(report.run_id);
    expect(row.status).toBe('failed');
    expect(row.counts!.written).toBe(3);
  });

  it('G1: the token revoked mid-run (401, fatal): written = what SmartHR acknowledged before', async () => {
    const { loaded, held } = load([{}, {}, {}, {}, {}, {}, {}, {}]);
    hook((_rec, n) => { if (n === 5) sb.revokeToken(); });
    try {
      const report = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => db });
      expect(report.status).toBe('failed');
      expect(report.error!.message).toMatch(/unauthorized_token|401/);
      expect(held()).toBe(4);
      expect(report.counts.written).toBe(4);
      expect(report.error!.message).toMatch(/4 records stay written/);
      expect((await recorded(report.run_id)).counts!.written).toBe(4);
    } finally {
      // Later tests need a working token: a new sandbox token cannot be set, so restart the sandbox.
      const state = sb.state;
      await sb.stop();
      sb = await startSmarthrSandbox({ state, rateLimit: 0 });
    }
  });

  it('G1: interrupted mid-run (SIGINT): SmartHR stops receiving writes, written = what it holds, run interrupted', async () => {
    const { loaded, held } = load([{}, {}, {}, {}, {}, {}, {}, {}, {}, {}]);
    const abort = new AbortController();
    hook((_rec, n) => { if (n === 5) abort.abort('SIGINT'); });
    const report = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => db, signal: abort.signal });
    expect(report.status).toBe('interrupted');
    expect(report.interrupted_by).toBe('SIGINT');
    expect(report.error!.code).toBe('INTERRUPTED');
    expect(held()).toBe(4);
    expect(report.counts.written).toBe(4);
    expect(report.error!.message).toMatch(/^interrupted by SIGINT; 4 records stay written/);
    const row = await recorded(report.run_id);
    expect(row.status).toBe('interrupted');
    expect(row.counts!.written).toBe(4);
  });

  it('a dry run rehearses a REST sink: bodies are built and checked, nothing is sent, and it would write what the real run writes', async () => {
    const { loaded, held } = load([{}, {}, {}, {}, {}]);
    const writes = sb.stats.writes;
    const dry = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => db, dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(dry.kind).toBe('dry-run');
    expect(dry.counts).toMatchObject({ read: 5, would_write: 5, rejected: 0 });
    expect(sb.stats.writes).toBe(writes);
    expect(held()).toBe(0);
    const real = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => db });
    expect(real.counts).toMatchObject({ read: 5, written: 5 });
    expect(held()).toBe(5);
  });
});
