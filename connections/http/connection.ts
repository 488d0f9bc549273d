/**
 * Connection options every HTTP API shares (where, which credential, how politely, how persistently),
 * as a zod shape each API profile instantiates with its own wording and defaults, and the HTTP client
 * built from them for one component.
 */
import { z } from 'zod';
import type { Ctx } from '../../engine/types.ts';
import type { ErrorCode } from '../../engine/errors.ts';
import { HttpClient } from './client.ts';
import type { Clock } from './clock.ts';
import type { HttpProfile } from './profile.ts';
import { availabilityWindows, type AvailabilityWindows, type WindowPolicy } from './windows.ts';

/** The API-specific wording and defaults of the connection options. */
export interface ConnectionDocs {
  /** Description of `base_url`, with an example. */
  baseUrl: string;
  /** Description of `token`, naming the environment variable to use. */
  token: string;
  /** Default client-side limit in requests per second, and what the API documents about it. */
  rateLimit: { default: number; note: string };
}

export function connectionShape(d: ConnectionDocs) {
  return {
    base_url: z.url({ protocol: /^https?$/ }).describe(d.baseUrl),
    token: z.string().min(1).describe(d.token),
    rate_limit: z.number().positive().max(1000).default(d.rateLimit.default).describe(`Client-side limit in requests per second for this token (${d.rateLimit.note}).`),
    concurrency: z.number().int().min(1).max(16).optional().describe('Pages fetched at the same time when the total is known (records are still emitted in page order). Default: the pipeline\'s options.concurrency (4), at most 16.'),
    timeout_ms: z.number().int().positive().default(30_000).describe('Timeout of one HTTP request, in ms (headers and body).'),
    retry_attempts: z.number().int().min(1).max(20).default(6).describe('Attempts for a request that keeps failing (5xx, timeouts, connection resets). 429s are waited out and do not count.'),
    retry_max_time_ms: z.number().int().positive().default(300_000).describe('Upper bound on the time spent retrying one request, in ms.'),
    retry_base_ms: z.number().int().positive().default(500).describe('First backoff step, in ms; doubles each retry, with jitter.'),
  };
}

/** A `HH:MM-HH:MM` span of closed hours, checked as the windows code reads it. */
const closedSpan = z.string().refine((s) => {
  try { availabilityWindows('UTC', [s], 'wait'); return true; } catch { return false; }
}, 'expected HH:MM-HH:MM (24-hour clock), not empty');

/**
 * The `closed_hours` option of an API with availability windows (wait them out, the default, or
 * fail), and `closed_windows`, the spans themselves, for an API whose published hours have changed.
 */
export function closedHoursShape(w: AvailabilityWindows) {
  return {
    closed_hours: z.enum(['wait', 'fail']).default(w.policy)
      .describe(`What to do when a request falls in the API's closed hours (${w.closed.map((s) => s.text).join(', ')} ${w.timeZone}): wait until they end, or fail. No request is ever sent inside them.`),
    closed_windows: z.array(closedSpan).min(1).optional()
      .describe(`The closed hours as HH:MM-HH:MM spans in ${w.timeZone} (default: ${w.closed.map((s) => s.text.replace('–', '-')).join(', ')}).`),
  };
}

/** The `https_proxy` option of an API that may accept a token only from permitted IP addresses. */
export function proxyShape(apiName: string) {
  return {
    https_proxy: z.url({ protocol: /^https?$/ }).optional()
      .describe(`Proxy (http://[user:pass@]host:port) every ${apiName} request is tunnelled through (CONNECT), so they leave from the fixed IP address the token permits. Secret when it carries a password.`),
  };
}

/** Parsed connection options, whatever the API. */
export interface ConnectionOptions {
  base_url: string;
  token: string;
  rate_limit: number;
  /** Pages in flight; unset: the pipeline's options.concurrency (see {@link pageConcurrency}). */
  concurrency?: number;
  timeout_ms: number;
  retry_attempts: number;
  retry_max_time_ms: number;
  retry_base_ms: number;
  closed_hours?: WindowPolicy;
  /** Closed hours replacing the profile's spans (same time zone). */
  closed_windows?: string[];
  /** Proxy every request is tunnelled through (an API that only accepts permitted IP addresses). */
  https_proxy?: string;
}

/**
 * The HTTP client for one component; its log lines carry the component's stage name. `clock` is for
 * tests that drive retries and closed hours on virtual time.
 */
export function httpClientFor(conn: ConnectionOptions, profile: HttpProfile, ctx: Ctx, stage: string, errorCode: ErrorCode = 'SOURCE_HTTP', clock?: Clock): HttpClient {
  return new HttpClient({
    baseUrl: conn.base_url,
    profile,
    token: conn.token,
    rateLimit: conn.rate_limit,
    timeoutMs: conn.timeout_ms,
    retry: { attempts: conn.retry_attempts, maxElapsedMs: conn.retry_max_time_ms, baseMs: conn.retry_base_ms },
    windows: profile.windows && conn.closed_hours
      ? (conn.closed_windows ? availabilityWindows(profile.windows.timeZone, conn.closed_windows, conn.closed_hours) : { ...profile.windows, policy: conn.closed_hours })
      : undefined,
    // The runner's ctx logger already carries the stage; add it only when missing (no duplicate keys).
    logger: ctx.logger.bindings().stage === undefined ? ctx.logger.child({ stage }) : ctx.logger,
    signal: ctx.signal,
    errorCode,
    clock,
    rehearsal: ctx.rehearsal,
    proxy: conn.https_proxy,
  });
}

/** Pages fetched at once: the connection's own setting, else the pipeline's options.concurrency (≤ 16). */
export function pageConcurrency(o: Pick<ConnectionOptions, 'concurrency'>, runConcurrency: number): number {
  return o.concurrency ?? Math.min(16, runConcurrency);
}
