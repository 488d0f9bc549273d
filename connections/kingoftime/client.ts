/**
 * KING OF TIME API client for components that need more than one list read: the employee writes the
 * sink uses (POST /employees, PUT /employees/{key}), never DELETE. Same profile, limiter, closed hours,
 * retries and logging as the sources. POST is retried only where the server says it did nothing
 * (throttled, 503, closed hours), so a create is never sent twice by us.
 */
import type { Ctx } from '../../engine/types.ts';
import { RenkeiError, type ErrorCode } from '../../engine/errors.ts';
import type { Clock } from '../http/clock.ts';
import type { HttpClient } from '../http/client.ts';
import { kingoftimeHttp, type KingoftimeConnection } from './connection.ts';

/** An employee as KOT returns it (null properties omitted). */
export interface KotEmployee { key: string; code: string; [field: string]: unknown }

/** POST /employees requires these (the rest is optional). */
export const KOT_CREATE_REQUIRED = ['divisionCode', 'gender', 'typeCode', 'code', 'lastName', 'firstName'] as const;

export class KingoftimeClient {
  readonly http: HttpClient;

  constructor(conn: KingoftimeConnection, ctx: Ctx, stage = 'kingoftime', private readonly errorCode: ErrorCode = 'SINK_HTTP', clock?: Clock) {
    this.http = kingoftimeHttp(conn, ctx, stage, errorCode, clock);
  }

  /** POST /employees → the created employee with its `key` (201). Fails before sending when a required field is missing. */
  async createEmployee(body: Record<string, unknown>): Promise<KotEmployee> {
    const missing = KOT_CREATE_REQUIRED.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
    if (missing.length) throw new RenkeiError(this.errorCode, `POST /employees: invalid body: ${missing.join(', ')} required`);
    const res = await this.http.request<KotEmployee>({ method: 'POST', path: '/employees', body, label: 'POST /employees' });
    return res.data;
  }

  /** PUT /employees/{key}: only the given properties change; `''` clears one. `updateDate` dates a division/type change. */
  async updateEmployee(key: string, body: Record<string, unknown>, updateDate?: string): Promise<KotEmployee> {
    const res = await this.http.request<KotEmployee>({ method: 'PUT', path: `/employees/${encodeURIComponent(key)}`, query: { updateDate }, body, label: 'PUT /employees/{key}' });
    return res.data;
  }

  close(): void { this.http.close(); }
}
