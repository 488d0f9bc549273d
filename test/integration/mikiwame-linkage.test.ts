/**
 * The Mikiwame linkage end to end (L1–L3): both sandboxes over real HTTP, the Mikiwame sandbox on an
 * injected clock (the linkage is made at a chosen moment, so renkei's real clock sees N days left), and
 * the CLI in-process. Where the pipelines read the linkage: the API's GET /v1/linkage, which
 * `renkei link mikiwame` renews; connection dates that contradict it are stale, never a refusal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { mw, pipeline, renkeiRun, sh, startPair, type Pair } from '../helpers/mikiwame.ts';
import { ROOT, runMain } from '../helpers/cli.ts';

const DEPARTMENTS = pipeline('smarthr-departments-to-mikiwame.yaml');
const DAY = 86_400_000;
let db: TestDb;
let p: Pair;

/** Makes the linkage (POST /v1/linkage) at a sandbox time such that `days` are left now, then puts the sandbox clock back to now. */
async function linkageWithDaysLeft(days: number): Promise<void> {
  p.clock.now = new Date(Date.now() - (90 - days) * DAY);
  await mw(p, 'POST', '/v1/linkage', {});
  p.clock.now = new Date();
}
const runsCount = async (): Promise<number> => Number((await db.pool.query('SELECT count(*) AS n FROM renkei_runs')).rows[0].n);
const mikiwameData = () => JSON.stringify({ d: p.mw.state.departments, e: p.mw.state.employees, r: p.mw.state.personality_results });
const link = () => runMain(['link', 'mikiwame'], p.env, p.dir);
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

beforeAll(async () => {
  db = await freshDb();
  p = await startPair(db);
  for (const [code, name] of [['A001', '営業部'], ['A002', '開発部']]) await sh(p, 'POST', '/v1/departments', { name, code });
});
afterAll(async () => { await p?.sh.stop(); await p?.mw.stop(); });

