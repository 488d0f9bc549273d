/**
 * Fault suite (issue 14): the pipelines that read a file — hr-master-to-smarthr (CSV → SmartHR),
 * attendance-csv-to-postgres and demo-attendance (Shift_JIS CSV → Postgres) — with SmartHR's writes
 * faulted (429 storms, 5xx bursts, resets, answers past the client timeout) and the Postgres sink's
 * backend terminated mid-COPY. Each converges to the clean run's target.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import {
  csvWorld, faultSuite, injected, pipelineFile, shWorld, smarthrDuplicates, smarthrSnapshot, tableDuplicates, tableSnapshot,
  terminateCopy, until, type Faults, type PipelineCase,
} from '../helpers/faults.ts';
import { ROOT } from '../helpers/cli.ts';

let db: TestDb;
const getDb = (): TestDb => db;
beforeAll(async () => { db = await freshDb(); });

const hrMaster: PipelineCase & { name: string } = {
  name: 'hr-master-to-smarthr', file: pipelineFile('hr-master-to-smarthr.yaml'),
  world: async (f, d) => {
    // The sample master into a tenant without generated crews (only the rule cases): nearly every row is a create.
    const w = await shWorld(f, d, undefined, 0);
    const sample = path.join(ROOT, 'pipelines/data/hr-master.sample.csv');
    fs.copyFileSync(sample, path.join(w.dir, 'hr-master.csv'));
    w.env.HR_MASTER = path.join(w.dir, 'hr-master.csv');
    return w;
  },
  snapshot: async (w) => smarthrSnapshot(w.sh!),
  duplicates: async (w) => smarthrDuplicates(w.sh!),
};

describe('fault suite: hr-master-to-smarthr (CSV → SmartHR)', () => {
  faultSuite(hrMaster, [
    { title: 'G1/G2/G4: hr-master-to-smarthr under a 429 storm on the creates', faults: () => ({ sh: [{ fault: 'http429', from: 5, count: 12, on: 'write' }] }),
      check: (r, w) => { expect(injected(w, 'http429')).toBe(12); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: hr-master-to-smarthr with a 503 burst on the creates (nothing done: sent again) and a 5xx burst on the read',
      faults: () => ({ sh: [{ fault: 'maintenance', from: 3, count: 3, on: 'write' }, { fault: 'http500', from: 1, count: 2 }, { fault: 'reset', from: 3 }] }),
      check: (r) => { expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: hr-master-to-smarthr with creates refused 502 (not sent again: a create is not idempotent): rejected and counted, written = what SmartHR holds, the re-run creates them once',
      faults: () => ({ sh: [{ fault: 'http502', from: 3, count: 8, on: 'write', method: 'POST' }] }),
      check: (r) => { expect(r.runs[0].errors.filter((e) => e.code === 'SINK_HTTP')).toHaveLength(8); expect(r.runs).toHaveLength(2); } },
    { title: 'G1/G2/G4: hr-master-to-smarthr with creates applied but their answers lost (reset, past the timeout): rejected, the re-run sees them, nothing created twice',
      writesFaulted: true, faults: () => ({ sh: [{ fault: 'reset', from: 2, on: 'write' }, { fault: 'slow', from: 9, on: 'write' }] }),
      check: (r, w) => {
        expect(injected(w, 'reset') + injected(w, 'slow')).toBe(2);
        expect(r.runs[0].errors.filter((e) => e.code === 'SINK_HTTP')).toHaveLength(2);
        expect(r.runs.length).toBeGreaterThan(1);
      } },
  ], getDb);
});

/** Terminates the sink's backend once a COPY is under way (polled: a file source has no request to hold back). */
function killCopyWhenUnderWay(d: TestDb): { killed: Promise<boolean> } {
  return { killed: until(() => terminateCopy(d), 30_000) };
}

const csvToPg = (name: string, table: string, key: string[], kind: 'kot' | 'demo', rows: number): PipelineCase & { name: string } => ({
  name, file: pipelineFile(`${name}.yaml`),
  world: (_f, d) => csvWorld(d, table, kind, rows),
  snapshot: (_w, d) => tableSnapshot(d, table, key),
  duplicates: (_w, d) => tableDuplicates(d, table, key),
});

for (const [name, table, key, kind] of [
  ['attendance-csv-to-postgres', 'kot_attendance_csv', ['employee_code', 'work_date'], 'kot'],
  ['demo-attendance', 'demo_attendance', ['employee_code', 'work_date'], 'demo'],
] as const) {
  describe(`fault suite: ${name} (CSV → Postgres)`, () => {
    let kill: { killed: Promise<boolean> } | undefined;
    faultSuite(csvToPg(name, table, [...key], kind, 30_000), [
      { title: `G1/G2/G4: ${name} with the Postgres backend terminated mid-COPY: nothing committed, the re-run converges`,
        set: ['options.batch_size=200'],
        faults: (d): Faults => { kill = killCopyWhenUnderWay(d); return {}; },
        check: async (r) => {
          expect(await kill!.killed, 'a COPY was under way to terminate').toBe(true);
          expect(r.runs[0].report.status).toBe('failed');
          expect(r.runs[0].report.error!.message).toMatch(/nothing was committed/);
        } },
    ], getDb);
  });
}
