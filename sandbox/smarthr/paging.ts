/** SmartHR-style paging: page/per_page (default 10, max 100), Link first/prev/next/last, x-total-count. */
import { ApiError } from './http-util.ts';

export interface PageSlice<T> { items: T[]; headers: Record<string, string> }

export function paginate<T>(all: T[], url: URL, publicBase: string): PageSlice<T> {
  const page = url.searchParams.has('page') ? Number(url.searchParams.get('page')) : 1;
  const perPage = url.searchParams.has('per_page') ? Number(url.searchParams.get('per_page')) : 10;
  if (!Number.isInteger(page) || page < 1) throw new ApiError('bad_request', 'page is invalid', [{ message: 'page is invalid', field: 'page' }]);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw new ApiError('bad_request', 'per_page does not have a valid value', [{ message: 'per_page must be between 1 and 100', field: 'per_page' }]);
  }
  const total = all.length;
  const last = Math.max(1, Math.ceil(total / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = { 'x-total-count': String(total), 'x-page': String(page), 'x-per-page': String(perPage) };
  if (last > 1) {
    const link = (p: number, rel: string): string => {
      const u = new URL(publicBase + url.pathname.replace(/^\/api/, '') + url.search);
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const parts = [link(1, 'first')];
    if (page > 1) parts.push(link(Math.min(page - 1, last), 'prev'));
    if (page < last) parts.push(link(page + 1, 'next'));
    parts.push(link(last, 'last'));
    headers.link = parts.join(', ');
  }
  return { items, headers };
}

/** `sort=emp_code,-updated_at`: comma list, `-` = descending; stable for equal keys. */
export function sortBy<T extends object>(items: T[], sort: string | null): T[] {
  if (!sort) return items;
  const keys = sort.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s.startsWith('-') ? { k: s.slice(1), dir: -1 } : { k: s, dir: 1 }));
  return items.map((x, i) => [x, i] as const).sort(([a, ia], [b, ib]) => {
    for (const { k, dir } of keys) {
      const av = ((a as Record<string, unknown>)[k] ?? '') as string, bv = ((b as Record<string, unknown>)[k] ?? '') as string;
      if (av < bv) return -dir;
      if (av > bv) return dir;
    }
    return ia - ib;
  }).map(([x]) => x);
}
