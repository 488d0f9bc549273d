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
import { checkLinkage, expiryOf, type Linkage } from './linkage.ts';

const stampOrDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date or date-time');

export const mikiwameConnectionShape = {
  ...connectionShape({
    baseUrl: 'Mikiwame API base URL including `/api`, e.g. `http://127.0.0.1:18788/api` (the sandbox: `renkei sandbox mikiwame`).',
    token: 'Linkage token (secret; use `${MIKIWAME_TOKEN}`). Sent as `Authorization: Bearer`, never logged.',
    rateLimit: { default: 10, note: 'modelled on SmartHR: 10/s per token' },
  }),
  linked_at: stampOrDate.optional().describe('When the linkage was made (L1: it lasts 90 days). Used only when the API reports no linkage: the API\'s `GET /v1/linkage` wins (it is what refuses an expired token and what `renkei link mikiwame` renews); a date here that differs from the API\'s is shown as stale.'),
  expires_at: stampOrDate.optional().describe('When the linkage expires (an expired linkage refuses to start, L2; fewer than 14 days left is a notice). Used only when the API reports no linkage: the API\'s dates win, a different date here is shown as stale.'),
};
export const mikiwameConnectionSchema = z.strictObject(mikiwameConnectionShape);
export type MikiwameConnection = z.infer<typeof mikiwameConnectionSchema>;

/**
 * Checks the linkage and throws LINKAGE_EXPIRED when it has expired. The API's linkage
 * (`GET /v1/linkage`) is the one that counts: the API refuses an expired token, and `renkei link
 * mikiwame` renews it there, so a renewal takes effect for every pipeline at once. The connection's
 * `linked_at` / `expires_at` are used only when the API reports no linkage; when they differ from the
 * API's, they are stale and the person running is told so (a notice), never refused because of them.
 * Only reads: nothing is written before this passes.
 */
export async function ensureLinkage(conn: MikiwameConnection, http: HttpClient, ctx: Ctx, where: string): Promise<void> {
  const res = await http.request<Linkage>({ method: 'GET', path: '/v1/linkage', label: 'GET /v1/linkage' });
  const api = res.data ?? {};
  const apiExpiry = expiryOf(api);
  const ownExpiry = expiryOf(conn);
  if (apiExpiry && ownExpiry && apiExpiry.getTime() !== ownExpiry.getTime()) {
    const msg = `${where}: the connection's linkage dates (expires ${ownExpiry.toISOString()}) differ from the Mikiwame API's (expires ${apiExpiry.toISOString()}); the API's are used — remove linked_at/expires_at from the connection or update them`;
    ctx.logger.warn({ event: 'linkage.stale_option', expires_at: apiExpiry.toISOString(), option_expires_at: ownExpiry.toISOString() }, msg);
    ctx.notice?.(msg);
  }
  checkLinkage(apiExpiry ? api : conn, ctx.now(), ctx.logger, where, ctx.notice);
}

export function mikiwameHttp(conn: MikiwameConnection, profile: ApiProfile, ctx: Ctx, stage: string, errorCode: ErrorCode = 'SOURCE_HTTP'): HttpClient {
  return httpClientFor(conn, profile, ctx, stage, errorCode);
}
