/**
 * SmartHR as an API profile: Bearer token, `{code, type, message, errors}` error bodies, the
 * `x-rate-limit-*` and `x-intensive-rate-limit-*` header families (two buckets), page/per_page paging
 * with `x-total-count` and `Link`, no closed hours, records identified by `id`.
 */
import { bearerAuth } from '../http/auth.ts';
import type { ApiProfile } from '../http/profile.ts';
import { resetHeaders } from '../http/rate-headers.ts';
import { parseSmarthrError } from './errors.ts';

export const smarthrProfile: ApiProfile = {
  name: 'SmartHR',
  codePrefix: 'SMARTHR',
  auth: bearerAuth,
  errors: parseSmarthrError,
  rateHeaders: resetHeaders(['x-rate-limit', 'x-intensive-rate-limit']),
  paging: { strategies: ['page', 'link'], default: 'page', maxPerPage: 100 },
  identity: 'id',
  hints: {
    401: 'the access token was refused: check the connection token',
    403: "the token's scope does not allow this resource",
    404: 'check base_url (it should end in /api) and the resource id',
  },
};
