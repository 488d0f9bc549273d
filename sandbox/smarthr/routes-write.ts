/**
 * Write endpoints of the sandbox: crews POST/PATCH (PUT behaves like PATCH, as documented), and
 * departments POST/PATCH/PUT. Validation follows the documented rules: names/yomi/gender/birth/address
 * cannot be cleared by PATCH, 社員番号 is unique, department names must not contain "/", custom-field
 * values must fit their template (enum by element id or physical_name).
 */
import type { Rng } from '../generate/prng.ts';
import type { Renderer } from './render.ts';
import type { SmarthrState, StoredCrew, StoredDepartment } from './state.ts';
import { ApiError } from './http-util.ts';
import type { Reply } from './routes-read.ts';

const NOT_CLEARABLE = ['last_name', 'first_name', 'last_name_yomi', 'first_name_yomi', 'gender', 'birth_at', 'address'];
const READ_ONLY = new Set(['id', 'created_at', 'updated_at', 'employment_type', 'departments', 'department', 'emp_type', 'preferred_last_name', 'preferred_first_name', 'preferred_last_name_yomi', 'preferred_first_name_yomi']);

const bad = (field: string, message: string): ApiError => new ApiError('bad_request', message, [{ message, resource: 'crew', field }]);
const nowStamp = (): string => new Date().toISOString();

function applyCrew(state: SmarthrState, c: StoredCrew, body: Record<string, unknown>, creating: boolean): void {
  for (const f of NOT_CLEARABLE) {
    if (!creating && f in body && (body[f] === null || body[f] === '') && c[f] != null) throw bad(f, `${f} cannot be cleared`);
  }
  if (body.emp_code != null && state.crews.some((o) => o.id !== c.id && o.emp_code === body.emp_code)) throw bad('emp_code', '社員番号はすでに存在します');
  if (body.gender != null && body.gender !== 'male' && body.gender !== 'female') throw bad('gender', 'gender is invalid');
  if (body.emp_status != null && !['employed', 'absent', 'retired'].includes(String(body.emp_status))) throw bad('emp_status', 'emp_status is invalid');
  for (const [k, v] of Object.entries(body)) {
    if (READ_ONLY.has(k)) continue;
    if (k === 'employment_type_id') {
      if (v !== null && !state.employment_types.some((e) => e.id === v)) throw bad(k, 'employment_type_id is invalid');
      c.employment_type_id = v as string | null;
    } else if (k === 'department_ids') {
      if (!Array.isArray(v) || v.some((d) => !state.departments.some((x) => x.id === d))) throw bad(k, 'department_ids is invalid');
      c.department_ids = v as string[];
    } else if (k === 'positions') {
      if (!Array.isArray(v)) throw bad(k, 'positions must be an array of job title names');
      c.position_ids = v.map((name) => {
        let j = state.job_titles.find((x) => x.name === name);
        if (!j) {
          const t = nowStamp();
          j = { id: crypto.randomUUID(), name: String(name), rank: 99999, code: null, created_at: t, updated_at: t };
          state.job_titles.push(j);
        }
        return j.id;
      });
    } else if (k === 'custom_fields') {
      if (!Array.isArray(v)) throw bad(k, 'custom_fields must be an array');
      for (const item of v as Array<{ template_id?: string; value?: unknown }>) {
        const t = state.custom_field_templates.find((x) => x.id === item?.template_id);
        if (!t) throw bad('custom_fields', `template_id ${String(item?.template_id)} is invalid`);
        let value = (item.value ?? null) as string | number | null;
        if (t.type === 'enum' && value !== null && value !== '') {
          const el = t.elements.find((e) => e.id === value || (e.physical_name && e.physical_name === value));
          if (!el) throw bad('custom_fields', `${t.name}: ${String(value)} is not an element`);
          value = el.physical_name || el.id;
        }
        if (t.type === 'decimal' && value !== null && value !== '' && !Number.isFinite(Number(value))) throw bad('custom_fields', `${t.name} must be a number`);
        const existing = c.custom_fields.find((f) => f.template_id === t.id);
        if (existing) existing.value = value === '' ? null : value; else c.custom_fields.push({ template_id: t.id, value: value === '' ? null : value });
      }
    } else c[k] = v;
  }
  c.updated_at = nowStamp();
}

function applyDepartment(state: SmarthrState, d: StoredDepartment, body: Record<string, unknown>): void {
  if (typeof body.name !== 'string' || body.name === '') throw new ApiError('bad_request', 'name is missing', [{ message: 'name is missing', resource: 'department', field: 'name' }]);
  if (body.name.includes('/')) throw new ApiError('bad_request', 'name cannot contain "/"', [{ message: 'name cannot contain "/"', resource: 'department', field: 'name' }]);
  if (body.parent_id != null) {
    if (body.parent_id === d.id || !state.departments.some((x) => x.id === body.parent_id)) throw new ApiError('bad_request', 'parent_id is invalid', [{ message: 'parent_id is invalid', resource: 'department', field: 'parent_id' }]);
  }
  d.name = body.name;
  if ('code' in body) d.code = (body.code as string | null) ?? null;
  if ('parent_id' in body) d.parent_id = (body.parent_id as string | null) ?? null;
  if (typeof body.position === 'number') d.position = body.position;
  d.updated_at = nowStamp();
}

