/**
 * Connection options shared by every KING OF TIME source and sink: where, which token, which
 * edition, how politely (no limit is published: a conservative 2 requests/s by default, backing off
 * on 429 and 303), what to do in closed hours, and an optional proxy for tokens limited to permitted
 * IP addresses.
 */
import { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import type { ErrorCode } from '../../engine/errors.ts';
import type { Clock } from '../http/clock.ts';
import type { HttpClient } from '../http/client.ts';
import { closedHoursShape, connectionShape, httpClientFor, proxyShape } from '../http/connection.ts';
import { KOT_EDITIONS, kingoftimeProfile, profileFor } from './profile.ts';

export const kingoftimeConnectionShape = {
  ...connectionShape({
    baseUrl: 'API base URL including the version, e.g. `https://api.kingtime.jp/v1.0` (the sandbox prints its own).',
    token: 'Access token (secret; use `${KOT_TOKEN}`). Sent as `Authorization: Bearer`, never logged.',
    rateLimit: { default: 2, note: 'KING OF TIME publishes no limit: keep it low; 429 and code 303 are backed off' },
  }),
  ...closedHoursShape(kingoftimeProfile.windows!),
  ...proxyShape('KING OF TIME'),
  edition: z.enum(KOT_EDITIONS).default('kingoftime').describe('Which edition the token belongs to: kingoftime, or ohs (おまかせ はたラクサポート, NTT East). Names the API in messages.'),
};

export const kingoftimeConnectionSchema = z.strictObject(kingoftimeConnectionShape);
export type KingoftimeConnection = z.infer<typeof kingoftimeConnectionSchema>;

/** The HTTP client for one component. `clock`: tests drive closed hours and retries on virtual time. */
export function kingoftimeHttp(conn: KingoftimeConnection, ctx: Ctx, stage: string, errorCode: ErrorCode = 'SOURCE_HTTP', clock?: Clock): HttpClient {
  return httpClientFor(conn, profileFor(conn.edition), ctx, stage, errorCode, clock);
}
