/**
 * Connection options of every Mikiwame source and sink: the shared HTTP options plus the linkage
 * dates (L1/L2). The HTTP client for a component checks the linkage once, before its first request.
 */
import { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import type { ErrorCode } from '../../engine/errors.ts';
import type { HttpClient } from '../http/client.ts';
import { connectionShape, httpClientFor } from '../http/connection.ts';
import type { ApiProfile } from '../http/profile.ts';
import { checkLinkage, type Linkage } from './linkage.ts';

const stampOrDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date or date-time');

export const mikiwameConnectionShape = {
  ...connectionShape({
    baseUrl: 'Mikiwame API base URL including `/api`, e.g. `http://127.0.0.1:18788/api` (the sandbox: `renkei sandbox mikiwame`).',
    token: 'Linkage token (secret; use `${MIKIWAME_TOKEN}`). Sent as `Authorization: Bearer`, never logged.',
    rateLimit: { default: 10, note: 'modelled on SmartHR: 10/s per token' },
  }),
  linked_at: stampOrDate.optional().describe('When the linkage was made (L1: it lasts 90 days). Optional: the API is asked too (GET /v1/linkage).'),
  expires_at: stampOrDate.optional().describe('When the linkage expires; an expired linkage refuses to start (L2), fewer than 14 days left warns.'),
};
export const mikiwameConnectionSchema = z.strictObject(mikiwameConnectionShape);
export type MikiwameConnection = z.infer<typeof mikiwameConnectionSchema>;

/**
 * Checks the linkage — the connection's own dates, then the API's (`GET /v1/linkage`) — and throws
 * LINKAGE_EXPIRED when it has expired. Only reads: nothing is written before this passes.
 */
export async function ensureLinkage(conn: MikiwameConnection, http: HttpClient, ctx: Ctx, where: string): Promise<void> {
  checkLinkage(conn, ctx.now(), ctx.logger, where, ctx.notice);
  const res = await http.request<Linkage>({ method: 'GET', path: '/v1/linkage', label: 'GET /v1/linkage' });
  checkLinkage(res.data ?? {}, ctx.now(), ctx.logger, where, ctx.notice);
}

export function mikiwameHttp(conn: MikiwameConnection, profile: ApiProfile, ctx: Ctx, stage: string, errorCode: ErrorCode = 'SOURCE_HTTP'): HttpClient {
  return httpClientFor(conn, profile, ctx, stage, errorCode);
}
