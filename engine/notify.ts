/**
 * Run notification (K11). The structured `run.finished` log event is written by the runner
 * (engine/runner.ts) for every run; this module only delivers the optional webhook: a JSON summary
 * POSTed to `notify.webhook_url`, signed with HMAC-SHA256 of the exact body.
 *
 * A webhook is a side channel: delivery failures are logged and retried with backoff (through the
 * connections layer's HTTP client, as every other request renkei sends), and the function never
 * throws — a sync must not fail because a chat server is down.
 * Logs name the webhook by origin only (webhook URLs often carry a token in their path) and never
 * carry the secret (G5).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import { HttpClient } from '../connections/http/client.ts';
import { HttpError } from '../connections/http/errors.ts';
import type { HttpProfile } from '../connections/http/profile.ts';
import { noRateHeaders } from '../connections/http/rate-headers.ts';
import type { Counts } from './report.ts';

export const notifySchema = z
  .strictObject({
    webhook_url: z
      .url({ protocol: /^https?$/ })
      // Credentials in a URL cannot be sent by fetch (and would sit in logs): refused when the file is read.
      .refine((u) => { try { const x = new URL(u); return !x.username && !x.password; } catch { return true; } }, 'a webhook URL cannot carry user:password@; put a token in the path or use secret')
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
      .describe('Wait before the first retry, doubled for each further retry (each wait jittered between half and all of it).'),
  })
  .describe('Notification when a run finishes: a structured log event always, and an optional signed webhook.');

export type NotifyOptions = z.infer<typeof notifySchema>;

/** What a finished run reports to the webhook: counts and outcome, no personal data (G6). */
export interface RunSummary {
  run_id: string;
  pipeline: string;
  status: string;
  counts: Counts | Record<string, number>;
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

/** What is sent: the documented fields only, whatever else the caller's object holds. */
export function webhookPayload(s: RunSummary): Record<string, unknown> {
  return {
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
  };
}

/** The exact JSON body sent (and signed). */
export function webhookBody(s: RunSummary): string {
  return JSON.stringify(webhookPayload(s));
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

function safeOrigin(url: string): string {
  try { return new URL(url).origin; } catch { return '(invalid url)'; }
}

/** A reason with the URL and the secret scrubbed out of it. */
function scrubbed(text: string, opts: NotifyOptions): string {
  for (const s of [opts.webhook_url, opts.secret]) if (s) text = text.split(s).join('[REDACTED]');
  return text;
}

/**
 * The webhook receiver as the connections layer sees it: no token — each attempt carries its time and
 * the body's signature instead — no error body worth reading (the status decides), no rate headers,
 * no closed hours.
 */
function receiverProfile(secret: string | undefined): HttpProfile {
  return {
    name: 'webhook',
    auth: () => (req) => ({
      'x-renkei-timestamp': String(Math.floor(Date.now() / 1000)),
      ...(secret ? { 'x-renkei-signature': signBody(req.body?.toString('utf8') ?? '', secret) } : {}),
    }),
    errors: () => undefined,
    rateHeaders: noRateHeaders,
  };
}

/**
 * Sends the webhook for a finished run when `opts.webhook_url` is set; resolves in every case.
 * `signal` stops further attempts (the process is shutting down).
 *
 * Delivery goes through the connections layer's client: per-attempt timeout, retries of 5xx, 408,
 * 429 and network failures with its backoff (doubling from `backoff_ms`, with jitter), `Retry-After`
 * followed. A POST is normally not resent, but a delivery is: it carries one delivery id for the
 * receiver to dedupe. Any other status means the receiver refuses it as such: no retry.
 */
export async function notifyRunFinished(
  summary: RunSummary,
  opts: NotifyOptions | undefined,
  logger: Logger,
  extra: { signal?: AbortSignal } = {},
): Promise<NotifyResult> {
  return notifyEvent('run.finished', webhookPayload(summary), opts, logger, { ...extra, logFields: { run_id: summary.run_id } });
}

/**
 * Sends any event's JSON payload the same way (signed, retried, never throwing): `run.finished`
 * above, the jobs' daily summary (`jobs.daily`). `logFields` are added to its delivery log lines.
 */
export async function notifyEvent(
  event: string,
  payload: Record<string, unknown>,
  opts: NotifyOptions | undefined,
  logger: Logger,
  extra: { signal?: AbortSignal; logFields?: Record<string, unknown> } = {},
): Promise<NotifyResult> {
  const result: NotifyResult = { delivered: false, attempts: 0, status: null };
  if (!opts?.webhook_url) return result;
  // A logger already bound to a stage (the runner passes one bound to `notify`) is used as is: a second
  // `stage` binding would repeat the key on every line.
  const log = logger.bindings().stage === undefined ? logger.child({ stage: 'notify' }) : logger;
  const target = safeOrigin(opts.webhook_url);
  let client: HttpClient | undefined;
  try {
    client = new HttpClient({
      baseUrl: target,
      profile: receiverProfile(opts.secret),
      rateLimit: 10,
      timeoutMs: opts.timeout_ms,
      // 429s are waited out without using up attempts; the time bound keeps them to what the attempts
      // would have taken at most (each timing out, each backoff step waited in full).
      retry: {
        attempts: opts.attempts,
        baseMs: opts.backoff_ms,
        maxDelayMs: opts.backoff_ms * 2 ** (opts.attempts - 1),
        maxElapsedMs: opts.attempts * opts.timeout_ms + opts.backoff_ms * (2 ** opts.attempts - 1),
      },
      // The client's own lines would name the URL path, which often carries a token: this module logs
      // its own events, by origin only.
      logger: log.child({}, { level: 'silent' }),
      signal: extra.signal,
    });
    const res = await client.request({
      method: 'POST',
      path: opts.webhook_url,
      label: 'POST webhook',
      body: payload,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'renkei-webhook/1',
        'x-renkei-event': event,
        'x-renkei-delivery': crypto.randomUUID(),
      },
      idempotent: true,
      response: 'none',
      onRetry: (n) => {
        result.attempts = n.attempt;
        result.status = n.status ?? null;
        log.warn({ event: 'notify.retry', target, attempt: n.attempt, attempts: opts.attempts, reason: scrubbed(n.reason, opts), retry_in_ms: Math.round(n.waitMs) }, 'webhook delivery failed, retrying');
      },
    });
    Object.assign(result, { delivered: true, attempts: res.attempts, status: res.status });
    log.info({ event: 'notify.delivered', target, attempt: res.attempts, status: res.status, ...extra.logFields }, 'webhook delivered');
  } catch (e) {
    if (e instanceof HttpError) {
      result.attempts = e.attempts ?? result.attempts;
      result.status = e.status ?? null;
    }
    const why = e instanceof Error ? e.message : String(e);
    log.warn({ event: 'notify.undelivered', target, attempts: result.attempts, status: result.status, reason: scrubbed(why, opts), ...extra.logFields }, 'webhook not delivered; the run result is unaffected');
  } finally {
    client?.close();
  }
  return result;
}
