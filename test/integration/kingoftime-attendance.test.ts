/**
 * Attendance into PostgreSQL through the CLI: KING OF TIME daily workings for a month over real HTTP
 * (split into requests of at most `days_per_request` days), upserted on (employee, date) with
 * integer minutes and jsonb holidays / custom items — re-running the same range changes nothing (G4);
 * and a KOT-style Shift_JIS CSV export with times past 24:00, whose blank and malformed cells land in
 * the error CSV with their line (G2). The 10,000 × 31 load is measured in bench/kingoftime-attendance.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKingoftimeSandbox, type KingoftimeSandbox } from '../../sandbox/kingoftime/server.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { ROOT, runMain } from '../helpers/cli.ts';
import { farClosedWindow } from '../../sandbox/kingoftime/far-window.ts';

const AWAY = farClosedWindow();

let kot: KingoftimeSandbox;
let db: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  kot = await startKingoftimeSandbox({ employees: 400, seed: 'attendance', rateLimit: 0, now: () => Date.parse('2026-04-01T12:00:00+09:00') });
  db = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-kot-att-'));
  env = { KOT_URL: kot.url, KOT_TOKEN: kot.token, KOT_RATE_LIMIT: '100', KOT_DAYS_PER_REQUEST: '7', DATABASE_URL: db.url, RENKEI_ERRORS_DIR: path.join(dir, 'errors') };
});
afterAll(async () => { await kot.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

const API = path.join(ROOT, 'pipelines', 'kingoftime-attendance-to-postgres.yaml');
const CSV = path.join(ROOT, 'pipelines', 'attendance-csv-to-postgres.yaml');

describe('attendance into PostgreSQL', () => {
  it('G4: a month of daily workings in ≤ 7-day requests, one row per employee and day, integer minutes; the same range again changes nothing', async () => {
    const args = ['run', API, '--param', 'start=2026-03-01', '--param', 'end=2026-03-31', '--set', `source.closed_windows=${AWAY}`, '--report-json', path.join(dir, 'r1.json')];
    const r1 = await runMain(args, env, dir);
    expect(r1.code, r1.stderr).toBe(0);
    const gets = kot.requests.filter((q) => q.path.startsWith('/v1.0/daily-workings'));
    expect(gets.map((q) => new URL(q.path, 'http://x').searchParams.get('start'))).toEqual(['2026-03-01', '2026-03-08', '2026-03-15', '2026-03-22', '2026-03-29']);
    const expected = kot.state.employees.reduce((n, e) => {
      let days = 0;
      for (let d = 1; d <= 31; d++) {
        const date = `2026-03-${String(d).padStart(2, '0')}`;
        if ((!e.hiredDate || e.hiredDate <= date) && (!e.resignationDate || e.resignationDate >= date)) days++;
      }
      return n + days;
    }, 0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'r1.json'), 'utf8'));
    expect(report.counts).toMatchObject({ read: expected, written: expected, rejected: 0 });
    const snapshot = async () => (await db.pool.query(`SELECT md5(string_agg(t::text, '|' ORDER BY employee_key, work_date)) AS h, count(*)::int AS n FROM kot_daily_workings t`)).rows[0];
    const before = await snapshot();
    expect(before.n).toBe(expected);
    const types = await db.pool.query(`SELECT data_type FROM information_schema.columns WHERE table_name = 'kot_daily_workings' AND column_name IN ('total_work_min', 'holidays') ORDER BY column_name`);
    expect(types.rows.map((t) => t.data_type)).toEqual(['jsonb', 'integer']);
    const night = await db.pool.query(`SELECT custom_items FROM kot_daily_workings WHERE total_work_min > 0 LIMIT 1`);
    expect(night.rows[0].custom_items[0]).toMatchObject({ code: 'C01', calculationResult: 1 });
    const r2 = await runMain(args, env, dir);
    expect(r2.code, r2.stderr).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('G2: a KOT-style Shift_JIS CSV loads times past 24:00; blank and malformed cells land in the error CSV with their line', async () => {
    const r = await runMain(['run', CSV, '--report-json', path.join(dir, 'csv.json')], env, dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'csv.json'), 'utf8'));
    expect(report.counts).toMatchObject({ read: 15, written: 12, rejected: 3 });
    expect(report.reasons.rejected).toEqual({ MISSING_FIELD: 1, INVALID_TIME: 1, INVALID_DATE: 1 });
    const night = await db.pool.query(`SELECT clock_in_min, clock_out_min, late_night_min FROM kot_attendance_csv WHERE employee_code = '000003' AND work_date = '2026-03-02'`);
    expect(night.rows).toEqual([{ clock_in_min: 1020, clock_out_min: 1530, late_night_min: 210 }]);
    const errors = fs.readFileSync(report.errors_file, 'utf8');
    // File lines: the header is line 1.
    expect(errors).toMatch(/"MISSING_FIELD","clock_in_min is required","000001\|2026\/03\/02","data\/kot-attendance.sample.csv:5"/);
    expect(errors).toMatch(/"INVALID_TIME",[^\n]*"data\/kot-attendance.sample.csv:9"/);
    expect(errors).toMatch(/"INVALID_DATE",[^\n]*"data\/kot-attendance.sample.csv:13"/);
  });
});
