/**
 * The rule code of a Mikiwame refusal (its error `type`, read by the profile): a department name used
 * under another code is `DEPT_NAME_CONFLICT` (M-D5), too deep `DEPT_TOO_DEEP` (M-D4), an email change
 * `EMAIL_IMMUTABLE` (M-E11). Other refusals stay `TARGET_REFUSED`.
 */
import { HttpError } from '../connections/http/errors.ts';
import { MIKIWAME_ERRORS } from '../connections/mikiwame/profile.ts';

export function ruleCodeOf(e: unknown): string | undefined {
  if (!(e instanceof HttpError) || !e.api?.type) return undefined;
  return (MIKIWAME_ERRORS as Record<string, string>)[e.api.type];
}
