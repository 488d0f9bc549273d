/**
 * Mikiwame (ミキワメAI) as an API profile. Mikiwame publishes no API: this models one (apis.md §3)
 * after SmartHR's conventions, so one HTTP layer serves both — Bearer token, error bodies
 * `{code, type, message, errors}`, `x-rate-limit-*` headers, page/per_page paging with `x-total-count`
 * and `Link`. Departments are identified by `code` (M-D2), employees and results by `id`: one profile
 * per resource, differing only in `identity`. A real specification replaces this file and the sandbox.
 */
import { bearerAuth } from '../http/auth.ts';
import type { ApiProfile } from '../http/profile.ts';
import { resetHeaders } from '../http/rate-headers.ts';
import { jsonOf, type ApiError } from '../http/errors.ts';

/** Error types the modelled API answers with (the refusals the manuals describe). */
export const MIKIWAME_ERRORS = {
  linkage_expired: 'LINKAGE_EXPIRED',
  department_name_conflict: 'DEPT_NAME_CONFLICT',
  department_too_deep: 'DEPT_TOO_DEEP',
  department_parent_not_found: 'DEPT_ORPHAN',
  email_immutable: 'EMAIL_IMMUTABLE',
  email_taken: 'DUPLICATE_EMAIL',
} as const satisfies Record<string, string>;

export function parseMikiwameError(text: string): ApiError | undefined {
  const v = jsonOf(text);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const b = v as Record<string, unknown>;
  if (typeof b.type !== 'string') return undefined;
  const items = Array.isArray(b.errors) ? b.errors.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object') : [];
  const field = items.map((e) => e.field).find((f): f is string => typeof f === 'string' && f !== '');
  return {
    code: typeof b.code === 'number' || typeof b.code === 'string' ? b.code : undefined,
    type: b.type,
    message: typeof b.message === 'string' ? b.message : undefined,
    field,
    details: items.map((e) => [e.field, e.message].filter(Boolean).join(': ')),
  };
}

const base: Omit<ApiProfile, 'identity'> = {
  name: 'Mikiwame',
  codePrefix: 'MIKIWAME',
  auth: bearerAuth,
  errors: parseMikiwameError,
  rateHeaders: resetHeaders(['x-rate-limit']),
  paging: { strategies: ['page', 'link'], default: 'page', maxPerPage: 100 },
  hints: {
    401: 'the token was refused or the linkage has expired (90 days, L1): re-link with `renkei link mikiwame`',
    404: 'check base_url (it should end in /api) and the resource id',
  },
};

/** Departments: identity `code` (M-D2). */
export const mikiwameDepartmentsProfile: ApiProfile = { ...base, identity: 'code' };
/** Employees and personality results: identity `id`. */
export const mikiwameProfile: ApiProfile = { ...base, identity: 'id' };
