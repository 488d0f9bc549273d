/**
 * The Mikiwame sandbox's endpoints: departments (list, upsert by code with the manuals' refusals:
 * name used under another code 409 `department_name_conflict` M-D5, deeper than 10 levels 422
 * `department_too_deep` M-D4), employees (list, create, patch; email can never change: 422
 * `email_immutable` M-E11), personality results (list, create), and the linkage (read; re-link resets
 * it to 90 days, L1). Nothing is ever deleted.
 */
import type { Rng } from '../generate/prng.ts';
import type { Reply } from '../shared/kit.ts';
import { paginate } from '../shared/paging.ts';
import { MwError } from './errors.ts';
import { linkageFrom, result } from './generate.ts';
import { levelOf, type MikiwameState, type MwEmployee } from './state.ts';

export const MAX_LEVELS = 10;
const EMPLOYEE_KEYS = ['email', 'emp_code', 'last_name', 'first_name', 'last_name_kana', 'first_name_kana', 'gender', 'birth_date',
  'department_code', 'position', 'hire_date', 'resign_date', 'employment_type', 'retired'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const json = (status: number, v: unknown, headers?: Record<string, string>): Reply => ({ status, body: JSON.stringify(v), headers });
const norm = (e: unknown): string => String(e ?? '').trim().toLowerCase();
const invalid = (message: string, field: string): MwError => new MwError('bad_request', message, field);

function list<T>(all: T[], url: URL, base: string): Reply {
  const { items, headers } = paginate(all, url, base, invalid);
  return json(200, items, headers);
}

function putDepartment(s: MikiwameState, code: string, b: Record<string, unknown>): Reply {
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (!name) throw new MwError('invalid', 'name is required', 'name');
  const parent = b.parent_code == null || b.parent_code === '' ? null : String(b.parent_code);
  if (parent !== null && !s.departments.some((d) => d.code === parent)) throw new MwError('department_parent_not_found', `parent department ${parent} does not exist`, 'parent_code');
  const other = s.departments.find((d) => d.name === name && d.code !== code);
  if (other) throw new MwError('department_name_conflict', `部署名が重複しています: ${name} is already used by department ${other.code}`, 'name');
  const level = levelOf(s, code, parent);
  if (level === Infinity) throw new MwError('invalid', 'parent_code makes a cycle', 'parent_code');
  if (level > MAX_LEVELS) throw new MwError('department_too_deep', `部署の階層は${MAX_LEVELS}階層までです (level ${level})`, 'parent_code');
  const existing = s.departments.find((d) => d.code === code);
  if (existing) { existing.name = name; existing.parent_code = parent; return json(200, existing); }
  const d = { code, name, parent_code: parent };
  s.departments.push(d);
  return json(201, d);
}

function applyEmployee(s: MikiwameState, e: MwEmployee, b: Record<string, unknown>, creating: boolean): void {
  for (const [k, v] of Object.entries(b)) {
    if (!(EMPLOYEE_KEYS as readonly string[]).includes(k)) throw new MwError('invalid', `unknown field ${k}`, k);
    if (k === 'email' && !creating && norm(v) !== norm(e.email)) throw new MwError('email_immutable', 'メールアドレスは変更できません (email cannot be changed)', 'email');
    if ((k === 'birth_date' || k === 'hire_date' || k === 'resign_date') && v != null && !DATE.test(String(v))) throw new MwError('invalid', `${k} must be YYYY-MM-DD`, k);
    if (k === 'department_code' && v != null && v !== '' && !s.departments.some((d) => d.code === v)) throw new MwError('invalid', `department ${String(v)} does not exist`, k);
    if (k === 'retired') e.retired = v === true;
    else (e as unknown as Record<string, unknown>)[k] = v === '' ? null : v;
  }
  if (!e.last_name || !e.first_name) throw new MwError('invalid', 'last_name and first_name are required', e.last_name ? 'first_name' : 'last_name');
  if (creating && !e.email) throw new MwError('invalid', 'email is required', 'email');
  if (e.email && s.employees.some((o) => o.id !== e.id && norm(o.email) === norm(e.email))) throw new MwError('email_taken', 'email is already used', 'email');
}

export function route(s: MikiwameState, rng: Rng, now: () => Date, method: string, url: URL, base: string, body: Record<string, unknown>): Reply | null {
  const p = url.pathname.replace(/^\/api/, '');
  let m: RegExpMatchArray | null;
  if (p === '/v1/linkage') {
    if (method === 'GET') return json(200, s.linkage);
    if (method === 'POST') { s.linkage = linkageFrom(now()); return json(201, s.linkage); }
  }
  if (p === '/v1/departments' && method === 'GET') return list(s.departments, url, base);
  if ((m = p.match(/^\/v1\/departments\/([^/]+)$/)) && method === 'PUT') return putDepartment(s, decodeURIComponent(m[1]), body);
  if (p === '/v1/employees' && method === 'GET') return list(s.employees, url, base);
  if (p === '/v1/employees' && method === 'POST') {
    const e: MwEmployee = {
      id: rng.uuid(), email: null, emp_code: null, last_name: '', first_name: '', last_name_kana: null, first_name_kana: null, gender: null,
      birth_date: null, department_code: null, position: null, hire_date: null, resign_date: null, employment_type: null, retired: false,
    };
    applyEmployee(s, e, body, true);
    s.employees.push(e);
    return json(201, e, { location: `${base}/v1/employees/${e.id}` });
  }
  if ((m = p.match(/^\/v1\/employees\/([^/]+)$/)) && method === 'PATCH') {
    const e = s.employees.find((x) => x.id === m![1]);
    if (!e) throw new MwError('not_found', 'employee not found');
    const draft = { ...e };
    applyEmployee(s, draft, body, false);
    Object.assign(e, draft);
    return json(200, e);
  }
  if (p === '/v1/personality_results' && method === 'GET') return list(s.personality_results, url, base);
  if (p === '/v1/personality_results' && method === 'POST') {
    const e = s.employees.find((x) => x.id === body.employee_id);
    if (!e) throw new MwError('invalid', 'employee_id does not exist', 'employee_id');
    if (typeof body.exam_date !== 'string' || !DATE.test(body.exam_date)) throw new MwError('invalid', 'exam_date must be YYYY-MM-DD', 'exam_date');
    const given = (body.scores ?? {}) as Record<string, number>;
    const r = result(rng.uuid(), e, body.exam_date, () => 50, typeof body.type16 === 'string' ? body.type16 : 'バランス型');
    for (const k of Object.keys(r.scores)) if (typeof given[k] === 'number') r.scores[k] = given[k];
    s.personality_results.push(r);
    return json(201, r);
  }
  return null;
}