export function writeRoute(state: SmarthrState, r: Renderer, rng: Rng, method: string, path: string, body: Record<string, unknown>, base: string): Reply | null {
  const p = path.replace(/^\/api/, '');
  let m: RegExpMatchArray | null;
  if (p === '/v1/crews' && method === 'POST') {
    const t = nowStamp();
    const c: StoredCrew = { id: rng.uuid(), user_id: null, emp_code: null, department_ids: [], position_ids: [], employment_type_id: null, custom_fields: [], created_at: t, updated_at: t };
    applyCrew(state, c, body, true);
    state.crews.push(c);
    return { status: 201, body: r.crewText(c), headers: { location: `${base}/v1/crews/${c.id}` } };
  }
  if ((m = p.match(/^\/v1\/crews\/([^/]+)$/)) && (method === 'PATCH' || method === 'PUT')) {
    const c = state.crews.find((x) => x.id === m![1]);
    if (!c) throw new ApiError('not_found', 'Crew not found');
    // Validate on a copy so a rejected PATCH changes nothing.
    const draft = structuredClone(c);
    applyCrew(state, draft, body, false);
    Object.assign(c, draft);
    r.invalidateCrew(c.id);
    return { status: 200, body: r.crewText(c) };
  }
  if (p === '/v1/departments' && method === 'POST') {
    const t = nowStamp();
    const d: StoredDepartment = { id: rng.uuid(), name: '', position: state.departments.length + 1, code: null, parent_id: null, created_at: t, updated_at: t };
    applyDepartment(state, d, body);
    state.departments.push(d);
    r.reindex();
    return { status: 201, body: JSON.stringify(r.department(d, true)), headers: { location: `${base}/v1/departments/${d.id}` } };
  }
  if ((m = p.match(/^\/v1\/departments\/([^/]+)$/)) && (method === 'PATCH' || method === 'PUT')) {
    const d = state.departments.find((x) => x.id === m![1]);
    if (!d) throw new ApiError('not_found', 'Department not found');
    const draft = { ...d };
    applyDepartment(state, draft, method === 'PATCH' ? { name: d.name, ...body } : body);
    Object.assign(d, draft);
    r.reindex();
    return { status: 200, body: JSON.stringify(r.department(d, true)) };
  }
  return masterRoute(state, r, rng, method, p, body, base);
}

/**
 * POST / PATCH of the masters SmartHR's API lets a client write: employment types, job titles and
 * custom-field templates (so a tenant can be set up through the API alone). Names are required; an
 * enum template's elements get ids; a PATCH keeps what it does not name.
 */
function masterRoute(state: SmarthrState, r: Renderer, rng: Rng, method: string, p: string, body: Record<string, unknown>, base: string): Reply | null {
  const m = p.match(/^\/v1\/(employment_types|job_titles|crew_custom_field_templates)(?:\/([^/]+))?$/);
  if (!m || !((method === 'POST' && !m[2]) || ((method === 'PATCH' || method === 'PUT') && m[2]))) return null;
  const kind = m[1] as 'employment_types' | 'job_titles' | 'crew_custom_field_templates';
  const list = (kind === 'crew_custom_field_templates' ? state.custom_field_templates : state[kind]) as unknown as Array<Record<string, unknown>>;
  const resource = kind.replace(/s$/, '');
  const t = nowStamp();
  let item: Record<string, unknown>;
  if (m[2]) {
    const found = list.find((x) => x.id === m[2]);
    if (!found) throw new ApiError('not_found', `${resource} not found`);
    item = found;
  } else {
    if (typeof body.name !== 'string' || body.name === '') throw new ApiError('bad_request', 'name is missing', [{ message: 'name is missing', resource, field: 'name' }]);
    item = kind === 'employment_types' ? { id: rng.uuid(), name: '', preset_type: null, code: null, created_at: t }
      : kind === 'job_titles' ? { id: rng.uuid(), name: '', rank: 99999, code: null, created_at: t }
        : { id: rng.uuid(), name: '', type: 'string', elements: [], group_id: state.custom_field_template_groups[0]?.id ?? null, hint: null, scale: null, separated_by_commas: false, position: list.length + 1, created_at: t };
    list.push(item);
  }
  if (kind === 'employment_types' && m[2] && item.preset_type && 'name' in body && body.name !== item.name) {
    throw new ApiError('bad_request', 'system-standard employment types cannot be renamed', [{ message: 'cannot be renamed', resource, field: 'name' }]);
  }
  for (const [k, v] of Object.entries(body)) {
    if (k === 'id' || k === 'created_at' || k === 'updated_at') continue;
    if (k === 'elements' && Array.isArray(v)) {
      item.elements = v.map((e: Record<string, unknown>, i: number) => ({ id: typeof e.id === 'string' ? e.id : rng.uuid(), name: String(e.name ?? ''), physical_name: (e.physical_name as string | undefined) ?? null, position: typeof e.position === 'number' ? e.position : i + 1 }));
    } else item[k] = v;
  }
  item.updated_at = t;
  r.reindex();
  return { status: m[2] ? 200 : 201, body: JSON.stringify(item), headers: m[2] ? {} : { location: `${base}/v1/${kind}/${String(item.id)}` } };
}
