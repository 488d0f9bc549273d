/** pipelines/smarthr-crews.yaml and smarthr-departments.yaml through the runner: sandbox → Postgres. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { loadPipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let sb: SmarthrSandbox;
let db: TestDb;
let errorsDir: string;
beforeAll(async () => {
  [sb, db] = await Promise.all([startSmarthrSandbox({ employees: 1200, seed: 'pipelines', rateLimit: 0, departmentDepth: 3 }), freshDb()]);
  errorsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-smarthr-pl-'));
});
afterAll(async () => { await sb.stop(); fs.rmSync(errorsDir, { recursive: true, force: true }); });

async function run(file: string) {
  const env = { ...process.env, SMARTHR_URL: sb.url, SMARTHR_TOKEN: sb.token, RENKEI_ERRORS_DIR: errorsDir };
  const loaded = loadPipeline(path.join(ROOT, 'pipelines', file), { env, set: ['source.rate_limit=500'] });
  return runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }), recordRun: false, errorsDir });
}

describe('SmartHR pipelines into Postgres', () => {
  it('G1/G4: smarthr-crews loads every crew (flattened, upsert on id); a second run changes nothing', async () => {
    const first = await run('smarthr-crews.yaml');
    expect(first.status).toBe('succeeded');
    expect(first.counts).toMatchObject({ read: 1200, written: 1200, rejected: 0 });
    const snapshot = (await db.pool.query('SELECT * FROM smarthr_crews ORDER BY id')).rows;
    expect(snapshot).toHaveLength(1200);
    // A crew whose departments[] holds a null item: 部署1 is still its first real department.
    const c = sb.state.crews.find((x) => x.department_ids.includes(null))!;
    const row = snapshot.find((r) => r.id === c.id)!;
    const firstDept = sb.state.departments.find((d) => d.id === c.department_ids.find((x) => x !== null))!;
    expect(row.department_id).toBe(firstDept.id);
    expect(row.department_code).toBe(firstDept.code);
    expect(Array.isArray(row.departments)).toBe(true);
    expect(row.emp_code).toBe(c.emp_code);
    expect(row.employment_type_name).toBe(sb.state.employment_types.find((e) => e.id === c.employment_type_id)!.name);
    const second = await run('smarthr-crews.yaml');
    expect(second.status).toBe('succeeded');
    expect((await db.pool.query('SELECT * FROM smarthr_crews ORDER BY id')).rows).toEqual(snapshot);
  });

  it('smarthr-departments loads the tree with parent ids, departments without a code included', async () => {
    const report = await run('smarthr-departments.yaml');
    expect(report.status).toBe('succeeded');
    const { rows } = await db.pool.query('SELECT id, code, parent_id, full_name FROM smarthr_departments');
    expect(rows).toHaveLength(sb.state.departments.length);
    for (const d of sb.state.departments) {
      const r = rows.find((x) => x.id === d.id)!;
      expect(r.parent_id).toBe(d.parent_id);
      expect(r.code).toBe(d.code);
    }
    expect(rows.some((r) => r.code === null)).toBe(true);
  });
});
