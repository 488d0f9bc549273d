/**
 * Paging strategies, chosen by name (per API profile, then per source option):
 * - `page`: page/per_page with a total-count header. Page 1 tells the total; the other pages are
 *   fetched concurrently (p-limit, a bounded window ahead of the consumer) and emitted strictly in
 *   page order. Without the total it falls back to `link`.
 * - `link`: walk `Link: rel="next"` one page at a time; no Link on a single page = last page.
 * - `none`: the endpoint answers the whole list in one array (KING OF TIME).
 * Whatever the strategy, a read never ends early in silence: a page failing after its retries, a short
 * page, a total that changes mid-read or a duplicated identity fails the read (it would otherwise look
 * like data).
 */
import pLimit from 'p-limit';
import type { HttpClient, HttpResponse } from './client.ts';
import { HttpError } from './errors.ts';
import { parseLinkHeader } from './link-header.ts';

/** One page of a read: its number (1 for an unpaged list), what it was (`GET /v1/crews page 3`), its items. */
export interface Page { page: number; at: string; items: unknown[] }

export interface PagedRequest {
  /** `/v1/crews` */
  path: string;
  query: Record<string, string | number | boolean | undefined>;
  perPage: number;
  /** Max pages in flight (strategy `page`). */
  concurrency: number;
  /** Field that must be unique across the read (the profile's identity); omit to skip the check. */
  idField?: string;
  /** Response header with the total number of records (strategy `page`); default `x-total-count`. */
  totalHeader?: string;
}

export type PagingStrategy = (client: HttpClient, req: PagedRequest) => AsyncGenerator<Page>;

const label = (req: PagedRequest, page: number | string): string => `GET ${req.path} page ${page}`;

function changed(at: string, msg: string): HttpError {
  return new HttpError('SOURCE_HTTP', `${at}: ${msg} — the data changed during the read; run it again`, undefined, undefined, { transient: true });
}

function itemsOf(at: string, res: HttpResponse): unknown[] {
  if (!Array.isArray(res.data)) throw new HttpError('SOURCE_HTTP', `${at}: expected a JSON array, got ${res.data === null ? 'null' : typeof res.data}`, res.status, undefined, { transient: false });
  return res.data;
}

const totalOf = (req: PagedRequest, res: HttpResponse): number | undefined => {
  const t = res.headers.get(req.totalHeader ?? 'x-total-count');
  return t !== null && /^\d+$/.test(t.trim()) ? Number(t) : undefined;
};

/** Tracks identities and the running count so every strategy shares the no-duplicate / no-gap checks. */
function guard(req: PagedRequest) {
  const seen = new Set<string>();
  let count = 0;
  return {
    page(p: Page): Page {
      count += p.items.length;
      if (req.idField) {
        for (const it of p.items) {
          const id = it && typeof it === 'object' ? (it as Record<string, unknown>)[req.idField] : undefined;
          if (id === undefined || id === null) continue;
          const k = String(id);
          if (seen.has(k)) throw changed(p.at, `${req.idField} ${k} was already read earlier in this read`);
          seen.add(k);
        }
      }
      return p;
    },
    end(total: number | undefined, lastPage: number): void {
      if (total !== undefined && count !== total) throw changed(label(req, lastPage), `read ${count} records but the total said ${total}`);
    },
  };
}

export const linkPaging: PagingStrategy = async function* (client, req) {
  const g = guard(req);
  let url: string | undefined = req.path;
  let query: PagedRequest['query'] | undefined = { ...req.query, page: 1, per_page: req.perPage };
  let total: number | undefined;
  let lastPage = 1;
  for (let page = 1; url; page++) {
    const res: HttpResponse = await client.request({ method: 'GET', path: url, query, label: label(req, page) });
    total ??= totalOf(req, res);
    const links = parseLinkHeader(res.headers.get('link'));
    if (links.last) lastPage = Number(new URL(links.last).searchParams.get('page') ?? lastPage);
    yield g.page({ page, at: label(req, page), items: itemsOf(label(req, page), res) });
    url = links.next;
    query = undefined;
    if (!url && page < lastPage) throw changed(label(req, page), `no rel="next" link before the last page (${lastPage})`);
  }
  g.end(total, lastPage);
};

export const pageNumberPaging: PagingStrategy = async function* (client, req) {
  const g = guard(req);
  const fetchPage = (page: number, signal?: AbortSignal): Promise<HttpResponse> =>
    client.request({ method: 'GET', path: req.path, query: { ...req.query, page, per_page: req.perPage }, label: label(req, page), signal });
  const first = await fetchPage(1);
  const total = totalOf(req, first);
  if (total === undefined) {
    // No total: walk the links from page 1 on (re-reading page 1 keeps one code path for the checks).
    yield* linkPaging(client, req);
    return;
  }
  const last = Math.max(1, Math.ceil(total / req.perPage));
  const expect = (page: number): number => (page < last ? req.perPage : total - (last - 1) * req.perPage);
  const check = (page: number, res: HttpResponse): Page => {
    const items = itemsOf(label(req, page), res);
    if (totalOf(req, res) !== total) throw changed(label(req, page), `the total went from ${total} to ${totalOf(req, res)}`);
    if (items.length !== expect(page)) throw changed(label(req, page), `got ${items.length} records, expected ${expect(page)}`);
    return { page, at: label(req, page), items };
  };
  yield g.page(check(1, first));
  const abort = new AbortController();
  const limit = pLimit(Math.max(1, req.concurrency));
  const window = Math.max(2, req.concurrency * 2);
  const inflight = new Map<number, Promise<HttpResponse>>();
  let scheduled = 1;
  try {
    for (let page = 2; page <= last; page++) {
      while (scheduled < last && scheduled < page + window - 1) {
        const p = ++scheduled;
        const promise = limit(() => fetchPage(p, abort.signal));
        promise.catch(() => undefined); // awaited in order below; this only silences early rejections
        inflight.set(p, promise);
      }
      const res = await inflight.get(page)!;
      inflight.delete(page);
      yield g.page(check(page, res));
    }
  } finally {
    abort.abort(new Error('paging stopped'));
    limit.clearQueue();
  }
  g.end(total, last);
};

/** One request for the whole list; the identity check still runs (a repeated record is not data). */
export const unpaged: PagingStrategy = async function* (client, req) {
  const g = guard(req);
  const at = `GET ${req.path}`;
  const res = await client.request({ method: 'GET', path: req.path, query: req.query, label: at });
  yield g.page({ page: 1, at, items: itemsOf(at, res) });
};

export const pagingStrategies = { page: pageNumberPaging, link: linkPaging, none: unpaged } satisfies Record<string, PagingStrategy>;
export type PagingName = keyof typeof pagingStrategies;
