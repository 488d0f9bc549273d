/** Read endpoints of the sandbox: GET lists and GET by id, in SmartHR's JSON shapes. */
import type { Renderer } from './render.ts';
import type { SmarthrState, StoredCrew } from './state.ts';
import { ApiError } from './http-util.ts';
import { paginate, sortBy } from './paging.ts';

/** A reply body; lists are an array of cached byte chunks, written without copying them together. */
import type { Reply } from '../shared/kit.ts';
export type { Reply };

const csv = (v: string | null): Set<string> | null => (v ? new Set(v.split(',').map((s) => s.trim())) : null);

/** Filtered crew lists are cached per query until the next write (`version` changes). */
export class CrewLists {
  private cache = new Map<string, StoredCrew[]>();
  private version = -1;

  list(state: SmarthrState, q: URLSearchParams, version: number): StoredCrew[] {
    if (version !== this.version) { this.cache.clear(); this.version = version; }
    const filters = ['emp_code', 'emp_status', 'gender', 'employment_type_id', 'department_id', 'position_id', 'id', 'user_id', 'sort',
      'entered_at_from', 'entered_at_to', 'resigned_at_from', 'resigned_at_to'];
    const key = filters.map((f) => `${f}=${q.get(f) ?? ''}`).join('&');
    let hit = this.cache.get(key);
    if (hit) return hit;
    const et = csv(q.get('employment_type_id')), dept = csv(q.get('department_id')), pos = csv(q.get('position_id'));
    const ids = csv(q.get('id')), users = csv(q.get('user_id'));
    const eq = (f: string) => q.get(f);
    const ge = (f: string, v: unknown) => !eq(f) || (typeof v === 'string' && v >= eq(f)!);
    const le = (f: string, v: unknown) => !eq(f) || (typeof v === 'string' && v <= eq(f)!);
    hit = state.crews.filter((c) =>
      (!eq('emp_code') || c.emp_code === eq('emp_code')) && (!eq('emp_status') || c.emp_status === eq('emp_status'))
      && (!eq('gender') || c.gender === eq('gender')) && (!et || (c.employment_type_id !== null && et.has(c.employment_type_id)))
      && (!dept || c.department_ids.some((d) => d !== null && dept.has(d))) && (!pos || c.position_ids.some((p) => pos.has(p)))
      && (!ids || ids.has(c.id)) && (!users || users.has(String(c.user_id)))
      && ge('entered_at_from', c.entered_at) && le('entered_at_to', c.entered_at)
      && ge('resigned_at_from', c.resigned_at) && le('resigned_at_to', c.resigned_at));
    hit = sortBy(hit, q.get('sort'));
    this.cache.set(key, hit);
    return hit;
  }
}

const OPEN = Buffer.from('['), COMMA = Buffer.from(','), CLOSE = Buffer.from(']');

function list<T>(all: T[], url: URL, base: string, render: (x: T) => string | Buffer): Reply {
  const { items, headers } = paginate(all, url, base);
  const parts: Buffer[] = [OPEN];
  items.forEach((x, i) => {
    if (i > 0) parts.push(COMMA);
    const v = render(x);
    parts.push(typeof v === 'string' ? Buffer.from(v) : v);
  });
  parts.push(CLOSE);
  return { status: 200, body: parts, headers };
}

export function readRoute(state: SmarthrState, r: Renderer, lists: CrewLists, version: number, url: URL, base: string): Reply | null {
  const p = url.pathname.replace(/^\/api/, '');
  const q = url.searchParams;
  const byId = <T extends { id: string }>(xs: T[], id: string, what: string): T => {
    const x = xs.find((e) => e.id === id);
    if (!x) throw new ApiError('not_found', `${what} not found`);
    return x;
  };
  let m: RegExpMatchArray | null;
  const fields = p.startsWith('/v1/crews') && q.get('fields') ? q.get('fields')!.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (p === '/v1/crews') return list(lists.list(state, q, version), url, base, (c) => r.crewBytes(c, fields));
  if ((m = p.match(/^\/v1\/crews\/([^/]+)$/))) return { status: 200, body: r.crewBytes(byId(state.crews, m[1], 'Crew'), fields) };
  if (p === '/v1/departments') {
    const code = q.get('code');
    const all = sortBy(code ? state.departments.filter((d) => d.code === code) : state.departments, q.get('sort'));
    return list(all, url, base, (d) => JSON.stringify(r.department(d, true)));
  }
  if ((m = p.match(/^\/v1\/departments\/([^/]+)$/))) return { status: 200, body: JSON.stringify(r.department(byId(state.departments, m[1], 'Department'), true)) };
  if (p === '/v1/employment_types') return list(state.employment_types, url, base, (e) => JSON.stringify(e));
  if (p === '/v1/job_titles') return list(sortBy(state.job_titles, q.get('sort')), url, base, (j) => JSON.stringify(j));
  if (p === '/v1/biz_establishments') return list(state.biz_establishments, url, base, (b) => JSON.stringify({ ...b, company_id: state.company_id }));
  if (p === '/v1/crew_custom_field_templates') {
    const embed = q.get('embed') === 'group';
    return list(state.custom_field_templates, url, base, (t) => {
      const out = r.template(t);
      if (!embed) return JSON.stringify(out);
      const { group_id, ...rest } = out;
      return JSON.stringify({ ...rest, group: state.custom_field_template_groups.find((g) => g.id === group_id) ?? null });
    });
  }
  return null;
}
