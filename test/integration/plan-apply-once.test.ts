/**
 * G7: a plan's records are written at most once, also when the plan's diff target is not the sink's
 * own table (a diff against a CSV or JSON snapshot while the sink appends to PostgreSQL or creates
 * records over REST), where the "target changed since the plan" check sees nothing. Each apply
 * records the plan records its sinks acknowledged; a later apply of the same plan skips them
 * (counted as ALREADY_APPLIED), and refuses when nothing is left unless `--again`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import type { Plan } from '../../sync/plan.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { runMain } from '../helpers/cli.ts';
import pino from 'pino';
import { loadPipeline } from '../../config/load.ts';
import { applyPlan, planLockKey } from '../../sync/applier.ts';
import type { Components, Ctx } from '../../engine/types.ts';

let tdb: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
let sb: SmarthrSandbox;
const tenant = generateTenant({ employees: 3, seed: 'apply-once' });

beforeAll(async () => {
  tdb = await freshDb();
  sb = await startSmarthrSandbox({ state: structuredClone(tenant), rateLimit: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-once-'));
  env = { DATABASE_URL: tdb.url, SMARTHR_TOKEN: sb.token, USER: 'tester', HOME: dir, RENKEI_HOME: path.join(dir, '.renkei') };
});
afterAll(async () => { await sb?.stop(); });

const cli = (args: string[]) => runMain(args, env, dir);
const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);
const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
/** The table's keys, in order; none when the table does not exist (a rolled-back create_table). */
async function rows(table: string): Promise<string[]> {
  if ((await tdb.pool.query(`SELECT to_regclass($1) AS t`, [table])).rows[0].t === null) return [];
  return (await tdb.pool.query<{ emp_code: string }>(`SELECT emp_code FROM ${table} ORDER BY emp_code`)).rows.map((r) => r.emp_code);
}
const marks = async (planId: string) => (await tdb.pool.query<{ key: string }>(`SELECT key FROM renkei_plan_applies WHERE plan_id = $1 ORDER BY key`, [planId])).rows.map((r) => r.key);
const already = /ALREADY_APPLIED (\d+)/;

/** CSV source diffed against a CSV snapshot, appended to a PostgreSQL table: the diff never sees the sink's writes. */
function pgPipeline(name: string, extra = ''): string {
  write(`${name}.yaml`, `name: ${name}
key: [emp_code]
source: { type: csv, path: ${name}-source.csv }
transforms:
  - type: diff
    key: [emp_code]
    fields: [last_name]
    target: { type: csv, path: ${name}-target.csv }
sinks:
  - type: postgres
    table: ${name}
    mode: append
    create_table: true
    columns: [{ name: emp_code, type: text }, { name: last_name, type: text }, { name: n, type: integer }]
errors: { type: csv, path: '${name}-errors/{run_id}.csv' }
${extra}`);
  // E1 unchanged, E2 changed, E3–E5 new.
  write(`${name}-target.csv`, 'emp_code,last_name,n\nE1,山田,1\nE2,佐藤,2\n');
  return `${name}.yaml`;
}

/** A JSON source diffed against rest-target.json, written to a SmartHR sandbox one request at a time. */
const restPipeline = (name: string, url: string, extra = ''): string => `name: once-${name}
key: [emp_code]
source: { type: json, path: ${name}-source.json }
transforms:
  - type: diff
    key: [emp_code]
    fields: [last_name, first_name]
    target: { type: json, path: rest-target.json }
sinks:
  - type: smarthr.crews
    base_url: "${url}"
    token: \${SMARTHR_TOKEN}
    rate_limit: 1000
    concurrency: 1
    fields: [emp_code, last_name, first_name, gender, email]
errors: { type: csv, path: '${name}-errors/{run_id}.csv' }
${extra}`;

