/** Every smarthr.* source type through the registry, and a read that must fail when the data moves under it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { createSource, sourceConfigSchema } from '../../config/registry.ts';
import { makeCtx } from '../../engine/context.ts';
import { Drop, type Rec } from '../../engine/types.ts';
import { RenkeiError } from '../../engine/errors.ts';
import { SmarthrClient } from '../../connections/smarthr/smarthr-client.ts';
import { smarthrConnectionSchema } from '../../connections/smarthr/connection.ts';

let sb: SmarthrSandbox;
beforeAll(async () => { sb = await startSmarthrSandbox({ employees: 60, seed: 'sources', rateLimit: 0, departmentDepth: 5 }); });
afterAll(async () => { await sb.stop(); });

async function read(type: string, extra: Record<string, unknown> = {}): Promise<Rec[]> {
  const cfg = sourceConfigSchema().parse({ type, base_url: sb.url, token: sb.token, rate_limit: 500, ...extra }) as { type: string };
  const out: Rec[] = [];
  for await (const b of createSource(cfg, makeCtx()).read()) for (const r of b) { if (r instanceof Drop) throw new Error(r.message); out.push(r); }
  return out;
}

describe('smarthr.* source types', () => {
  it('departments, employment types, job titles, custom field templates, offices: all records, in API order', async () => {
    expect((await read('smarthr.departments', { per_page: 7 })).map((r) => r.data.id)).toEqual(sb.state.departments.map((d) => d.id));
    expect((await read('smarthr.employment_types')).map((r) => r.data.name)).toEqual(sb.state.employment_types.map((e) => e.name));
    expect((await read('smarthr.job_titles', { sort: 'rank' })).map((r) => r.data.rank)).toEqual(sb.state.job_titles.map((j) => j.rank).sort((a, b) => a - b));
    const templates = await read('smarthr.custom_field_templates', { embed_group: true });
    expect(templates.map((r) => r.data.id)).toEqual(sb.state.custom_field_templates.map((t) => t.id));
    expect(templates.every((r) => typeof (r.data.group as { name?: string }).name === 'string')).toBe(true);
    const offices = await read('smarthr.biz_establishments', { per_page: 2, paging: 'link' });
    expect(offices.map((r) => r.data.id)).toEqual(sb.state.biz_establishments.map((b) => b.id));
    expect(offices[2].origin).toBe('GET /v1/biz_establishments page 2 #1');
  });

  it('departments filtered by code', async () => {
    const d = sb.state.departments.find((x) => x.code)!;
    expect((await read('smarthr.departments', { code: d.code })).map((r) => r.data.id)).toEqual([d.id]);
  });

  it('config errors name the option: per_page over 100, unknown keys, a non-URL base_url', () => {
    const schema = sourceConfigSchema();
    expect(schema.safeParse({ type: 'smarthr.crews', base_url: sb.url, token: 't', per_page: 101 }).success).toBe(false);
    expect(schema.safeParse({ type: 'smarthr.crews', base_url: sb.url, token: 't', perpage: 10 }).success).toBe(false);
    expect(schema.safeParse({ type: 'smarthr.job_titles', base_url: 'smarthr.jp', token: 't' }).success).toBe(false);
  });

  it('a crew created during a read fails it (total changed) instead of silently skipping or repeating a record', async () => {
    const cfg = sourceConfigSchema().parse({ type: 'smarthr.crews', base_url: sb.url, token: sb.token, rate_limit: 500, per_page: 10, concurrency: 1 }) as { type: string };
    const writer = new SmarthrClient(smarthrConnectionSchema.parse({ base_url: sb.url, token: sb.token, rate_limit: 500 }), makeCtx());
    let batches = 0;
    const err = await (async () => {
      for await (const b of createSource(cfg, makeCtx()).read()) {
        expect(b).toHaveLength(10);
        if (++batches === 1) await writer.createCrew({ emp_status: 'employed', last_name: '途中', first_name: '入社', last_name_yomi: 'トチュウ', first_name_yomi: 'ニュウシャ', gender: 'male' });
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenkeiError);
    expect((err as RenkeiError).code).toBe('SOURCE_HTTP');
    expect((err as RenkeiError).message).toMatch(/data changed during the read/);
  });
});
