/**
 * Run notification (K11). The structured `run.finished` log event is written by the runner
 * (engine/runner.ts) for every run; this module only delivers the optional webhook: a JSON summary
 * POSTed to `notify.webhook_url`, signed with HMAC-SHA256 of the exact body.
 *
 * A webhook is a side channel: delivery failures are logged and retried with backoff, and the
 * function never throws — a sync must not fail because a chat server is down.
 * Logs name the webhook by origin only (webhook URLs often carry a token in their path) and never
 * carry the secret (G5).
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Counts } from './report.ts';
import type { PlanCounts } from './plan.ts';

export const notifySchema = z
  .strictObject({
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('URL that receives a POST with the JSON run summary when a run finishes (K11). Unset: no webhook.'),
    secret: z
      .string()
      .min(1)
      .optional()
      .describe('Secret for the X-Renkei-Signature header (sha256=HMAC-SHA256 of the body, hex). Never logged; use ${ENV}.'),
    timeout_ms: z.number().int().positive().max(120_000).default(5_000)
      .describe('Timeout of one delivery attempt, in milliseconds.'),
    attempts: z.number().int().min(1).max(10).default(4)
      .describe('Delivery attempts in total (first try included) before giving up.'),
    backoff_ms: z.number().int().min(0).max(60_000).default(1_000)
      .describe('Wait before the first retry, doubled for each further retry.'),
  })
  .describe('Notification when a run finishes: a structured log event always, and an optional signed webhook.');

export type NotifyOptions = z.infer<typeof notifySchema>;

/** What a finished run reports to the webhook: counts and outcome, no personal data (G6). */
export interface RunSummary {
  run_id: string;
  pipeline: string;
  status: string;
  counts: Counts | PlanCounts | Record<string, number>;
  started_at: string;
  finished_at: string;
  duration_ms?: number;
  errors_file: string | null;
  error: { code: string; message: string } | null;
  /** `run`, `plan` or `apply`, when the caller knows. */
  kind?: string;
  direction?: string;
}

export interface NotifyResult {
  delivered: boolean;
  /** Requests sent (0 when no webhook is configured). */
  attempts: number;
  /** HTTP status of the last response, null when none arrived. */
  status: number | null;
}

/** The exact JSON body sent: the documented fields only, whatever else the caller's object holds. */
export function webhookBody(s: RunSummary): string {
  return JSON.stringify({
    event: 'run.finished',
    run_id: s.run_id,
    pipeline: s.pipeline,
    kind: s.kind ?? 'run',
    direction: s.direction ?? null,
    status: s.status,
    counts: s.counts,
    started_at: s.started_at,
    finished_at: s.finished_at,
    duration_ms: s.duration_ms ?? Date.parse(s.finished_at) - Date.parse(s.started_at),
    errors_file: s.errors_file,
    error: s.error,
  });
}

/** `sha256=<hex>`: the value of X-Renkei-Signature for a body. */
export function signBody(body: string, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Receiver side: checks a signature header in constant time. */
export function verifySignature(body: string, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(body, secret));
  const got = Buffer.from(header);
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

/** Statuses worth another try; any other non-2xx means the receiver refuses this request as such. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

function safeOrigin(url: string): string {
  try { return new URL(url).origin; } catch { return '(invalid url)'; }
}

/** An error as a short reason, with the URL and the secret scrubbed out of it. */
function reason(e: unknown, opts: NotifyOptions): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  let text = err?.name === 'TimeoutError' ? `timed out after ${opts.timeout_ms} ms`
    : err?.cause ? `${err.message ?? 'Error'}: ${err.cause.code && !err.cause.message?.includes(err.cause.code) ? `${err.cause.code} ` : ''}${err.cause.message ?? ''}`
    : `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
  for (const s of [opts.webhook_url, opts.secret]) if (s) text = text.split(s).join('[REDACTED]');
  return text;
}

/**
 * Sends the webhook for a finished run when `opts.webhook_url` is set; resolves in every case.
 * `signal` stops further attempts (the process is shutting down).
 */
export async function notifyRunFinished(
  summary: RunSummary,
  opts: NotifyOptions | undefined,
  logger: Logger,
  extra: { signal?: AbortSignal } = {},
): Promise<NotifyResult> {
  const result: NotifyResult = { delivered: false, attempts: 0, status: null };
  if (!opts?.webhook_url) return result;
  const log = logger.child({ stage: 'notify' });
  const target = safeOrigin(opts.webhook_url);
  try {
    const body = webhookBody(summary);
    const delivery = crypto.randomUUID();
    let last = '';
    while (result.attempts < opts.attempts && !extra.signal?.aborted) {
      if (result.attempts > 0) {
        const wait = opts.backoff_ms * 2 ** (result.attempts - 1);
        log.warn({ event: 'notify.retry', target, attempt: result.attempts, attempts: opts.attempts, reason: last, retry_in_ms: wait }, 'webhook delivery failed, retrying');
        await sleep(wait, undefined, { signal: extra.signal }).catch(() => {});
        if (extra.signal?.aborted) break;
      }
      result.attempts++;
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'renkei-webhook/1',
        'x-renkei-event': 'run.finished',
        'x-renkei-delivery': delivery,
        'x-renkei-timestamp': String(Math.floor(Date.now() / 1000)),
      };
      if (opts.secret) headers['x-renkei-signature'] = signBody(body, opts.secret);
      try {
        const signals = [AbortSignal.timeout(opts.timeout_ms), ...(extra.signal ? [extra.signal] : [])];
        const res = await fetch(opts.webhook_url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any(signals) });
        await res.body?.cancel().catch(() => {});
        result.status = res.status;
        if (res.ok) {
          result.delivered = true;
          log.info({ event: 'notify.delivered', target, attempt: result.attempts, status: res.status, run_id: summary.run_id }, 'webhook delivered');
          return result;
        }
        last = `HTTP ${res.status}`;
        if (!retryable(res.status)) break;
      } catch (e) {
        last = reason(e, opts);
      }
    }
    log.warn({ event: 'notify.undelivered', target, attempts: result.attempts, status: result.status, reason: last, run_id: summary.run_id }, 'webhook not delivered; the run result is unaffected');
  } catch (e) {
    log.warn({ event: 'notify.undelivered', target, attempts: result.attempts, reason: reason(e, opts), run_id: summary.run_id }, 'webhook not delivered; the run result is unaffected');
  }
  return result;
}