describe('G7: applying one plan twice never writes its records twice', () => {
  it('G7: plan → apply → apply again: the second apply writes nothing, exits 1 with one line naming the run; --again applies again', async () => {
    const p = pgPipeline('once_pg');
    write('once_pg-source.csv', 'emp_code,last_name,n\nE1,山田,1\nE2,鈴木,2\nE3,田中,3\nE4,高橋,4\nE5,伊藤,5\n');
    expect((await cli(['plan', p, '--out', 'pg1.json'])).code).toBe(0);
    const plan = readPlan('pg1.json');
    expect(plan.counts).toMatchObject({ new: 3, changed: 1, unchanged: 1 });

    const first = await cli(['apply', 'pg1.json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/written 4\b/);
    expect(await rows('once_pg')).toEqual(['E2', 'E3', 'E4', 'E5']);
    expect(await marks(plan.plan_id)).toEqual(['E2', 'E3', 'E4', 'E5']);
    const runId = /run (\S+)\n/.exec(first.stdout)![1];

    const again = await cli(['apply', 'pg1.json']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`PLAN_APPLIED: plan ${plan.plan_id} was already applied by run ${runId} on \\d{4}-\\d\\d-\\d\\d[^\\n]*; nothing left to apply`));
    expect(await rows('once_pg')).toEqual(['E2', 'E3', 'E4', 'E5']);
    // The refusal is in the sync history (K10) and wrote nothing.
    const [last] = (await tdb.pool.query(`SELECT kind, status, message, status_counts FROM renkei_runs ORDER BY started_at DESC, id DESC LIMIT 1`)).rows;
    expect(last).toMatchObject({ kind: 'apply', status: 'failed', status_counts: { written: 0, already_applied: 4 } });
    expect(last.message).toContain('PLAN_APPLIED');

    // Asked for explicitly, the same plan is applied again.
    const forced = await cli(['apply', 'pg1.json', '--again']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/written 4\b/);
    expect((await rows('once_pg')).length).toBe(8);
  });

  it('G7: --select a part, then apply the rest: exactly the rest is written, the part is counted as already applied (G1)', async () => {
    const p = pgPipeline('once_part');
    write('once_part-source.csv', 'emp_code,last_name,n\nE1,山田,1\nE2,鈴木,2\nE3,田中,3\nE4,高橋,4\nE5,伊藤,5\n');
    expect((await cli(['plan', p, '--out', 'part.json'])).code).toBe(0);
    const part = await cli(['apply', 'part.json', '--select', 'E3,E4']);
    expect(part.code, part.stderr).toBe(0);
    expect(await rows('once_part')).toEqual(['E3', 'E4']);

    const rest = await cli(['apply', 'part.json']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(await rows('once_part')).toEqual(['E2', 'E3', 'E4', 'E5']);
    expect(already.exec(rest.stdout)?.[1]).toBe('2');
    expect(rest.stdout).toMatch(/2 of the 4 selected candidate\(s\) were already applied/);
    const [{ report }] = (await tdb.pool.query(`SELECT report FROM renkei_runs WHERE kind = 'apply' ORDER BY started_at DESC, id DESC LIMIT 1`)).rows;
    expect(report.counts).toEqual({ read: 4, written: 2, unchanged: 0, filtered: 2, rejected: 0 });
    expect(report.reasons.filtered).toEqual({ ALREADY_APPLIED: 2 });

    // Selecting an applied record alone leaves nothing to apply.
    const one = await cli(['apply', 'part.json', '--select', 'E3']);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/PLAN_APPLIED: .*nothing left to apply/);
    expect(await rows('once_part')).toEqual(['E2', 'E3', 'E4', 'E5']);
  });

  it('G7: while one apply of a plan runs, another apply of it is refused (PLAN_BUSY) and writes nothing', async () => {
    const p = pgPipeline('once_busy');
    write('once_busy-source.csv', 'emp_code,last_name,n\nE3,田中,3\nE4,高橋,4\n');
    expect((await cli(['plan', p, '--out', 'busy.json'])).code).toBe(0);
    const plan = readPlan('busy.json');
    // The lock an apply of this plan holds, taken here as a running apply would.
    const other = await tdb.pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [planLockKey(plan.plan_id)]);
      const busy = await cli(['apply', 'busy.json']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`PLAN_BUSY: plan ${plan.plan_id} is being applied by another renkei process`));
      expect(await rows('once_busy')).toEqual([]);
      await other.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [planLockKey(plan.plan_id)]);
    } finally {
      other.release();
    }
    const ok = await cli(['apply', 'busy.json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await rows('once_busy')).toEqual(['E3', 'E4']);
  });

  it('G7: a failed apply into an atomic sink marks nothing (all rolled back); the records are applied later, once', async () => {
    const p = pgPipeline('once_atomic', 'options: { max_rejected: 0 }\n');
    write('once_atomic-source.csv', 'emp_code,last_name,n\nE3,田中,3\nE4,高橋,not-a-number\nE5,伊藤,5\n');
    expect((await cli(['plan', p, '--out', 'atomic.json'])).code).toBe(0);
    const plan = readPlan('atomic.json');
    const failed = await cli(['apply', 'atomic.json']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/ERROR_BUDGET/);
    expect(await rows('once_atomic')).toEqual([]);
    expect(await marks(plan.plan_id)).toEqual([]);
    const good = await cli(['apply', 'atomic.json', '--select', 'E3,E5']);
    expect(good.code, good.stderr).toBe(0);
    expect(await rows('once_atomic')).toEqual(['E3', 'E5']);
    expect(await marks(plan.plan_id)).toEqual(['E3', 'E5']);
  });

  it('G7: a REST apply that fails part-way marks exactly the acknowledged records; --retry-failed and the next apply write exactly the rest, once', async () => {
    write('rest.yaml', restPipeline('rest', sb.url, 'options: { batch_size: 2, max_rejected: 0 }\n'));
    const people = [0, 1, 2, 3, 4, 5].map((i) => ({ emp_code: `R${i}`, last_name: '山田', first_name: `花子${i}`, gender: 'female', email: `r${i}@example.jp` }));
    write('rest-source.json', JSON.stringify(people));
    write('rest-target.json', '[]');
    expect((await cli(['plan', 'rest.yaml', '--out', 'rest.json'])).code).toBe(0);
    const plan = readPlan('rest.json');
    expect(plan.counts).toMatchObject({ new: 6 });
    // R3 exists in SmartHR already (the snapshot does not know): its create is refused, and with
    // max_rejected 0 the run stops after that batch — R0–R2 stay written, R4 and R5 are never sent.
    sb.edit((st) => st.crews.push({ ...structuredClone(tenant.crews[0]), id: 'hand-made', emp_code: 'R3' }));
    const held = () => sb.state.crews.filter((c) => String(c.emp_code).startsWith('R')).map((c) => String(c.emp_code)).sort();
    const failed = await cli(['apply', 'rest.json']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/ERROR_BUDGET/);
    expect(held()).toEqual(['R0', 'R1', 'R2', 'R3']);
    expect(await marks(plan.plan_id)).toEqual(['R0', 'R1', 'R2']);

    const failedRun = /--retry-failed (\S+)/.exec(failed.stdout)![1];

    // R3 is removed from SmartHR; retrying the failed run writes just R3, and marks it in the plan too.
    sb.edit((st) => { st.crews = st.crews.filter((c) => c.id !== 'hand-made'); });
    sb.stats.reset();
    const retry = await cli(['apply', '--retry-failed', failedRun]);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(sb.stats.writes).toBe(1);
    const retryAgain = await cli(['apply', '--retry-failed', failedRun]);
    expect(retryAgain.code).toBe(1);
    expect(retryAgain.stderr).toMatch(/PLAN_APPLIED: 1 of the records that failed in \S+ were written since, last by run \S+ on [^;]+; nothing left to retry/);
    expect(sb.stats.writes).toBe(1);

    const rest = await cli(['apply', 'rest.json']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(sb.stats.writes).toBe(3);
    expect(already.exec(rest.stdout)?.[1]).toBe('4');
    expect(rest.stdout).toMatch(/written 2\b/);
    expect(held()).toEqual(['R0', 'R1', 'R2', 'R3', 'R4', 'R5']);
    expect(await marks(plan.plan_id)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4', 'R5']);

    sb.stats.reset();
    const third = await cli(['apply', 'rest.json']);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/PLAN_APPLIED: .*nothing left to apply/);
    expect(sb.stats.writes).toBe(0);
  });

  it('G7: a REST apply stopped in the middle of a batch (token revoked, 401) marks exactly the writes SmartHR acknowledged before', async () => {
    const sb2 = await startSmarthrSandbox({ state: generateTenant({ employees: 2, seed: 'apply-once-401' }), rateLimit: 0 });
    try {
      const env2 = { ...env, SMARTHR_TOKEN: sb2.token };
      write('stop.yaml', restPipeline('stop', sb2.url));
      write('stop-source.json', JSON.stringify([0, 1, 2, 3, 4, 5].map((i) => ({ emp_code: `S${i}`, last_name: '山田', first_name: `花子${i}`, gender: 'female', email: `s${i}@example.jp` }))));
      write('rest-target.json', '[]');
      expect((await runMain(['plan', 'stop.yaml', '--out', 'stop.json'], env2, dir)).code).toBe(0);
      const plan = readPlan('stop.json');
      // One batch of six: the token is revoked right after SmartHR acknowledged the third create,
      // so the batch's write fails (401) with three writes made — no batch ever completes.
      const loaded = loadPipeline(path.join(dir, 'stop.yaml'), { env: env2 });
      let acked = 0;
      const components: Components = {
        ...loaded.components,
        createSink: (cfg, ctx: Ctx) => loaded.components.createSink(cfg, { ...ctx, acknowledge: (rec) => { ctx.acknowledge?.(rec); if (++acked === 3) sb2.revokeToken(); } }),
      };
      const { report } = await applyPlan(plan, loaded, {
        logger: pino({ level: 'silent' }), db: async () => ({ pool: tdb.pool, url: tdb.url, close: async () => {} }),
        selection: { only: new Set(['new', 'changed']) }, force: false, components, errorsDir: dir,
      });
      expect(report.status).toBe('failed');
      expect(report.error!.code).toBe('SINK_HTTP');
      expect(report.counts.written).toBe(3);
      expect(sb2.state.crews.filter((c) => String(c.emp_code).startsWith('S')).map((c) => c.emp_code).sort()).toEqual(['S0', 'S1', 'S2']);
      expect(await marks(plan.plan_id)).toEqual(['S0', 'S1', 'S2']);
    } finally {
      await sb2.stop();
    }
  });
});
