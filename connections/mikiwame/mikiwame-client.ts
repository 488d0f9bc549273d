/**
 * Mikiwame API client for the sinks: department upsert by code (`PUT /v1/departments/{code}`),
 * employee create and patch. Same HTTP layer as every API (limiter, retries, logging). `open()` checks
 * the linkage (L2) before anything is written.
 */
import type { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import { RenkeiError, type ErrorCode } from '../../engine/errors.ts';
import type { HttpClient } from '../http/client.ts';
import { pagingStrategies } from '../http/paging.ts';
import { pageConcurrency } from '../http/connection.ts';
import type { ApiProfile } from '../http/profile.ts';
import { ensureLinkage, mikiwameHttp, type MikiwameConnection } from './connection.ts';
import { mikiwameProfile } from './profile.ts';
import {
  departmentWriteSchema, employeeWriteSchema, type MikiwameDepartmentWrite, type MikiwameEmployee, type MikiwameEmployeeWrite,
} from './schemas.ts';

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string, code: ErrorCode): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new RenkeiError(code, `${what}: invalid body: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
}

export class MikiwameClient {
  readonly http: HttpClient;
  private readonly pages: number;

  constructor(readonly conn: MikiwameConnection, private readonly ctx: Ctx, stage = 'mikiwame', private readonly errorCode: ErrorCode = 'SINK_HTTP', readonly profile: ApiProfile = mikiwameProfile) {
    this.http = mikiwameHttp(conn, profile, ctx, stage, errorCode);
    this.pages = pageConcurrency(conn, ctx.options.concurrency);
  }

  /** Refuses an expired linkage (L2); call before the first write. */
  open(where: string): Promise<void> {
    return ensureLinkage(this.conn, this.http, this.ctx, where);
  }

  async *list<T = Record<string, unknown>>(path: string, idField = this.profile.identity): AsyncGenerator<T[]> {
    for await (const p of pagingStrategies.page(this.http, { path, query: {}, perPage: 100, concurrency: this.pages, idField })) yield p.items as T[];
  }

  /** PUT /v1/departments/{code}: creates or updates the department with this code (M-D2). */
  async putDepartment(code: string, body: MikiwameDepartmentWrite): Promise<void> {
    await this.http.request({
      method: 'PUT', path: `/v1/departments/${encodeURIComponent(code)}`, label: 'PUT /v1/departments/{code}',
      body: checked(departmentWriteSchema, body, 'PUT /v1/departments/{code}', this.errorCode),
    });
  }

  async createEmployee(body: MikiwameEmployeeWrite): Promise<MikiwameEmployee> {
    const res = await this.http.request<MikiwameEmployee>({ method: 'POST', path: '/v1/employees', label: 'POST /v1/employees', body: checked(employeeWriteSchema, body, 'POST /v1/employees', this.errorCode) });
    return res.data;
  }

  async patchEmployee(id: string, body: MikiwameEmployeeWrite): Promise<MikiwameEmployee> {
    const res = await this.http.request<MikiwameEmployee>({ method: 'PATCH', path: `/v1/employees/${encodeURIComponent(id)}`, label: 'PATCH /v1/employees/{id}', body: checked(employeeWriteSchema, body, 'PATCH /v1/employees/{id}', this.errorCode) });
    return res.data;
  }
}
