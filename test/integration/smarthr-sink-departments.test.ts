/**
 * smarthr.departments sink against the SmartHR sandbox over real HTTP: a new tree created parents
 * first with the right parent ids under concurrency 8 (children wait for their parent's POST), parents
 * that exist in SmartHR found by code, PARENT_FAILED down a failed branch, updates by carried id, and a
 * pipeline (json → tree → diff → sink) whose second run makes no write request (G4).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { smarthrDepartmentsSink } from '../../sinks/smarthr-departments.ts';
import { makeCtx } from '../../engine/context.ts';
import type { Drop, Rec, Row, Sink } from '../../engine/types.ts';
import { parsePipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';

const state = generateTenant({ employees: 5, seed: 'dept-sink', departmentDepth: 3 });
const existingTop = state.departments.find((d) => d.parent_id === null)!;

let sb: SmarthrSandbox;
// Latency keeps several POSTs in flight at once, so children really are queued behind their parents.
beforeAll(async () => { sb = await startSmarthrSandbox({ state: structuredClone(state), rateLimit: 0, latencyMs: 15 }); });
afterAll(async () => { await sb.stop(); });
beforeEach(() => { sb.stats.reset(); });

function sink(over: Record<string, unknown> = {}): Sink {
  const o = smarthrDepartmentsSink.schema.parse({ type: 'smarthr.departments', base_url: sb.url, token: sb.token, rate_limit: 1000, concurrency: 8, ...over });
  return smarthrDepartmentsSink.create(o, makeCtx({ logger: pino({ level: 'silent' }), key: ['code'] }));
}

const dept = (code: string, name: string, parent: string | null): Rec => ({ data: { code, name, parent_code: parent }, origin: `in:${code}`, meta: { status: 'new' } });
const byCode = (code: string) => sb.state.departments.find((d) => d.code === code);

/** A tree in breadth-first order (parents before children, as the tree stage emits it). */
function tree(prefix: string, tops: number, fan: number, topParent: string | null): Rec[] {
  const levels: Rec[][] = [[...Array(tops).keys()].map((i) => dept(`${prefix}${i}`, `${prefix}部${i}`, topParent))];
  for (let l = 1; l < 3; l++) {
    levels.push(levels[l - 1].flatMap((p) => [...Array(fan).keys()].map((j) => dept(`${p.data.code}-${j}`, `${p.data.name}${j}課`, p.data.code as string))));
  }
  return levels.flat();
}

async function writeAll(s: Sink, batches: Rec[][]): Promise<Drop[]> {
  await s.open();
  const drops: Drop[] = [];
  for (const b of batches) drops.push(...(await s.write(b)));
  await s.close();
  return drops;
}

