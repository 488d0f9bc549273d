/**
 * Fault suite (issue 14): the renkei process SIGKILLed mid-run, then started again — into Postgres
 * (smarthr-crews, attendance-csv-to-postgres: the killed transaction commits nothing), into SmartHR
 * (hr-master-to-smarthr) and into Mikiwame (smarthr-employees-to-mikiwame: the writes acknowledged,
 * and the one in flight, stay; the second run creates none of them again) and into KING OF TIME
 * (smarthr-to-kingoftime). Real child processes.
 *
 * A child process runs on the real clock, so KING OF TIME's closed hours would make it wait for real:
 * its closed windows are set to one minute far from now (and from the sandbox's virtual noon).
 */
import { beforeAll, describe } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { freshDb, type TestDb } from '../helpers/db.ts';
import {
  D, csvWorld, killSuite, type Faults, kotDuplicates, kotSnapshot, kotWorld, mwDuplicates, mwSnapshot, mwWorld, pipelineFile, shWorld, smarthrDuplicates,
  smarthrSnapshot, tableDuplicates, tableSnapshot, until,
} from '../helpers/faults.ts';
import { ROOT } from '../helpers/cli.ts';
import { farClosedWindow } from '../../sandbox/kingoftime/far-window.ts';

let db: TestDb;
const getDb = (): TestDb => db;
beforeAll(async () => { db = await freshDb(); });

/** Kills the run at the `n`th request to one sandbox (its hook `on`) whose method `counts`: its n-th write. */
function killAtWrite(on: 'onSh' | 'onKot' | 'onMw', n: number, counts: (method: string) => boolean) {
  return (kill: () => Promise<void>): { faults: Faults } => {
    let writes = 0;
    return { faults: { [on]: async (req: { method: string }) => { if (counts(req.method) && ++writes === n) await kill(); } } };
  };
}
const isPost = (method: string) => method === 'POST';
const notGet = (method: string) => method !== 'GET';

const copyUnderWay = async (d: TestDb): Promise<boolean> => (await d.pool.query(
  `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'renkei sink:postgres %' AND query ILIKE 'COPY %'`)).rowCount! > 0;

