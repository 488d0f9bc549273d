/**
 * Fault suite (issue 14): the Mikiwame pipelines — smarthr-departments-to-mikiwame,
 * smarthr-employees-to-mikiwame and mikiwame-results-to-smarthr — under 429 storms, 5xx bursts,
 * resets mid-body (on reads, on idempotent writes, and on creates whose answer is lost), truncated
 * and short pages and answers slower than the client timeout. Each converges to the clean run's target.
 */
import { beforeAll, describe, expect } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import {
  faultSuite, injected, mwDuplicates, mwSnapshot, mwWorld, pipelineFile, smarthrDuplicates, smarthrSnapshot, type PipelineCase,
} from '../helpers/faults.ts';

let db: TestDb;
const getDb = (): TestDb => db;
beforeAll(async () => { db = await freshDb(); });

const intoMikiwame = (name: string, mirror: boolean): PipelineCase & { name: string } => ({
  name, file: pipelineFile(`${name}.yaml`),
  world: (f, d) => mwWorld(f, d, { mirror }),
  snapshot: async (w) => mwSnapshot(w.mw!),
  duplicates: async (w) => mwDuplicates(w.mw!),
});

describe('fault suite: smarthr-departments-to-mikiwame (SmartHR → Mikiwame)', () => {
  faultSuite(intoMikiwame('smarthr-departments-to-mikiwame', false), [
    { title: 'G1/G2/G4: smarthr-departments-to-mikiwame under a 429 storm on the PUTs', faults: () => ({ mw: [{ fault: 'http429', from: 2, count: 8, on: 'write' }] }),
      check: (r, w) => { expect(injected(w, 'http429')).toBe(8); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: smarthr-departments-to-mikiwame with PUTs reset mid-body after they were applied (retried, idempotent)',
      writesFaulted: true, faults: () => ({ mw: [{ fault: 'reset', from: 1, count: 3, on: 'write' }] }),
      check: (r, w) => { expect(injected(w, 'reset')).toBe(3); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: smarthr-departments-to-mikiwame with a 5xx burst on both reads',
      faults: () => ({ sh: [{ fault: 'http500', from: 1, count: 2 }], mw: [{ fault: 'http502', from: 1, count: 2 }, { fault: 'truncated', from: 3 }] }),
      check: (r) => { expect(r.runs).toHaveLength(1); } },
  ], getDb);
});

describe('fault suite: smarthr-employees-to-mikiwame (SmartHR → Mikiwame)', () => {
  faultSuite(intoMikiwame('smarthr-employees-to-mikiwame', true), [
    { title: 'G1/G2/G4: smarthr-employees-to-mikiwame under a 429 storm on reads and creates', faults: () => ({ mw: [{ fault: 'http429', from: 1, count: 10, on: 'any' }] }),
      check: (r, w) => { expect(injected(w, 'http429')).toBe(10); expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: smarthr-employees-to-mikiwame with creates applied but their answers lost (reset): rejected, the re-run sees them, nothing created twice',
      writesFaulted: true, faults: () => ({ mw: [{ fault: 'reset', from: 3, count: 2, on: 'write', method: 'POST' }] }),
      check: (r, w) => { expect(injected(w, 'reset')).toBe(2); expect(r.runs[0].errors.filter((e) => e.code === 'SINK_HTTP')).toHaveLength(2); } },
    { title: 'G1/G2/G4: smarthr-employees-to-mikiwame with a short SmartHR page and a slow Mikiwame answer past the timeout',
      faults: () => ({ sh: [{ fault: 'short', from: 2, path: '/v1/crews' }], mw: [{ fault: 'slow', from: 1 }] }),
      check: (r) => { expect(r.runs[0].report.status).toBe('failed'); } },
  ], getDb);
});

const results: PipelineCase & { name: string } = {
  name: 'mikiwame-results-to-smarthr', file: pipelineFile('mikiwame-results-to-smarthr.yaml'),
  world: (f, d) => mwWorld(f, d, { results: true }),
  snapshot: async (w) => smarthrSnapshot(w.sh!),
  duplicates: async (w) => smarthrDuplicates(w.sh!),
  recordPath: /^\/api\/v1\/crews\//,
};

describe('fault suite: mikiwame-results-to-smarthr (Mikiwame → SmartHR)', () => {
  faultSuite(results, [
    { title: 'G1/G2/G4: mikiwame-results-to-smarthr under a 429 storm and a 5xx burst on the SmartHR writes',
      faults: () => ({ sh: [{ fault: 'http429', from: 1, count: 6, on: 'write' }, { fault: 'maintenance', from: 8, count: 2, on: 'write' }] }),
      check: (r) => { expect(r.runs).toHaveLength(1); } },
    { title: 'G1/G2/G4: mikiwame-results-to-smarthr with a short page of results: the run fails before writing, the re-run converges',
      faults: () => ({ mw: [{ fault: 'short', from: 1, path: '/personality_results' }] }),
      check: (r, w) => { expect(injected(w, 'short')).toBe(1); expect(r.runs[0].report.status).toBe('failed'); expect(r.runs[0].report.counts.written ?? 0).toBe(0); } },
    { title: 'G1/G2/G4: mikiwame-results-to-smarthr with a template create whose answer is lost (reset): no template twice',
      writesFaulted: true, faults: () => ({ sh: [{ fault: 'reset', from: 1, on: 'write', method: 'POST' }] }),
      check: (_r, w) => { expect(injected(w, 'reset')).toBe(1); } },
    { title: 'G1/G2/G4: mikiwame-results-to-smarthr with resets and a truncated page on the Mikiwame read, a PATCH reset after it was applied',
      writesFaulted: true, faults: () => ({ mw: [{ fault: 'reset', from: 1 }, { fault: 'truncated', from: 2 }], sh: [{ fault: 'reset', from: 5, on: 'write', method: 'PATCH' }] }),
      check: (r, w) => { expect(injected(w, 'reset')).toBe(2); expect(r.runs).toHaveLength(1); } },
  ], getDb, { set: ['sinks.0.create_templates=true'] });
});
