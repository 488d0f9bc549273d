/**
 * The sandbox answers in the shapes of SmartHR's published OpenAPI document, checked with renkei's own
 * zod schemas (connections/smarthr/schemas.ts) over real HTTP, including paging and rate-limit headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import {
  apiErrorSchema, bizEstablishmentSchema, crewSchema, customFieldTemplateSchema, departmentSchema, employmentTypeSchema, jobTitleSchema,
} from '../../connections/smarthr/schemas.ts';

let sb: SmarthrSandbox;
beforeAll(async () => { sb = await startSmarthrSandbox({ employees: 400, seed: 'schemas', rateLimit: 50, departmentDepth: 4 }); });
afterAll(async () => { await sb.stop(); });

const get = async (path: string, token = sb.token): Promise<Response> => fetch(`${sb.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

async function listAll(path: string, schema: z.ZodType): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let page = 1; ; page++) {
    const res = await get(`${path}${path.includes('?') ? '&' : '?'}per_page=100&page=${page}`);
    expect(res.status).toBe(200);
    const items = (await res.json()) as unknown[];
    for (const it of items) {
      const r = schema.safeParse(it);
      if (!r.success) throw new Error(`${path}: ${JSON.stringify(r.error.issues.slice(0, 3))}`);
    }
    out.push(...items);
    if (!res.headers.get('link')?.includes('rel="next"')) return out;
  }
}

describe('sandbox responses match the OpenAPI shapes', () => {
  it('crews (Crew), with deprecated fields beside their replacements', async () => {
    const crews = await listAll('/v1/crews', crewSchema) as Array<Record<string, unknown>>;
    expect(crews).toHaveLength(400);
    const c = crews.find((x) => Array.isArray(x.departments) && x.departments.length > 0 && (x.departments as unknown[])[0] !== null)!;
    expect(typeof c.department).toBe('string');
    expect(c.emp_type).toBe((c.employment_type as { preset_type: string | null }).preset_type);
  });
  it('a single crew, departments, employment types, job titles, templates (also embed=group), offices', async () => {
    const one = await get(`/v1/crews/${sb.state.crews[0].id}`);
    expect(crewSchema.safeParse(await one.json()).success).toBe(true);
    expect(await listAll('/v1/departments', departmentSchema)).toHaveLength(sb.state.departments.length);
    expect(await listAll('/v1/employment_types', employmentTypeSchema)).toHaveLength(sb.state.employment_types.length);
    expect(await listAll('/v1/job_titles', jobTitleSchema)).toHaveLength(sb.state.job_titles.length);
    expect(await listAll('/v1/crew_custom_field_templates', customFieldTemplateSchema)).toHaveLength(sb.state.custom_field_templates.length);
    const embedded = await listAll('/v1/crew_custom_field_templates?embed=group', customFieldTemplateSchema) as Array<Record<string, unknown>>;
    expect(embedded.every((t) => t.group && !('group_id' in t))).toBe(true);
    expect(await listAll('/v1/biz_establishments', bizEstablishmentSchema)).toHaveLength(sb.state.biz_establishments.length);
  });
  it('paging headers: x-total-count always, Link first/prev/next/last, none on a single page', async () => {
    const mid = await get('/v1/crews?per_page=100&page=2');
    expect(mid.headers.get('x-total-count')).toBe('400');
    const rels = [...mid.headers.get('link')!.matchAll(/rel="(\w+)"/g)].map((m) => m[1]);
    expect(rels).toEqual(['first', 'prev', 'next', 'last']);
    const single = await get('/v1/employment_types?per_page=100');
    expect(single.headers.get('link')).toBeNull();
    expect(single.headers.get('x-total-count')).toBe(String(sb.state.employment_types.length));
    expect(mid.headers.get('x-rate-limit-limit')).toBe('50');
    expect(Number(mid.headers.get('x-rate-limit-remaining'))).toBeGreaterThanOrEqual(0);
  });
  it('error bodies: 401 unauthorized_token (code 2), 404 not_found, 400 for per_page over 100', async () => {
    const unauth = await get('/v1/crews', 'wrong');
    expect(unauth.status).toBe(401);
    expect(apiErrorSchema.parse(await unauth.json())).toMatchObject({ code: 2, type: 'unauthorized_token' });
    const missing = await get('/v1/crews/nope');
    expect(missing.status).toBe(404);
    expect(apiErrorSchema.parse(await missing.json())).toMatchObject({ code: 4, type: 'not_found' });
    const big = await get('/v1/crews?per_page=101');
    expect(big.status).toBe(400);
    expect(apiErrorSchema.parse(await big.json())).toMatchObject({ code: 1, type: 'bad_request' });
  });
  it('429 too_many_requests (code 6) with Retry-After and x-rate-limit headers when the limit is exceeded', async () => {
    const tight = await startSmarthrSandbox({ employees: 5, rateLimit: 2 });
    try {
      const res = await Promise.all(Array.from({ length: 6 }, () => fetch(`${tight.url}/v1/crews`, { headers: { authorization: `Bearer ${tight.token}` } })));
      const limited = res.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(apiErrorSchema.parse(await limited[0].json())).toMatchObject({ code: 6, type: 'too_many_requests' });
      expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited[0].headers.get('x-rate-limit-remaining')).toBe('0');
      expect(tight.stats.tooMany).toBe(limited.length);
    } finally { await tight.stop(); }
  });
});