describe('fault suite: SIGKILL mid-run, then started again', () => {
  describe('smarthr-crews', () => {
    killSuite({
      name: 'smarthr-crews', file: pipelineFile('smarthr-crews.yaml'),
      world: async (f, d) => { const w = await shWorld(f, d, 'smarthr_crews'); w.set = ['options.batch_size=50']; return w; },
      snapshot: (_w, d) => tableSnapshot(d, 'smarthr_crews', ['id']),
      duplicates: (_w, d) => tableDuplicates(d, 'smarthr_crews', ['id']),
    }, 'G1/G2/G4: smarthr-crews killed (SIGKILL) mid-COPY: nothing committed, the next run loads everything once, the killed run is abandoned', (kill, d) => {
      let done = false;
      return { faults: { onSh: async (req) => {
        if (done || !req.path.endsWith('/v1/crews') || !(await copyUnderWay(d))) return;
        done = true;
        await kill();
      } } };
    }, getDb, { atomic: true });
  });

  describe('attendance-csv-to-postgres', () => {
    killSuite({
      name: 'attendance-csv-to-postgres', file: pipelineFile('attendance-csv-to-postgres.yaml'),
      world: async (_f, d) => { const w = await csvWorld(d, 'kot_attendance_csv', 'kot', 30_000); w.set = ['options.batch_size=200']; return w; },
      snapshot: (_w, d) => tableSnapshot(d, 'kot_attendance_csv', ['employee_code', 'work_date']),
      duplicates: (_w, d) => tableDuplicates(d, 'kot_attendance_csv', ['employee_code', 'work_date']),
    }, 'G1/G2/G4: attendance-csv-to-postgres killed (SIGKILL) mid-COPY: nothing committed, the next run loads everything once', (_kill, d) => ({
      faults: {}, armed: until(() => copyUnderWay(d), 60_000),
    }), getDb, { atomic: true });
  });

  describe('hr-master-to-smarthr', () => {
    killSuite({
      name: 'hr-master-to-smarthr', file: pipelineFile('hr-master-to-smarthr.yaml'),
      world: async (f, d) => {
        const w = await shWorld(f, d, undefined, 0);
        fs.copyFileSync(path.join(ROOT, 'pipelines/data/hr-master.sample.csv'), path.join(w.dir, 'hr-master.csv'));
        w.env.HR_MASTER = path.join(w.dir, 'hr-master.csv');
        return w;
      },
      snapshot: async (w) => smarthrSnapshot(w.sh!),
      duplicates: async (w) => smarthrDuplicates(w.sh!),
    }, 'G1/G2/G4: hr-master-to-smarthr killed (SIGKILL) at its 40th create: the creates made stay, the next run makes the others, none twice', killAtWrite('onSh', 40, isPost), getDb);
  });

  describe('smarthr-to-kingoftime', () => {
    killSuite({
      name: 'smarthr-to-kingoftime', file: pipelineFile('smarthr-to-kingoftime.yaml'),
      world: async (f, d) => {
        const w = await kotWorld(f, d);
        w.params = ['division=3000', 'working_type=2', `date=${D}`];
        const away = farClosedWindow();
        w.set = [`transforms[2].target.closed_windows=${away}`, `sinks[0].closed_windows=${away}`, 'sinks[0].concurrency=1'];
        return w;
      },
      snapshot: async (w) => kotSnapshot(w.kot!),
      duplicates: async (w) => kotDuplicates(w.kot!),
    }, 'K9/G1/G2/G4: smarthr-to-kingoftime killed (SIGKILL) at its 3rd KING OF TIME write: the writes made stay, the next run makes the others, none twice', killAtWrite('onKot', 3, notGet), getDb);
  });

  describe('kingoftime-attendance-to-postgres', () => {
    killSuite({
      name: 'kingoftime-attendance-to-postgres', file: pipelineFile('kingoftime-attendance-to-postgres.yaml'),
      world: async (f, d) => {
        const w = await kotWorld(f, d, { table: 'kot_daily_workings', employees: 300, withSmarthr: false });
        w.params = ['start=2026-03-01', 'end=2026-03-31'];
        w.set = [`source.closed_windows=${farClosedWindow()}`, 'options.batch_size=200'];
        return w;
      },
      snapshot: (_w, d) => tableSnapshot(d, 'kot_daily_workings', ['employee_key', 'work_date']),
      duplicates: (_w, d) => tableDuplicates(d, 'kot_daily_workings', ['employee_key', 'work_date']),
    }, 'K9/G1/G2/G4: kingoftime-attendance-to-postgres killed (SIGKILL) mid-COPY: nothing committed, the next run loads everything once', (_kill, d) => ({
      faults: {}, armed: until(() => copyUnderWay(d), 60_000),
    }), getDb, { atomic: true });
  });

  describe('kingoftime-to-smarthr', () => {
    killSuite({
      name: 'kingoftime-to-smarthr', file: pipelineFile('kingoftime-to-smarthr.yaml'),
      world: async (f, d) => {
        const w = await kotWorld(f, d);
        w.params = [`office=${w.sh!.state.biz_establishments[0].id}`, `date=${D}`];
        w.set = [`source.closed_windows=${farClosedWindow()}`, 'sinks[0].concurrency=1'];
        return w;
      },
      snapshot: async (w) => smarthrSnapshot(w.sh!),
      duplicates: async (w) => smarthrDuplicates(w.sh!),
    }, 'K9/G1/G2/G4: kingoftime-to-smarthr killed (SIGKILL) at its 3rd SmartHR write: the writes made stay, the next run makes the others, none twice', killAtWrite('onSh', 3, notGet), getDb);
  });

  describe('smarthr-employees-to-mikiwame', () => {
    killSuite({
      name: 'smarthr-employees-to-mikiwame', file: pipelineFile('smarthr-employees-to-mikiwame.yaml'),
      world: (f, d) => mwWorld(f, d, { mirror: true }),
      snapshot: async (w) => mwSnapshot(w.mw!),
      duplicates: async (w) => mwDuplicates(w.mw!),
    }, 'G1/G2/G4: smarthr-employees-to-mikiwame killed (SIGKILL) at its 30th create: the next run creates the rest, none twice', killAtWrite('onMw', 30, isPost), getDb);
  });
});
