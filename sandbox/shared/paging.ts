/**
 * SmartHR-style list paging every sandbox answers with: page/per_page (default 10, max 100), `Link`
 * first/prev/next/last (absent on a single page), `x-total-count`, `x-page`, `x-per-page`. `invalid`
 * makes the API's own error for a bad page or per_page.
 */
export interface PageSlice<T> { items: T[]; headers: Record<string, string> }

export function paginate<T>(all: T[], url: URL, publicBase: string, invalid: (message: string, field: string) => Error, basePath = '/api'): PageSlice<T> {
  const page = url.searchParams.has('page') ? Number(url.searchParams.get('page')) : 1;
  const perPage = url.searchParams.has('per_page') ? Number(url.searchParams.get('per_page')) : 10;
  if (!Number.isInteger(page) || page < 1) throw invalid('page is invalid', 'page');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw invalid('per_page must be between 1 and 100', 'per_page');
  const total = all.length;
  const last = Math.max(1, Math.ceil(total / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = { 'x-total-count': String(total), 'x-page': String(page), 'x-per-page': String(perPage) };
  if (last > 1) {
    const link = (p: number, rel: string): string => {
      const u = new URL(publicBase + url.pathname.slice(basePath.length) + url.search);
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
