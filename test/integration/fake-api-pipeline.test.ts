/**
 * Proof that a new API is new files only: a fake API shaped like KING OF TIME (test/fixtures/fake-api:
 * `{errors:[…]}` bodies, `303` throttling, unpaged lists, closed hours answered with 403/104, records
 * identified by `key`) read by a whole pipeline through the runner into PostgreSQL, starting inside a
 * closed window that is waited out on a virtual clock. Nothing outside test/ knows this API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../engine/runner.ts';
import { makeCtx } from '../../engine/context.ts';
import { Drop, type Rec } from '../../engine/types.ts';
import { RestWriter } from '../../sinks/rest-writer.ts';
import { fakeListSources } from '../fixtures/fake-api/list-sources.ts';
import { fakeProfile } from '../fixtures/fake-api/profile.ts';
import { fakeApiClosed, startFakeApi, type FakeApi } from '../fixtures/fake-api/server.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { loadWithSources } from '../helpers/extra-sources.ts';
import { tokyo, virtualClock, type VirtualClock } from '../helpers/virtual-clock.ts';

const EMPLOYEES = [
  { key: 'a1f0', code: '1001', lastName: '山田', firstName: '太郎' },
  { key: 'b2e1', code: '1002', lastName: '佐藤', firstName: '花子' },
  { key: 'c3d2', code: '1003', lastName: '鈴木', firstName: '一郎' },
  { key: 42, code: '1004', lastName: '田中', firstName: '次郎' }, // not a string key: rejected FAKE_BAD_ITEM
  { key: 'e5b4', code: '1005', lastName: '高橋', firstName: '三郎' },
];

let db: TestDb;
let dir: string;
beforeAll(async () => {
  db = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-fake-api-'));
});
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const yaml = (api: FakeApi, table: string, extra = '') => `name: fake-employees
key: [code]
source:
  type: fake.employees
  base_url: "${api.url}"
  token: "${api.token}"
  rate_limit: 50
  retry_base_ms: 10${extra}
sinks:
  - type: postgres
    connection: "${db.url}"
    table: ${table}
    mode: upsert
    key: [key]
    create_table: true
    columns:
      - { name: key, type: text }
      - { name: code, type: text }
      - { name: last_name, type: text, from: lastName }
errors: { type: csv, path: errors.csv }
`;

async function run(api: FakeApi, clock: VirtualClock, table: string, extra = '') {
  const loaded = loadWithSources(yaml(api, table, extra), path.join(dir, 'fake.yaml'), fakeListSources(clock));
  return runPipeline(loaded, {
    logger: pino({ level: 'silent' }), now: () => new Date(clock.wall()), recordRun: false,
    db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }),
  });
}

describe('a fake API profile defined in test/ only, through the runner', () => {
  it('starts at 08:59 Tokyo, waits out the closed window on the clock, rides out 303 throttling, loads the list', async () => {
    const clock = virtualClock(tokyo('08:59:00'));
    const api = await startFakeApi({ wall: clock.wall, lists: { employees: EMPLOYEES }, throttleFirst: 2 });
    try {
      const report = await run(api, clock, 'fake_employees');
      expect(report.error).toBeNull();
      expect(report.status).toBe('succeeded');
      expect(report.counts).toMatchObject({ read: 5, written: 4, rejected: 1 });
      expect(report.reasons.rejected).toEqual({ FAKE_BAD_ITEM: 1 });

      // No request reached the server inside the window: none refused with 403/104, all after 10:00.
      expect(api.requests.map((r) => r.status)).toEqual([429, 429, 200]);
      expect(api.requests.every((r) => !fakeApiClosed(r.wall) && r.wall >= tokyo('10:00:00'))).toBe(true);
      expect(clock.sleeps).toContain(61 * 60_000);

      const { rows } = await db.pool.query('SELECT key, code, last_name FROM fake_employees ORDER BY code');
      expect(rows).toEqual([
        { key: 'a1f0', code: '1001', last_name: '山田' },
        { key: 'b2e1', code: '1002', last_name: '佐藤' },
        { key: 'c3d2', code: '1003', last_name: '鈴木' },
        { key: 'e5b4', code: '1005', last_name: '高橋' },
      ]);
      const errors = fs.readFileSync(report.errors_file!, 'utf8');
      expect(errors).toContain('FAKE_BAD_ITEM');
      expect(errors).toContain('GET /employees #4');
    } finally { await api.stop(); }
  });

  it('closed_hours: fail stops the run inside the window without sending a request, and loads nothing', async () => {
    const clock = virtualClock(tokyo('17:40:00'));
    const api = await startFakeApi({ wall: clock.wall, lists: { employees: EMPLOYEES } });
    try {
      const report = await run(api, clock, 'fake_employees_fail', '\n  closed_hours: fail');
      expect(report.status).toBe('failed');
      expect(report.error).toMatchObject({ code: 'SOURCE_HTTP' });
      expect(report.error!.message).toMatch(/FakeAPI takes no requests during 08:30–10:00, 17:30–18:30 Asia\/Tokyo/);
      expect(api.requests).toEqual([]);
      const { rows } = await db.pool.query("SELECT to_regclass('fake_employees_fail') AS t");
      expect(rows[0].t).toBeNull();
    } finally { await api.stop(); }
  });

  it('a REST writer on this profile updates by its identity field `key`, and says so when it is missing', () => {
    const writer = new RestWriter(makeCtx(), 1, fakeProfile);
    const changed = (target: Record<string, unknown>): Rec => ({ data: { code: '1001' }, origin: 'x:1', meta: { status: 'changed', target } });
    expect(writer.target(changed({ key: 'a1f0', id: 'not-this' }), 'code 1001')).toBe('a1f0');
    const missing = writer.target(changed({ id: 'only-an-id' }), 'code 1001');
    expect(missing).toBeInstanceOf(Drop);
    expect((missing as Drop).code).toBe('NO_TARGET_ID');
    expect((missing as Drop).message).toContain('carry: [key]');
  });
});
