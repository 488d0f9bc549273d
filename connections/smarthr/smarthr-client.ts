/**
 * SmartHR API client for components that need more than a list read: single reads and the writes the
 * sinks use (create / patch crew incl. `custom_fields: [{template_id, value}]`, create / patch
 * department). Same profile, limiter, retries and logging as the sources (../http/client.ts). POST is
 * retried only where the server says it did nothing (429, 503), so a create is never sent twice by us.
 */
import type { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import { RenkeiError, type ErrorCode } from '../../engine/errors.ts';
import type { HttpClient } from '../http/client.ts';
import { pagingStrategies, type PagingName } from '../http/paging.ts';
import { pageConcurrency } from '../http/connection.ts';
import { smarthrProfile } from './profile.ts';
import { smarthrHttp, type SmarthrConnection } from './connection.ts';
import { crewWriteSchema, departmentWriteSchema, type Crew, type CrewWrite, type Department, type DepartmentWrite } from './schemas.ts';

/** A body that does not fit the API's write schema fails before any request (not transient). */
function checked<T>(schema: z.ZodType<T>, value: unknown, what: string, code: ErrorCode): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new RenkeiError(code, `${what}: invalid body: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
}

export class SmarthrClient {
  readonly http: HttpClient;
  private readonly pages: number;

  constructor(readonly conn: SmarthrConnection, ctx: Ctx, stage = 'smarthr', private readonly errorCode: ErrorCode = 'SINK_HTTP') {
    this.http = smarthrHttp(conn, ctx, stage, errorCode);
    this.pages = pageConcurrency(conn, ctx.options.concurrency);
  }

  /** Every item of a list endpoint, page by page, in order. */
  async *list<T = Record<string, unknown>>(path: string, query: Record<string, string | number | boolean | undefined> = {}, paging: PagingName = 'page', perPage = 100): AsyncGenerator<T[]> {
    for await (const p of pagingStrategies[paging](this.http, { path, query, perPage, concurrency: this.pages, idField: smarthrProfile.identity })) yield p.items as T[];
  }

  async getCrew(id: string, fields?: string[]): Promise<Crew> {
    const res = await this.http.request<Crew>({ method: 'GET', path: `/v1/crews/${encodeURIComponent(id)}`, query: { fields: fields?.join(',') }, label: 'GET /v1/crews/{id}' });
    return res.data;
  }

  /** POST /v1/crews → the created crew (201). */
  async createCrew(body: CrewWrite): Promise<Crew> {
    const res = await this.http.request<Crew>({ method: 'POST', path: '/v1/crews', body: checked(crewWriteSchema, body, 'POST /v1/crews', this.errorCode), label: 'POST /v1/crews' });
    return res.data;
  }

  /** PATCH /v1/crews/{id}: only the fields given; custom_fields upsert by template_id. */
  async patchCrew(id: string, body: CrewWrite): Promise<Crew> {
    const res = await this.http.request<Crew>({ method: 'PATCH', path: `/v1/crews/${encodeURIComponent(id)}`, body: checked(crewWriteSchema, body, 'PATCH /v1/crews/{id}', this.errorCode), label: 'PATCH /v1/crews/{id}' });
    return res.data;
  }

  async createDepartment(body: DepartmentWrite): Promise<Department> {
    const res = await this.http.request<Department>({ method: 'POST', path: '/v1/departments', body: checked(departmentWriteSchema, body, 'POST /v1/departments', this.errorCode), label: 'POST /v1/departments' });
    return res.data;
  }

  async patchDepartment(id: string, body: DepartmentWrite): Promise<Department> {
    const res = await this.http.request<Department>({ method: 'PATCH', path: `/v1/departments/${encodeURIComponent(id)}`, body: checked(departmentWriteSchema, body, 'PATCH /v1/departments/{id}', this.errorCode), label: 'PATCH /v1/departments/{id}' });
    return res.data;
  }
}
