/**
 * Fault suite (issue 14): smarthr-crews and smarthr-departments (SmartHR → Postgres) under 429 storms,
 * 5xx bursts, resets mid-body, truncated and short pages, answers slower than the client's timeout,
 * and the sink's backend terminated mid-COPY. Each converges to the clean run's table (test/helpers/faults.ts).
 */
import { beforeAll, describe, expect } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import {
  faultSuite, injected, pipelineFile, shWorld, tableDuplicates, tableSnapshot, terminateCopy, until, type PipelineCase, type Faults,
} from '../helpers/faults.ts';

let db: TestDb;
beforeAll(async () => { db = await freshDb(); });
const getDb = (): TestDb => db;

const toPg = (name: string, table: string, key: string[], employees?: number): PipelineCase & { name: string } => ({
  name, file: pipelineFile(`${name}.yaml`),
  world: (f, d) => shWorld(f, d, table, employees),
  snapshot: (_w, d) => tableSnapshot(d, table, key),
  duplicates: (_w, d) => tableDuplicates(d, table, key),
});

/** Terminates the sink's backend, mid-COPY, while SmartHR holds back the answer to crew page `page`. */
function killCopyAt(page: string, d: TestDb): Faults {
  let done = false;
  return {
    onSh: async (req) => {
      if (done || req.method !== 'GET' || !req.path.endsWith(page)) return;
      done = true;
      expect(await until(() => terminateCopy(d), 20_000), 'a COPY was under way to terminate').toBe(true);
    },
  };
}

describe('fault suite: smarthr-crews (SmartHR → Postgres)', () => {
  faultSuite(toPg('smarthr-crews', 'smarthr_crews', ['id']), [
    { title: 'G1/G2/G4: smarthr-crews under a 429 storm on the crew pages', faults: () => ({ sh: [{ fault: 'http429', from: 2, count: 8, path: '/v1/crews' }] }),
      check: (r, w) => { expect(injected(w, 'http429')).toBe(8); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: smarthr-crews under a burst of 500, 502 and 503', faults: () => ({ sh: [{ fault: 'http500', from: 1, count: 2 }, { fault: 'http502', from: 3, count: 2 }, { fault: 'maintenance', from: 5, count: 2 }] }),
      check: (r, w) => { expect(injected(w, 'http500') + injected(w, 'http502') + injected(w, 'maintenance')).toBe(6); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: smarthr-crews with connections reset mid-body', faults: () => ({ sh: [{ fault: 'reset', from: 2, count: 3, path: '/v1/crews' }] }),
      check: (_r, w) => { expect(injected(w, 'reset')).toBe(3); } },
    { title: 'G1/G2/G4: smarthr-crews with a page truncated mid-JSON', faults: () => ({ sh: [{ fault: 'truncated', from: 3, path: '/v1/crews' }] }),
      check: (_r, w) => { expect(injected(w, 'truncated')).toBe(1); } },
    { title: 'G1/G2/G4: smarthr-crews with a short page (fewer records than the total): the run fails, nothing committed, the re-run converges', faults: () => ({ sh: [{ fault: 'short', from: 2, path: '/v1/crews' }] }),
      check: (r) => { expect(r.runs[0].report.status).toBe('failed'); expect(r.runs[0].report.error!.message).toMatch(/expected 100|changed during the read/); } },
    { title: 'G1/G2/G4: smarthr-crews with answers slower than the client timeout', faults: () => ({ sh: [{ fault: 'slow', from: 2, count: 2, path: '/v1/crews' }] }),
      check: (_r, w) => { expect(injected(w, 'slow')).toBe(2); } },
    { title: 'G1/G2/G4: smarthr-crews with the Postgres backend terminated mid-COPY: nothing committed, the re-run converges', set: ['options.batch_size=50'],
      faults: (d) => killCopyAt('/v1/crews', d),
      check: (r) => { expect(r.runs[0].report.status).toBe('failed'); expect(r.runs[0].report.error!.message).toMatch(/nothing was committed/); } },
  ], getDb);
});

describe('fault suite: smarthr-departments (SmartHR → Postgres)', () => {
  faultSuite(toPg('smarthr-departments', 'smarthr_departments', ['id']), [
    { title: 'G1/G2/G4: smarthr-departments under a 429 storm', faults: () => ({ sh: [{ fault: 'http429', from: 1, count: 5 }] }) },
    { title: 'G1/G2/G4: smarthr-departments under a 5xx burst and a reset mid-body', faults: () => ({ sh: [{ fault: 'http502', from: 1, count: 3 }, { fault: 'reset', from: 4 }] }),
      check: (_r, w) => { expect(injected(w, 'reset')).toBe(1); } },
  ], getDb);
});
