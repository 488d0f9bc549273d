/**
 * The linkage (連携設定, L1/L2): credentials valid for 90 days from when they were made. A sync over an
 * expired linkage refuses to start — before any request that writes — and says how to renew it; fewer
 * than 14 days left is a warning and a notice in the run summary. The dates are the API's own
 * (`GET /v1/linkage`, renewed by `renkei link mikiwame`); the connection options (`linked_at`,
 * `expires_at`) count only when the API reports none (connection.ts `ensureLinkage`).
 */
import type { Logger } from 'pino';
import { RenkeiError } from '../../engine/errors.ts';

export const LINKAGE_DAYS = 90;
export const LINKAGE_WARN_DAYS = 14;
const DAY = 86_400_000;

export interface Linkage { linked_at?: string | null; expires_at?: string | null }

/** The expiry of a linkage: `expires_at`, else `linked_at` + 90 days; undefined when neither is known. */
export function expiryOf(l: Linkage): Date | undefined {
  if (l.expires_at) return new Date(l.expires_at);
  if (l.linked_at) return new Date(new Date(l.linked_at).getTime() + LINKAGE_DAYS * DAY);
  return undefined;
}

/** Days left (fractional) before the linkage expires; undefined when unknown. */
export function daysLeft(l: Linkage, now: Date): number | undefined {
  const e = expiryOf(l);
  return e === undefined ? undefined : (e.getTime() - now.getTime()) / DAY;
}

/**
 * Throws `LINKAGE_EXPIRED` (the run fails, exit 1) once the linkage has expired; logs a warning and
 * raises a notice (shown once in the run summary) when fewer than 14 days are left. `where` names the
 * connection in the message.
 */
export function checkLinkage(l: Linkage, now: Date, logger: Logger, where: string, notice?: (m: string) => void): void {
  const left = daysLeft(l, now);
  if (left === undefined) return;
  const expiry = expiryOf(l)!.toISOString();
  if (left <= 0) {
    throw new RenkeiError('LINKAGE_EXPIRED', `${where}: the Mikiwame linkage expired on ${expiry} (a linkage lasts ${LINKAGE_DAYS} days, L1); nothing was written and nothing already synced is deleted. Renew it with \`renkei link mikiwame\` and run again.`);
  }
  if (left < LINKAGE_WARN_DAYS) {
    const msg = `the Mikiwame linkage expires in ${Math.floor(left)} days (${expiry}): renew it with renkei link mikiwame (L2)`;
    logger.warn({ event: 'linkage.expiring', expires_at: expiry, days_left: Math.floor(left) }, msg);
    notice?.(msg);
  }
}
