/** SmartHR-style paging: page/per_page (default 10, max 100), Link first/prev/next/last, x-total-count. */
import { ApiError } from './http-util.ts';
import { paginate as sharedPaginate, type PageSlice } from '../shared/paging.ts';

export type { PageSlice } from '../shared/paging.ts';

export function paginate<T>(all: T[], url: URL, publicBase: string): PageSlice<T> {
  return sharedPaginate(all, url, publicBase, (message, field) => new ApiError('bad_request', field === 'per_page' ? 'per_page does not have a valid value' : message, [{ message, field }]));
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
