/**
 * Fault suite (issue 14): the KING OF TIME pipelines — kingoftime-attendance-to-postgres,
 * kingoftime-to-smarthr and smarthr-to-kingoftime — under closed hours announced mid-run (403, code
 * 104: waited out, K9), 429 storms, 5xx bursts, resets mid-body, truncated answers, answers slower than
 * the client timeout, faulted writes and the Postgres backend terminated mid-COPY. KING OF TIME's
 * clients and sandbox share a virtual clock (noon in Tokyo), so waits cost nothing real.
 */
import { beforeAll, describe, expect } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import {
  D, faultSuite, injected, kotDuplicates, kotSnapshot, kotWorld, pipelineFile, smarthrDuplicates, smarthrSnapshot, tableDuplicates, tableSnapshot,
  terminateCopy, until, type Faults, type PipelineCase,
} from '../helpers/faults.ts';

let db: TestDb;
beforeAll(async () => { db = await freshDb(); });
const getDb = (): TestDb => db;

const ATTENDANCE = 'kot_daily_workings';
const KEY = ['employee_key', 'work_date'];
const attendance: PipelineCase & { name: string } = {
  name: 'kingoftime-attendance-to-postgres', file: pipelineFile('kingoftime-attendance-to-postgres.yaml'),
  world: async (f, d) => {
    const w = await kotWorld(f, d, { table: ATTENDANCE, employees: 40, withSmarthr: false });
    w.params = ['start=2026-03-01', 'end=2026-03-31'];
    w.env.KOT_DAYS_PER_REQUEST = '7';                     // 5 requests for March
    return w;
  },
  snapshot: (_w, d) => tableSnapshot(d, ATTENDANCE, KEY),
  duplicates: (_w, d) => tableDuplicates(d, ATTENDANCE, KEY),
};

