/**
 * Connection options shared by every SmartHR source (and the sinks that write to SmartHR): where,
 * which token, and how politely. Defaults follow the documented limit of 10 requests/s per token.
 */
import { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import type { ErrorCode } from '../../engine/errors.ts';
import type { HttpClient } from '../http/client.ts';
import { connectionShape, httpClientFor } from '../http/connection.ts';
import { smarthrProfile } from './profile.ts';

export const smarthrConnectionShape = connectionShape({
  baseUrl: 'API base URL including `/api`, e.g. `https://acme.smarthr.jp/api` (sandbox tenants: `https://acme.daruma.space/api`).',
  token: 'Access token (secret; use `${SMARTHR_TOKEN}`). Sent as `Authorization: Bearer`, never logged.',
  rateLimit: { default: 10, note: 'SmartHR allows 10/s per token' },
});

export const smarthrConnectionSchema = z.strictObject(smarthrConnectionShape);
export type SmarthrConnection = z.infer<typeof smarthrConnectionSchema>;

/** The HTTP client for one component; its log lines carry the component's stage name. */
export function smarthrHttp(conn: SmarthrConnection, ctx: Ctx, stage: string, errorCode: ErrorCode = 'SOURCE_HTTP'): HttpClient {
  return httpClientFor(conn, smarthrProfile, ctx, stage, errorCode);
}
