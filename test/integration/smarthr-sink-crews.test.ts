/**
 * smarthr.crews sink against the SmartHR sandbox over real HTTP (127.0.0.1, port 0): creates with the
 * on_create constants (K7/K8), updates with only the changed fields, a record the target refuses
 * rejected alone, auth failures stopping the run, and a pipeline (json → diff → sink) whose second
 * run makes no write request (G4).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { smarthrCrewsSink } from '../../sinks/smarthr-crews.ts';
import { makeCtx } from '../../engine/context.ts';
import type { Drop, Rec, Row, Sink } from '../../engine/types.ts';
import { RenkeiError } from '../../engine/errors.ts';
import { parsePipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';

const state = generateTenant({ employees: 40, seed: 'crew-sink' });
const [office] = state.biz_establishments;
const optOut = state.custom_field_templates.find((t) => t.type === 'enum')!;
const oldCode = state.custom_field_templates.find((t) => t.type === 'string')!;
const FIELDS = ['emp_code', 'last_name', 'first_name', 'last_name_yomi', 'first_name_yomi', 'gender', 'birth_at', 'email'];

let sb: SmarthrSandbox;
beforeAll(async () => { sb = await startSmarthrSandbox({ state: structuredClone(state), rateLimit: 0, latencyMs: 2 }); });
afterAll(async () => { await sb.stop(); });
beforeEach(() => { sb.stats.reset(); });

function sink(over: Record<string, unknown> = {}, logger = pino({ level: 'silent' })): Sink {
  const o = smarthrCrewsSink.schema.parse({
    type: 'smarthr.crews', base_url: sb.url, token: sb.token, rate_limit: 1000, concurrency: 4, fields: FIELDS,
    custom_fields: { opt_out: optOut.id, old_code: oldCode.id },
    on_create: { biz_establishment_id: office.id, emp_status: 'employed' }, ...over,
  });
  return smarthrCrewsSink.create(o, makeCtx({ logger, key: ['emp_code'] }));
}

const person = (i: number): Row => ({
  emp_code: `N${String(i).padStart(5, '0')}`, last_name: '山田', first_name: `太郎${i}`, last_name_yomi: 'ヤマダ', first_name_yomi: 'タロウ',
  gender: i % 2 ? 'male' : 'female', birth_at: '1990-04-01', email: `new${i}@example.jp`, opt_out: optOut.elements[0].physical_name ?? optOut.elements[0].id,
});
const fresh = (data: Row, origin: string): Rec => ({ data, origin, meta: { status: 'new' } });
const crewOf = (empCode: unknown) => sb.state.crews.find((c) => c.emp_code === empCode);

async function writeAll(s: Sink, recs: Rec[]): Promise<Drop[]> {
  await s.open();
  const drops = await s.write(recs);
  await s.close();
  return drops;
}

describe('smarthr.crews sink', () => {
  it('K7/K8: POSTs new records with the listed fields, custom fields and on_create constants', async () => {
    const recs = [1, 2, 3, 4, 5].map((i) => fresh(person(i), `in.json:[${i}]`));
    const drops = await writeAll(sink(), recs);
    expect(drops).toEqual([]);
    expect(sb.stats.writes).toBe(5);
    for (const r of recs) {
      const c = crewOf(r.data.emp_code)!;
      expect(c).toBeDefined();
      for (const f of FIELDS) expect(c[f]).toBe(r.data[f]);
      expect(c.biz_establishment_id).toBe(office.id);
      expect(c.emp_status).toBe('employed');
      expect(c.custom_fields).toEqual([{ template_id: optOut.id, value: r.data.opt_out }]);
    }
  });

  it('K7: PATCHes only the changed fields of a changed record, never on_create', async () => {
    const target = sb.state.crews.find((c) => c.emp_status === 'retired' && c.biz_establishment_id !== office.id && c.email)!;
    const before = structuredClone(target);
    // Every field differs from the target, but the diff says only email and old_code changed.
    const data = { ...person(99), emp_code: target.emp_code, email: 'changed@example.jp', old_code: 'X-1' };
    const rec: Rec = {
      data, origin: 'in.json:[0]',
      meta: { status: 'changed', target: { id: target.id }, changes: [
        { field: 'email', old: before.email, new: 'changed@example.jp' }, { field: 'old_code', old: null, new: 'X-1' },
      ] },
    };
    const drops = await writeAll(sink(), [rec]);
    expect(drops).toEqual([]);
    expect(sb.stats.writes).toBe(1);
    const after = sb.state.crews.find((c) => c.id === target.id)!;
    expect(after.email).toBe('changed@example.jp');
    expect(after.custom_fields.find((f) => f.template_id === oldCode.id)?.value).toBe('X-1');
    for (const f of ['last_name', 'first_name', 'gender', 'birth_at', 'emp_status', 'biz_establishment_id']) expect(after[f]).toEqual(before[f]);
    expect(after.custom_fields.find((f) => f.template_id === optOut.id)).toEqual(before.custom_fields.find((f) => f.template_id === optOut.id));
  });

  it('a record the target refuses (400 duplicate 社員番号) is rejected alone with the API message and key; the rest are written', async () => {
    const taken = state.crews[3].emp_code;
    const recs = [10, 11, 12, 13, 14, 15].map((i) => fresh(person(i), `in.json:[${i}]`));
    recs[2].data.emp_code = taken;
    const drops = await writeAll(sink({ concurrency: 3 }), recs);
    expect(drops).toHaveLength(1);
    const [d] = drops;
    expect(d.kind).toBe('rejected');
    expect(d.code).toBe('TARGET_REFUSED');
    expect(d.data).toBe(recs[2].data);
    expect(d.field).toBe('emp_code');
    expect(d.message).toContain(`emp_code ${taken}`);
    expect(d.message).toContain('bad_request');
    expect(d.message).toContain('社員番号はすでに存在します');
    expect(sb.stats.writes).toBe(5);
    for (const i of [0, 1, 3, 4, 5]) expect(crewOf(recs[i].data.emp_code)).toBeDefined();
  });

  it('a PATCH of a crew deleted since the diff (404) is rejected TARGET_REFUSED', async () => {
    const rec: Rec = { data: person(20), origin: 'x:1', meta: { status: 'changed', target: { id: 'no-such-crew' }, changes: [{ field: 'email', old: 'a', new: 'b' }] } };
    const drops = await writeAll(sink(), [rec]);
    expect(drops.map((d) => d.code)).toEqual(['TARGET_REFUSED']);
    expect(drops[0].message).toContain('not_found');
  });

  it('records without a diff status or a target id are rejected without any request', async () => {
    const noDiff: Rec = { data: person(30), origin: 'x:1' };
    const noId: Rec = { data: person(31), origin: 'x:2', meta: { status: 'changed', changes: [{ field: 'email', old: 'a', new: 'b' }], target: {} } };
    const drops = await writeAll(sink(), [noDiff, noId]);
    expect(drops.map((d) => d.code)).toEqual(['NO_DIFF', 'NO_TARGET_ID']);
    expect(drops[1].message).toContain('carry: [id]');
    expect(sb.stats.requests).toBe(0);
  });

  it('a wrong token (401) fails the write with SINK_HTTP instead of rejecting every record', async () => {
    const s = sink({ token: 'wrong-token' });
    await s.open();
    const err = await s.write([1, 2, 3].map((i) => fresh(person(40 + i), `x:${i}`))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenkeiError);
    expect((err as RenkeiError).code).toBe('SINK_HTTP');
    expect(String((err as Error).message)).not.toContain('wrong-token');
    expect(sb.stats.writes).toBe(0);
  });

  it('G1: a write still failing after the retries (503 maintenance) is rejected SINK_HTTP; only acknowledged writes are not refused', async () => {
    const flaky = await startSmarthrSandbox({ state: structuredClone(state), rateLimit: 0, failRate: 1, slowMs: 5, seed: 'flaky' });
    try {
      const o = smarthrCrewsSink.schema.parse({ type: 'smarthr.crews', base_url: flaky.url, token: flaky.token, rate_limit: 1000, fields: FIELDS, retry_attempts: 2, retry_max_time_ms: 100 });
      const recs = [70, 71, 72, 73, 74, 75, 76, 77].map((i) => fresh(person(i), `x:${i}`));
      const drops = await writeAll(smarthrCrewsSink.create(o, makeCtx({ key: ['emp_code'] })), recs);
      expect(flaky.stats.faults.maintenance).toBeGreaterThan(0);
      expect(drops.length).toBe(flaky.stats.faults.maintenance);
      for (const d of drops) {
        expect(d.code).toBe('SINK_HTTP');
        expect(d.message).toContain('service_maintenance');
        expect(flaky.state.crews.some((c) => c.emp_code === (d.data as Row).emp_code)).toBe(false);
      }
      expect(flaky.stats.writes).toBe(recs.length - drops.length);
    } finally {
      await flaky.stop();
    }
  });

  it('G5/G6: write logs carry keys and status, never the token, names or emails', async () => {
    const raw: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => { raw.push(l); } });
    await writeAll(sink({}, logger), [fresh(person(50), 'x:1')]);
    const text = raw.join('');
    expect(text).toContain('emp_code N00050');
    expect(text).toContain('write acknowledged');
    for (const secret of [sb.token, '太郎50', 'new50@example.jp', '1990-04-01']) expect(text).not.toContain(secret);
  });
});

describe('smarthr.crews sink in a pipeline (json → diff carry [id] → sink)', () => {
  const yaml = (url: string) => `name: crew-sync
key: [emp_code]
source: { type: json, path: in.json }
transforms:
  - type: diff
    key: [emp_code]
    fields: [${FIELDS.filter((f) => f !== 'emp_code').join(', ')}]
    carry: [id]
    target: { type: smarthr.crews, base_url: "${url}", token: "\${SMARTHR_TOKEN}", rate_limit: 1000, fields: [${FIELDS.join(', ')}] }
sinks:
  - type: smarthr.crews
    base_url: "${url}"
    token: \${SMARTHR_TOKEN}
    rate_limit: 1000
    concurrency: 8
    fields: [${FIELDS.join(', ')}]
    on_create: { biz_establishment_id: "${office.id}", emp_status: employed }
errors: { type: csv, path: errors.csv }
`;

  it('G1/G4: writes new and changed records, then a second identical run makes zero write requests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-crew-sink-'));
    const existing = sb.state.crews.slice(20, 30).map((c) => Object.fromEntries(FIELDS.map((f) => [f, c[f] ?? null])));
    existing[0].email = 'moved@example.jp';
    existing[1].last_name = '改姓';
    const input = [...existing, ...[60, 61, 62].map(person).map((p) => Object.fromEntries(FIELDS.map((f) => [f, p[f]])))];
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(input));
    const loaded = parsePipeline(yaml(sb.url), path.join(dir, 'p.yaml'), { env: { SMARTHR_TOKEN: sb.token } });
    const run = () => runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => { throw new Error('no db'); }, recordRun: false });

    const first = await run();
    expect(first.error).toBeNull();
    expect(first.counts).toMatchObject({ read: 13, written: 5, unchanged: 8, rejected: 0 });
    expect(sb.stats.writes).toBe(5);
    expect(crewOf(existing[0].emp_code)!.email).toBe('moved@example.jp');
    expect(crewOf(existing[1].emp_code)!.last_name).toBe('改姓');
    expect(crewOf('N00060')!.biz_establishment_id).toBe(office.id);

    sb.stats.reset();
    const second = await run();
    expect(second.error).toBeNull();
    expect(second.counts).toMatchObject({ read: 13, written: 0, unchanged: 13, rejected: 0 });
    expect(sb.stats.writes).toBe(0);
    expect(sb.stats.requests).toBeGreaterThan(0);
  });
});
