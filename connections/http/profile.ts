/**
 * An API profile: everything the HTTP layer must know about one API's conventions, so that the client,
 * the paging strategies, the generic list source and the REST sinks stay API-neutral. Adding an API is
 * a new profile (plus its connection options and endpoints), not an edit of the layer.
 */
import type { AuthStrategy } from './auth.ts';
import type { ErrorBodyParser } from './errors.ts';
import type { PagingName } from './paging.ts';
import type { RateHeaderReader } from './rate-headers.ts';
import type { AvailabilityWindows } from './windows.ts';

/** What the HTTP client itself needs to know about an API (a webhook receiver needs no more). */
export interface HttpProfile {
  /** The API's name in messages and option descriptions: `SmartHR`. */
  name: string;
  /** How the connection's credential is sent. */
  auth: (credential: string) => AuthStrategy;
  /** Error body → `{code, message, transient}`. */
  errors: ErrorBodyParser;
  /** Rate-limit response headers. */
  rateHeaders: RateHeaderReader;
  /** Daily closed hours, when the API has them (the connection option `closed_hours` may change the policy). */
  windows?: AvailabilityWindows;
  /** What to check when a status comes back, appended to failure messages (401: the token …). */
  hints?: Readonly<Record<number, string>>;
}

/** An API whose records renkei reads and writes: how its lists page and what identifies a record. */
export interface ApiProfile extends HttpProfile {
  /** Prefix of the rule codes this API's records are rejected with: `SMARTHR` → `SMARTHR_BAD_ITEM`. */
  codePrefix: string;
  /** How list endpoints are read: the strategies the API supports, the default, and the page-size cap. */
  paging: { strategies: readonly [PagingName, ...PagingName[]]; default: PagingName; maxPerPage?: number };
  /**
   * The field that identifies a record in this API: what a REST sink updates by, what a diff stage
   * must carry (SmartHR `id`, KING OF TIME `key`, Mikiwame `code`).
   */
  identity: string;
}