describe('fault suite: kingoftime-attendance-to-postgres (KING OF TIME → Postgres)', () => {
  faultSuite(attendance, [
    { title: 'K9/G1/G2/G4: kingoftime-attendance-to-postgres with closed hours announced mid-range (403, code 104): waited out, nothing lost',
      faults: () => ({ kot: [{ fault: 'closed', from: 3, count: 3 }] }),
      check: (r, w) => { expect(injected(w, 'closed')).toBe(3); expect(r.runs).toHaveLength(1); expect(w.clock!.sleeps.filter((ms) => ms === 60_000)).toHaveLength(3); } },
    { title: 'G1/G2/G4: kingoftime-attendance-to-postgres under a 429 storm (code 303)', faults: () => ({ kot: [{ fault: 'http429', from: 2, count: 6 }] }),
      check: (r, w) => { expect(injected(w, 'http429')).toBe(6); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: kingoftime-attendance-to-postgres under a 5xx burst, a reset mid-body and a truncated answer',
      faults: () => ({ kot: [{ fault: 'http500', from: 1, count: 2 }, { fault: 'reset', from: 3 }, { fault: 'truncated', from: 4 }] }),
      check: (r, w) => { expect(injected(w, 'reset') + injected(w, 'truncated')).toBe(2); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: kingoftime-attendance-to-postgres with an answer slower than the client timeout', faults: () => ({ kot: [{ fault: 'slow', from: 2 }] }),
      check: (_r, w) => { expect(injected(w, 'slow')).toBe(1); } },
    { title: 'G1/G2/G4: kingoftime-attendance-to-postgres with the Postgres backend terminated mid-COPY: nothing committed, the re-run converges',
      set: ['options.batch_size=50'],
      faults: (d): Faults => {
        let done = false;
        return { onKot: async (req) => {
          if (done || !req.path.endsWith('/daily-workings')) return;
          if ((await d.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'renkei sink:postgres %'`)).rows[0].n === 0) return;
          done = true;
          expect(await until(() => terminateCopy(d), 20_000)).toBe(true);
        } };
      },
      check: (r) => { expect(r.runs[0].report.status).toBe('failed'); expect(r.runs[0].report.error!.message).toMatch(/nothing was committed/); } },
  ], getDb);
});

const toSmarthr: PipelineCase & { name: string } = {
  name: 'kingoftime-to-smarthr', file: pipelineFile('kingoftime-to-smarthr.yaml'),
  world: async (f, d) => {
    const w = await kotWorld(f, d);
    w.params = [`office=${w.sh!.state.biz_establishments[0].id}`, `date=${D}`];
    return w;
  },
  snapshot: async (w) => smarthrSnapshot(w.sh!),
  duplicates: async (w) => smarthrDuplicates(w.sh!),
};

describe('fault suite: kingoftime-to-smarthr (KING OF TIME → SmartHR)', () => {
  faultSuite(toSmarthr, [
    { title: 'K9/G1/G2/G4: kingoftime-to-smarthr with closed hours announced on the KING OF TIME read', faults: () => ({ kot: [{ fault: 'closed', from: 1, count: 2 }] }),
      check: (r, w) => { expect(injected(w, 'closed')).toBe(2); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: kingoftime-to-smarthr under a 429 storm on the SmartHR writes (creates included: a 429 did nothing)',
      faults: () => ({ sh: [{ fault: 'http429', from: 1, count: 10, on: 'write' }] }),
      check: (r, w) => { expect(injected(w, 'http429')).toBe(10); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: kingoftime-to-smarthr with 503 on writes and a 5xx burst on the SmartHR read',
      faults: () => ({ sh: [{ fault: 'maintenance', from: 2, count: 2, on: 'write' }, { fault: 'http502', from: 1, count: 2 }] }),
      check: (r) => { expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: kingoftime-to-smarthr with an update failing past its retries (500 × 9): rejected and counted, the re-run converges',
      set: ['sinks.0.concurrency=1'], faults: () => ({ sh: [{ fault: 'http500', from: 1, count: 9, on: 'write', method: 'PATCH' }] }),
      check: (r) => { expect(r.runs[0].errors.filter((e) => e.code === 'SINK_HTTP')).toHaveLength(1); expect(r.runs).toHaveLength(2); } },
    { title: 'G1/G2/G4: kingoftime-to-smarthr with a create answered 500 (not retried: its outcome is unknown) — rejected, the re-run converges, nothing created twice',
      writesFaulted: true, faults: () => ({ sh: [{ fault: 'http500', from: 1, on: 'write', method: 'POST', path: '/v1/crews' }] }),
      check: (r) => { expect(r.runs[0].errors.some((e) => e.code === 'SINK_HTTP')).toBe(true); expect(r.runs.length).toBeGreaterThan(1); } },
  ], getDb);
});

const toKot: PipelineCase & { name: string } = {
  name: 'smarthr-to-kingoftime', file: pipelineFile('smarthr-to-kingoftime.yaml'),
  world: async (f, d) => {
    const w = await kotWorld(f, d);
    w.params = ['division=3000', 'working_type=2', `date=${D}`];
    return w;
  },
  snapshot: async (w) => kotSnapshot(w.kot!),
  duplicates: async (w) => kotDuplicates(w.kot!),
};

describe('fault suite: smarthr-to-kingoftime (SmartHR → KING OF TIME)', () => {
  faultSuite(toKot, [
    { title: 'K9/G1/G2/G4: smarthr-to-kingoftime with closed hours announced on KING OF TIME writes: waited out, then sent once',
      faults: () => ({ kot: [{ fault: 'closed', from: 2, count: 3, on: 'write' }] }),
      check: (r, w) => { expect(injected(w, 'closed')).toBe(3); expect(r.runs).toHaveLength(1); } },
    { title: 'K9/G1/G2/G4: smarthr-to-kingoftime with on_closed=fail and closed hours announced mid-writes: the run fails, written = the writes KING OF TIME applied, the re-run converges',
      set: ['sinks.0.closed_hours=fail', 'sinks.0.concurrency=1'], faults: () => ({ kot: [{ fault: 'closed', from: 4, count: 1, on: 'write' }] }),
      check: (r) => {
        const first = r.runs[0];
        expect(first.report.status).toBe('failed');
        expect(first.report.error!.message).toMatch(/closed hours/);
        expect(first.report.counts.written).toBe(3);
        expect(first.applied).toBe(3);
      } },
    { title: 'G1/G2/G4: smarthr-to-kingoftime with a reset mid-body on updates (PUT, retried) and a 429 storm',
      writesFaulted: true, faults: () => ({ kot: [{ fault: 'reset', from: 1, count: 2, on: 'write', method: 'PUT' }, { fault: 'http429', from: 1, count: 4, on: 'any' }] }),
      check: (r, w) => { expect(injected(w, 'reset')).toBe(2); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: smarthr-to-kingoftime with a create applied but its answer lost (reset): rejected, the re-run sees it, nothing created twice',
      writesFaulted: true, faults: () => ({ kot: [{ fault: 'reset', from: 1, on: 'write', method: 'POST' }] }),
      check: (r, w) => { expect(injected(w, 'reset')).toBe(1); expect(r.runs[0].errors.some((e) => e.code === 'SINK_HTTP')).toBe(true); expect(r.runs.length).toBeGreaterThan(1); } },
    { title: 'G1/G2/G4: smarthr-to-kingoftime with slow answers past the client timeout on reads and writes',
      writesFaulted: true, faults: () => ({ kot: [{ fault: 'slow', from: 1, count: 1 }, { fault: 'slow', from: 2, on: 'write' }] }),
      check: (_r, w) => { expect(injected(w, 'slow')).toBe(2); } },
  ], getDb);
});
