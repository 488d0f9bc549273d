/**
 * Connection options shared by every SmartHR source (and the sinks that write to SmartHR): where,
 * which token, and how politely. Defaults follow the documented limit of 10 requests/s per token.
 */
import { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import type { ErrorCode } from '../../engine/errors.ts';
import { HttpClient } from '../http/client.ts';

export const smarthrConnectionShape = {
  base_url: z.url({ protocol: /^https?$/ }).describe('API base URL including `/api`, e.g. `https://acme.smarthr.jp/api` (sandbox tenants: `https://acme.daruma.space/api`).'),
  token: z.string().min(1).describe('Access token (secret; use `${SMARTHR_TOKEN}`). Sent as `Authorization: Bearer`, never logged.'),
  rate_limit: z.number().positive().max(1000).default(10).describe('Client-side limit in requests per second for this token (SmartHR allows 10/s per token).'),
  concurrency: z.number().int().min(1).max(16).default(4).describe('Pages fetched at the same time when the total is known (records are still emitted in page order).'),
  timeout_ms: z.number().int().positive().default(30_000).describe('Timeout of one HTTP request, in ms (headers and body).'),
  retry_attempts: z.number().int().min(1).max(20).default(6).describe('Attempts for a request that keeps failing (5xx, timeouts, connection resets). 429s are waited out and do not count.'),
  retry_max_time_ms: z.number().int().positive().default(300_000).describe('Upper bound on the time spent retrying one request, in ms.'),
  retry_base_ms: z.number().int().positive().default(500).describe('First backoff step, in ms; doubles each retry, with jitter.'),
};

export const smarthrConnectionSchema = z.strictObject(smarthrConnectionShape);
export type SmarthrConnection = z.infer<typeof smarthrConnectionSchema>;

/** The HTTP client for one component; its log lines carry the component's stage name. */
export function smarthrHttp(conn: SmarthrConnection, ctx: Ctx, stage: string, errorCode: ErrorCode = 'SOURCE_HTTP'): HttpClient {
  return new HttpClient({
    baseUrl: conn.base_url,
    token: conn.token,
    rateLimit: conn.rate_limit,
    timeoutMs: conn.timeout_ms,
    retry: { attempts: conn.retry_attempts, maxElapsedMs: conn.retry_max_time_ms, baseMs: conn.retry_base_ms },
    // The runner's ctx logger already carries the stage; add it only when missing (no duplicate keys).
    logger: ctx.logger.bindings().stage === undefined ? ctx.logger.child({ stage }) : ctx.logger,
    signal: ctx.signal,
    errorCode,
  });
}