describe('smarthr.departments sink', () => {
  it('M-D7: creates a new tree parents first with the right parent ids under concurrency 8', async () => {
    const recs = [...tree('T', 4, 3, null), ...tree('U', 2, 2, existingTop.code)];
    // Two batches: some children's parents were created in the previous batch.
    const drops = await writeAll(sink(), [recs.slice(0, 20), recs.slice(20)]);
    expect(drops).toEqual([]);
    expect(sb.stats.writes).toBe(recs.length);
    for (const r of recs) {
      const d = byCode(r.data.code as string)!;
      expect(d.name).toBe(r.data.name);
      const parent = r.data.parent_code as string | null;
      expect(d.parent_id).toBe(parent === null ? null : byCode(parent)!.id);
    }
    expect(byCode('U0')!.parent_id).toBe(existingTop.id);
  });

  it('a department the API cannot take is rejected, and its whole branch PARENT_FAILED; other branches are written', async () => {
    const recs = tree('F', 2, 2, null);
    recs[0].data.name = '営業/東京';
    const drops = await writeAll(sink(), [recs]);
    const failedBranch = recs.filter((r) => String(r.data.code).startsWith('F0'));
    expect(drops.map((d) => d.data)).toEqual(expect.arrayContaining(failedBranch.map((r) => r.data)));
    expect(drops).toHaveLength(failedBranch.length);
    expect(drops.find((d) => d.data === recs[0].data)!.code).toBe('SINK_BODY_INVALID');
    expect(new Set(drops.filter((d) => d.data !== recs[0].data).map((d) => d.code))).toEqual(new Set(['PARENT_FAILED']));
    for (const r of recs) expect(byCode(r.data.code as string) !== undefined).toBe(!String(r.data.code).startsWith('F0'));
  });

  it('updates by the carried id: a rename, and a move under a department created in the same batch', async () => {
    const [a, b] = state.departments.filter((d) => d.parent_id !== null).slice(-2);
    const rename: Rec = { data: { code: a.code, name: '新しい名前', parent_code: state.departments.find((x) => x.id === a.parent_id)!.code }, origin: 'in:a',
      meta: { status: 'changed', target: { id: a.id }, changes: [{ field: 'name', old: a.name, new: '新しい名前' }] } };
    const move: Rec = { data: { code: b.code, name: b.name, parent_code: 'M0' }, origin: 'in:b',
      meta: { status: 'changed', target: { id: b.id }, changes: [{ field: 'parent_code', old: 'x', new: 'M0' }] } };
    const drops = await writeAll(sink(), [[dept('M0', '移動先部', null), rename, move]]);
    expect(drops).toEqual([]);
    expect(sb.state.departments.find((d) => d.id === a.id)).toMatchObject({ name: '新しい名前', parent_id: a.parent_id, code: a.code });
    expect(sb.state.departments.find((d) => d.id === b.id)).toMatchObject({ name: b.name, parent_id: byCode('M0')!.id });
    expect(sb.stats.writes).toBe(3);
  });

  it('a parent nowhere to be found, a code that already exists, and a record without a diff are rejected without a request', async () => {
    const orphan = dept('O1', '孤児部', 'NO-SUCH');
    const twice = dept(existingTop.code!, '重複部', null);
    const noDiff: Rec = { data: { code: 'Z1', name: 'Z', parent_code: null }, origin: 'in:z' };
    const drops = await writeAll(sink(), [[orphan, twice, noDiff]]);
    expect(drops.map((d) => d.code)).toEqual(['TARGET_EXISTS', 'NO_DIFF', 'PARENT_UNKNOWN']);
    expect(sb.stats.writes).toBe(0);
  });
});

describe('smarthr.departments sink in a pipeline (json → tree → diff → sink)', () => {
  it('G4: the second run of the same input makes zero write requests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-dept-sink-'));
    const input: Row[] = tree('P', 3, 2, existingTop.code).map((r) => r.data);
    input.push({ code: existingTop.code, name: existingTop.name, parent_code: null });
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(input));
    const conn = `base_url: "${sb.url}", token: "\${SMARTHR_TOKEN}", rate_limit: 1000`;
    const yaml = `name: dept-sync
key: [code]
source: { type: json, path: in.json }
transforms:
  - { type: tree, code_field: code, parent_field: parent_code }
  - type: diff
    key: [code]
    fields: [name, parent_code]
    target_fields: { parent_code: parent.code }
    carry: [id]
    target: { type: smarthr.departments, ${conn} }
sinks:
  - { type: smarthr.departments, ${conn}, concurrency: 8 }
errors: { type: csv, path: errors.csv }
`;
    const loaded = parsePipeline(yaml, path.join(dir, 'p.yaml'), { env: { SMARTHR_TOKEN: sb.token } });
    const run = () => runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => { throw new Error('no db'); }, recordRun: false });
    const first = await run();
    expect(first.error).toBeNull();
    expect(first.counts).toMatchObject({ read: input.length, written: input.length - 1, unchanged: 1, rejected: 0 });
    expect(sb.stats.writes).toBe(input.length - 1);
    sb.stats.reset();
    const second = await run();
    expect(second.error).toBeNull();
    expect(second.counts).toMatchObject({ read: input.length, written: 0, unchanged: input.length, rejected: 0 });
    expect(sb.stats.writes).toBe(0);
  });
});
