/**
 * Which failures a job retries: transient ones (network, 5xx, 429 given up, the database, a busy
 * lock, an interrupted run) are retried with backoff; terminal ones fail the job at once, since
 * trying again cannot help — a configuration error (exit 2), a refused token (401), an expired
 * linkage, a stale plan, and a guard refusal (short source, mass deactivation), which people decide.
 */
import { ConfigError, RenkeiError } from '../engine/errors.ts';
import { UsageError } from '../cli/session.ts';

export type FailureKind = 'transient' | 'terminal' | 'refused';
export interface Failure { kind: FailureKind; code: string; message: string }

const TERMINAL = new Set(['CONFIG_INVALID', 'USAGE', 'PLAN_STALE', 'LINKAGE_EXPIRED', 'TEMPLATE_MISSING', 'FIELD_MISSING', 'ERROR_BUDGET', 'CONSERVATION']);

/** A failure as a job sees it: from a thrown error, or from a run report's `error`. */
export function classifyFailure(e: unknown): Failure {
  if (e instanceof UsageError) return { kind: 'terminal', code: 'USAGE', message: e.message };
  if (e instanceof ConfigError) return { kind: 'terminal', code: e.code, message: e.message };
  const code = e instanceof RenkeiError ? e.code : typeof e === 'object' && e && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'INTERNAL';
  const message = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  if (code === 'GUARD_REFUSED') return { kind: 'refused', code, message };
  if (TERMINAL.has(code)) return { kind: 'terminal', code, message };
  // A refused token (SmartHR, KING OF TIME and Mikiwame all answer 401) will be refused again.
  if (/\bHTTP 401\b/.test(message) || (e as { status?: number })?.status === 401) return { kind: 'terminal', code: 'AUTH', message };
  if (e instanceof RenkeiError && !e.transient && /\bHTTP 4\d\d\b/.test(message) && !/\bHTTP 4(08|25|29)\b/.test(message)) return { kind: 'terminal', code, message };
  return { kind: 'transient', code, message };
}
