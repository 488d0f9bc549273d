/**
 * KING OF TIME (and its NTT East edition おまかせ はたラクサポート) as an API profile: Bearer token,
 * KOT error bodies (errors.ts), no rate headers and no published limit, unpaged lists, closed
 * 08:30–10:00 and 17:30–18:30 Asia/Tokyo, employees identified by `key` (PUT/DELETE by key, GET one
 * by code).
 */
import { bearerAuth } from '../http/auth.ts';
import type { ApiProfile } from '../http/profile.ts';
import { noRateHeaders } from '../http/rate-headers.ts';
import { availabilityWindows } from '../http/windows.ts';
import { parseKingoftimeError } from './errors.ts';

export const KOT_EDITIONS = ['kingoftime', 'ohs'] as const;
export type KotEdition = typeof KOT_EDITIONS[number];

/** What each edition is called in messages and descriptions. */
export const EDITION_NAMES: Record<KotEdition, string> = {
  kingoftime: 'KING OF TIME',
  ohs: 'おまかせ はたラクサポート (KING OF TIME)',
};

/** The newer published closed hours (an older help page starts the morning window at 08:00). */
export const KOT_CLOSED_HOURS = ['08:30-10:00', '17:30-18:30'] as const;

export const kingoftimeProfile: ApiProfile = {
  name: EDITION_NAMES.kingoftime,
  codePrefix: 'KOT',
  auth: bearerAuth,
  errors: parseKingoftimeError,
  rateHeaders: noRateHeaders,
  paging: { strategies: ['none'], default: 'none' },
  windows: availabilityWindows('Asia/Tokyo', KOT_CLOSED_HOURS, 'wait'),
  identity: 'key',
  hints: {
    401: 'the access token was refused: check the connection token (KOT WebAPI連携設定)',
    403: 'the token may not have this permission (Read / Write), or is limited to permitted IP addresses: register this host\'s outgoing IP address for the token, or set https_proxy on the connection to leave from a permitted address',
    404: 'check base_url (it should end in /v1.0) and the employee code or key',
  },
};

/** The profile as one edition names itself. */
export function profileFor(edition: KotEdition): ApiProfile {
  return edition === 'kingoftime' ? kingoftimeProfile : { ...kingoftimeProfile, name: EDITION_NAMES[edition] };
}
