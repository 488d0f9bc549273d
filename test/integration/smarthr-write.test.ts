/** The SmartHR write client against the sandbox: crews and departments, custom fields, state files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { MIKIWAME_TEMPLATE_NAME } from '../../sandbox/generate/masters.ts';
import { SmarthrClient } from '../../connections/smarthr/smarthr-client.ts';
import { smarthrConnectionSchema } from '../../connections/smarthr/connection.ts';
import { makeCtx } from '../../engine/context.ts';
import { RenkeiError } from '../../engine/errors.ts';
import { HttpError } from '../../connections/http/errors.ts';

const clientFor = (sb: SmarthrSandbox, extra: Record<string, unknown> = {}): SmarthrClient =>
  new SmarthrClient(smarthrConnectionSchema.parse({ base_url: sb.url, token: sb.token, rate_limit: 500, retry_base_ms: 10, ...extra }), makeCtx());

let sb: SmarthrSandbox;
beforeAll(async () => { sb = await startSmarthrSandbox({ employees: 30, seed: 'write', rateLimit: 0 }); });
afterAll(async () => { await sb.stop(); });

const mikiwame = () => sb.state.custom_field_templates.find((t) => t.name === MIKIWAME_TEMPLATE_NAME)!;

describe('SmarthrClient writes', () => {
  it('creates a crew with department, employment type and the ミキワメ(AI)連携 custom field', async () => {
    const c = clientFor(sb);
    const tpl = mikiwame();
    const created = await c.createCrew({
      emp_code: 'W0001', emp_status: 'employed', last_name: '山田', first_name: '花子', last_name_yomi: 'ヤマダ', first_name_yomi: 'ハナコ',
      gender: 'female', entered_at: '2025-04-01', employment_type_id: sb.state.employment_types[1].id, department_ids: [sb.state.departments[2].id],
      custom_fields: [{ template_id: tpl.id, value: tpl.elements[0].id }],
    });
    expect(created.id).toBeTruthy();
    const back = await c.getCrew(created.id);
    expect(back).toMatchObject({ emp_code: 'W0001', last_name: '山田', employment_type: { id: sb.state.employment_types[1].id } });
    expect(back.departments?.[0]?.id).toBe(sb.state.departments[2].id);
    expect(back.custom_fields?.find((f) => f.template.id === tpl.id)?.value).toBe(tpl.elements[0].id);
    expect(sb.state.crews.filter((x) => x.emp_code === 'W0001')).toHaveLength(1);
  });

  it('patches a crew: listed fields only, custom_fields upserted by template_id', async () => {
    const c = clientFor(sb);
    const tpl = mikiwame();
    const target = sb.state.crews[3];
    const before = { last: target.last_name, others: target.custom_fields.filter((f) => f.template_id !== tpl.id) };
    const patched = await c.patchCrew(target.id, { email: 'new.address@example.co.jp', custom_fields: [{ template_id: tpl.id, value: tpl.elements[1].id }] });
    expect(patched).toMatchObject({ email: 'new.address@example.co.jp', last_name: before.last });
    const stored = sb.state.crews[3];
    expect(stored.custom_fields.find((f) => f.template_id === tpl.id)?.value).toBe(tpl.elements[1].id);
    expect(stored.custom_fields.filter((f) => f.template_id !== tpl.id)).toEqual(before.others);
  });

  it('a refused write fails with SINK_HTTP, not transient, with the API error body, and changes nothing', async () => {
    const c = clientFor(sb);
    const target = sb.state.crews[5];
    const snapshot = structuredClone(target);
    const err = await c.patchCrew(target.id, { last_name: '', email: 'x@example.co.jp' }).catch((e: unknown) => e) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('SINK_HTTP');
    expect(err.transient).toBe(false);
    expect(err.api).toMatchObject({ code: 1, type: 'bad_request' });
    expect(err.message).toContain('last_name');
    expect(sb.state.crews[5]).toEqual(snapshot);
    const dup = await c.createCrew({ emp_code: sb.state.crews[0].emp_code as string, emp_status: 'employed', last_name: 'a', first_name: 'b', last_name_yomi: 'ア', first_name_yomi: 'ビ', gender: 'male' }).catch((e: unknown) => e) as HttpError;
    expect(dup.status).toBe(400);
  });

  it('creates and patches departments; a name with "/" is refused before any request', async () => {
    const c = clientFor(sb);
    const parent = sb.state.departments[0];
    const d = await c.createDepartment({ name: '新設課', code: 'NEW1', parent_id: parent.id });
    expect(d).toMatchObject({ name: '新設課', code: 'NEW1', parent: { id: parent.id } });
    expect(d.full_name).toBe(`${parent.name}/新設課`);
    const renamed = await c.patchDepartment(d.id, { name: '新設グループ' });
    expect(renamed.name).toBe('新設グループ');
    expect(renamed.code).toBe('NEW1');
    const writes = sb.stats.writes;
    const err = await c.createDepartment({ name: '営業/東京' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenkeiError);
    expect((err as RenkeiError).code).toBe('SINK_HTTP');
    expect(sb.stats.writes).toBe(writes);
  });

  it('retries writes through 503 service_maintenance without creating anything twice', async () => {
    const flaky = await startSmarthrSandbox({ employees: 5, seed: 'flaky-writes', rateLimit: 0, failRate: 0.4, slowMs: 20 });
    try {
      const c = clientFor(flaky, { retry_attempts: 12 });
      for (let i = 0; i < 15; i++) await c.createDepartment({ name: `部署${i}`, code: `F${i}` });
      expect(flaky.stats.faults.maintenance).toBeGreaterThan(0);
      const made = flaky.state.departments.filter((d) => d.code?.startsWith('F'));
      expect(made.map((d) => d.code)).toEqual(Array.from({ length: 15 }, (_, i) => `F${i}`));
    } finally { await flaky.stop(); }
  });

  it('--state: writes are saved on stop and loaded by the next sandbox', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-smarthr-state-'));
    const file = path.join(dir, 'tenant.json');
    try {
      const a = await startSmarthrSandbox({ employees: 10, seed: 's', statePath: file, rateLimit: 0 });
      const created = await clientFor(a).createCrew({ emp_code: 'S1', emp_status: 'employed', last_name: '佐藤', first_name: '一郎', last_name_yomi: 'サトウ', first_name_yomi: 'イチロウ', gender: 'male' });
      await a.stop();
      const b = await startSmarthrSandbox({ statePath: file, rateLimit: 0, employees: 999 });
      try {
        expect(b.state.crews).toHaveLength(11);
        expect((await clientFor(b).getCrew(created.id)).emp_code).toBe('S1');
      } finally { await b.stop(); }
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
