/**
 * M-D7 end to end through both sandboxes: employees synced before their departments are refused
 * before any write, with a message saying to run smarthr-departments-to-mikiwame first; after it the
 * employees sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { pipeline, renkeiRun, sh, startPair, type Pair } from '../helpers/mikiwame.ts';

const EMPLOYEES = pipeline('smarthr-employees-to-mikiwame.yaml');
const DEPARTMENTS = pipeline('smarthr-departments-to-mikiwame.yaml');
let db: TestDb;
let p: Pair;

beforeAll(async () => {
  db = await freshDb();
  p = await startPair(db);
  for (let i = 1; i <= 5; i++) {
    const d = await sh(p, 'POST', '/v1/departments', { name: `部署${i}`, code: `B00${i}` });
    await sh(p, 'POST', '/v1/crews', {
      emp_code: `F00${i}`, last_name: '順番', first_name: `${i}郎`, last_name_yomi: 'ジュンバン', first_name_yomi: 'イチロウ', email: `f00${i}@order.jp`,
      gender: 'male', birth_at: '1990-01-01', entered_at: '2020-04-01', emp_status: 'employed', department_ids: [d.id],
    });
  }
});
afterAll(async () => { await p?.sh.stop(); await p?.mw.stop(); });

describe('M-D7: departments first', () => {
  it('M-D7: employees whose departments Mikiwame lacks are refused before any write, naming the departments pipeline', async () => {
    const before = p.mw.writeRequests;
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DEPARTMENTS_NOT_SYNCED|M-D7/);
    expect(r.stderr).toContain('smarthr-departments-to-mikiwame');
    expect(p.mw.writeRequests).toBe(before);
    expect(p.mw.state.employees).toHaveLength(0);
  });

  it('M-D7: after the departments pipeline the same employees sync', async () => {
    expect((await renkeiRun(p, ['run', DEPARTMENTS])).code).toBe(0);
    const r = await renkeiRun(p, ['run', EMPLOYEES]);
    expect(r.code).toBe(0);
    expect(p.mw.state.employees.map((e) => e.emp_code).sort()).toEqual(['F001', 'F002', 'F003', 'F004', 'F005']);
  });
});