describe('the Mikiwame linkage', () => {
  it('L2: fewer than 14 days left — the run succeeds and its summary shows the ⚠ line once (kept in report.notices); 20 days left — no such line', async () => {
    await linkageWithDaysLeft(10.5);
    const soon = await renkeiRun(p, ['run', DEPARTMENTS]);
    expect(soon.code).toBe(0);
    expect(p.mw.state.departments.map((d) => d.code).sort()).toEqual(['A001', 'A002']);
    const warning = /^ {2}⚠ the Mikiwame linkage expires in 10 days \([^)]+\): renew it with renkei link mikiwame \(L2\)$/gm;
    // A sync run prints two summaries, the plan's and the apply's (two runs, two reports): each shows it once,
    // though the plan read Mikiwame through two stages (unique_in_target, diff) and the apply through the sink.
    const summaries = soon.stdout.split(/^(?=[✔✘■] )/m).filter((b) => /^[✔✘■] /.test(b));
    expect(summaries.map((b) => [b.match(/^✔ (plan|apply) /)?.[1], b.match(warning)?.length, b.match(/⚠/g)?.length])).toEqual([['plan', 1, 1], ['apply', 1, 1]]);
    expect(soon.report.notices).toEqual([expect.stringMatching(/^the Mikiwame linkage expires in 10 days .*\(L2\)$/)]);
    const planned = await runMain(['plan', DEPARTMENTS], p.env, p.dir);
    expect(planned.code).toBe(0);
    expect(planned.stdout.match(warning)).toHaveLength(1);

    await linkageWithDaysLeft(20);
    await sh(p, 'POST', '/v1/departments', { name: '人事部', code: 'A003' });
    const later = await renkeiRun(p, ['run', DEPARTMENTS]);
    expect(later.code).toBe(0);
    expect(p.mw.state.departments.map((d) => d.code).sort()).toEqual(['A001', 'A002', 'A003']);
    expect(later.stdout).not.toContain('⚠');
    expect(later.stdout).not.toMatch(/linkage/);
    expect(later.report.notices).toBeUndefined();
  });

  it('L1: after renkei link an expired setup runs again — the API\'s renewed linkage wins over a stale expires_at in the connection, which is shown as stale', async () => {
    await linkageWithDaysLeft(-1);
    await sh(p, 'POST', '/v1/departments', { name: '総務部', code: 'A004' });
    const stale = ['--set', 'sinks.0.expires_at=2026-01-01T00:00:00.000Z'];
    const writes = p.mw.writeRequests;
    const refused = await renkeiRun(p, ['run', DEPARTMENTS, ...stale]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/error: LINKAGE_EXPIRED: .*the Mikiwame linkage expired on .*renkei link mikiwame/);
    expect(p.mw.writeRequests).toBe(writes);
    expect(p.mw.state.departments.some((d) => d.code === 'A004')).toBe(false);

    const linked = await link();
    expect(linked.code).toBe(0);
    const printed = JSON.parse(linked.stdout);
    expect(printed).toEqual({ service: 'mikiwame', linked_at: p.mw.state.linkage.linked_at, expires_at: p.mw.state.linkage.expires_at, days: 90 });
    expect(Date.parse(printed.expires_at) - Date.parse(printed.linked_at)).toBe(90 * DAY);
    expect(linked.stderr).toMatch(/every Mikiwame pipeline reads this from the API before its first request/i);

    const again = await renkeiRun(p, ['run', DEPARTMENTS, ...stale]);
    expect(again.code).toBe(0);
    expect(p.mw.state.departments.some((d) => d.code === 'A004')).toBe(true);
    expect(again.report.notices).toEqual([expect.stringMatching(/expires 2026-01-01T00:00:00\.000Z\) differ from the Mikiwame API's \(expires .*the API's are used/)]);
    expect(again.stdout.match(/⚠ .*differ from the Mikiwame API's/g)).toHaveLength(1);
  });

  it('L3: renkei link mikiwame writes nothing to the Mikiwame employees, departments or results, touches no SmartHR data and starts no run', async () => {
    await linkageWithDaysLeft(60);
    await mw(p, 'POST', '/v1/employees', { email: 'l3@aaa.com', emp_code: 'L3', last_name: '見極', first_name: '三' });
    const id = p.mw.state.employees[0].id;
    await mw(p, 'POST', '/v1/personality_results', { employee_id: id, exam_date: '2026-04-01' });
    const data = mikiwameData();
    const [writes, mwRequests, shRequests, runs] = [p.mw.writeRequests, p.mw.stats.requests, p.sh.stats.requests, await runsCount()];
    const linked = await link();
    expect(linked.code).toBe(0);
    expect(linked.stderr).toMatch(/No sync was started \(L3\)/);
    expect(mikiwameData()).toBe(data);
    expect(p.mw.writeRequests).toBe(writes);                 // no write but the linkage itself
    expect(p.mw.stats.requests - mwRequests).toBe(2);        // POST /v1/linkage, then GET /v1/linkage
    expect(p.sh.stats.requests).toBe(shRequests);
    expect(await runsCount()).toBe(runs);
  });

  it('L3: nothing syncs on its own — after a run returns no timer of it keeps the process alive, and with data changing on both sandboxes they receive no request but the test\'s own', async () => {
    const before = timers();
    const r = await renkeiRun(p, ['run', DEPARTMENTS]);
    expect(r.code).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);            // no live timer left behind that could start a sync later
    const runs = await runsCount();
    await sh(p, 'POST', '/v1/departments', { name: '経理部', code: 'A009' });
    await mw(p, 'PUT', '/v1/departments/M900', { name: '外部部署' });
    const [mwRequests, shRequests] = [p.mw.stats.requests, p.sh.stats.requests];
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));   // the sandboxes run on; nothing calls them
    expect([p.mw.stats.requests, p.sh.stats.requests]).toEqual([mwRequests, shRequests]);
    expect(await runsCount()).toBe(runs);
    expect(p.mw.state.departments.some((d) => d.code === 'A009')).toBe(false);   // synced only when someone runs the pipeline
  });

  it('L3: by construction no component schedules or triggers a sync: the only interval timer is a running run\'s heartbeat, nothing watches files, the sandboxes make no outbound requests', () => {
    const files = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
    const product = ['bin', 'cli', 'config', 'connections', 'db', 'engine', 'pipelines', 'sandbox', 'sinks', 'sources', 'sync', 'transforms'].flatMap(files);
    const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
    expect(product.filter((f) => /\bsetInterval\(/.test(read(f)))).toEqual(['engine/run-recorder.ts']);
    expect(read('engine/run-recorder.ts')).toMatch(/clearInterval\(this\.timer\)/);
    expect(product.filter((f) => /\bfs\.watch|\bwatchFile\(|from 'node:fs\/promises'.*watch|chokidar|node-cron|node-schedule/.test(read(f)))).toEqual([]);
    expect(product.filter((f) => f.startsWith('sandbox/') && /\bfetch\(|\bhttps?\.request\(|\bhttps?\.get\(/.test(read(f)))).toEqual([]);
    const deps = JSON.parse(read('package.json')).dependencies as Record<string, string>;
    expect(Object.keys(deps).filter((d) => /cron|schedule|agenda|bull|watch/.test(d))).toEqual([]);
  });
});
