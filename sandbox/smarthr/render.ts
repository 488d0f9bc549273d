/**
 * Renders stored state into the API's read shapes (Crew, Department, ...), as SmartHR returns them:
 * nested department objects with their parent chain, the deprecated `department` / `position` /
 * `emp_type` strings beside `departments` / `positions` / `employment_type`, custom fields with their
 * template. Rendered crews are cached as JSON text and invalidated by writes.
 */
import type { SmarthrState, StoredCrew, StoredDepartment, StoredTemplate } from './state.ts';

const WRITE_ONLY = new Set(['department_ids', 'position_ids', 'employment_type_id', 'custom_fields']);
const PRESET_RECRUITMENT: Record<string, string> = { 新卒: 'new_graduate', 中途: 'mid_career' };

export class Renderer {
  /** Rendered crews as UTF-8 JSON, per `fields=` selection ('' = all fields), by crew id. */
  private crewJson = new Map<string, Map<string, Buffer>>();
  private deptIndex = new Map<string, StoredDepartment>();
  private templateIndex = new Map<string, StoredTemplate>();
  /** Rendered masters, shared by every crew that embeds them (rebuilt by reindex). */
  private deptView = new Map<string, Record<string, unknown>>();
  private templateView = new Map<string, Record<string, unknown>>();

  constructor(private readonly state: SmarthrState, private readonly hiddenFields: ReadonlySet<string> = new Set()) {
    this.reindex();
  }

  /** Call after any change to master data (departments, types, titles, templates). */
  reindex(): void {
    this.crewJson.clear();
    this.deptIndex = new Map(this.state.departments.map((d) => [d.id, d]));
    this.templateIndex = new Map(this.state.custom_field_templates.map((t) => [t.id, t]));
    this.deptView.clear();
    this.templateView.clear();
  }

  private deptFor(d: StoredDepartment): Record<string, unknown> {
    let v = this.deptView.get(d.id);
    if (!v) { v = this.department(d, false); this.deptView.set(d.id, v); }
    return v;
  }

  private templateFor(t: StoredTemplate): Record<string, unknown> {
    let v = this.templateView.get(t.id);
    if (!v) {
      const { group_id, ...rest } = this.template(t);
      v = { ...rest, group_id };
      this.templateView.set(t.id, v);
    }
    return v;
  }

  /** Renders every crew now, so the first read is as fast as later ones (benchmarks). */
  warm(): void { for (const c of this.state.crews) this.crewBytes(c); }

  /** Call after a crew changed. */
  invalidateCrew(id: string): void { for (const m of this.crewJson.values()) m.delete(id); }

  private chain(d: StoredDepartment): StoredDepartment[] {
    const out = [d];
    let p = d.parent_id ? this.deptIndex.get(d.parent_id) : undefined;
    while (p && out.length < 50) { out.unshift(p); p = p.parent_id ? this.deptIndex.get(p.parent_id) : undefined; }
    return out;
  }

  fullName(d: StoredDepartment): string { return this.chain(d).map((x) => x.name).join('/'); }

  private nested(d: StoredDepartment): Record<string, unknown> {
    const parent = d.parent_id ? this.deptIndex.get(d.parent_id) : undefined;
    return {
      id: d.id, name: d.name, full_name: this.fullName(d), position: d.position, code: d.code,
      parent: parent ? this.nested(parent) : null, company_id: this.state.company_id,
    };
  }

  department(d: StoredDepartment, withChildren: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.nested(d), created_at: d.created_at, updated_at: d.updated_at };
    if (withChildren) {
      out.children = this.state.departments.filter((c) => c.parent_id === d.id)
        .map((c) => ({ id: c.id, name: c.name, full_name: this.fullName(c), position: c.position, code: c.code, company_id: this.state.company_id, created_at: c.created_at, updated_at: c.updated_at }));
    }
    return out;
  }

  template(t: StoredTemplate): Record<string, unknown> {
    return { ...t, elements: t.type === 'enum' ? t.elements : [] };
  }

  crew(c: StoredCrew): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) if (!WRITE_ONLY.has(k)) out[k] = v;
    const et = this.state.employment_types.find((e) => e.id === c.employment_type_id);
    out.employment_type = et ? { id: et.id, name: et.name, preset_type: et.preset_type, code: et.code } : null;
    out.emp_type = et?.preset_type ?? null;
    const depts = c.department_ids.map((id) => (id ? this.deptIndex.get(id) : undefined));
    out.departments = depts.map((d) => (d ? this.deptFor(d) : null));
    const first = depts.find((d) => d);
    out.department = first ? this.fullName(first) : null;
    const titles = c.position_ids.map((id) => this.state.job_titles.find((j) => j.id === id)).filter((j) => j !== undefined);
    out.positions = titles.map((j) => ({ id: j.id, name: j.name, rank: j.rank, code: j.code, created_at: j.created_at }));
    out.position = titles[0]?.name ?? null;
    const rt = typeof c.recruitment_type === 'string' ? c.recruitment_type : null;
    out.recruitment_type = rt ? { name: rt, preset_type: PRESET_RECRUITMENT[rt] ?? null } : null;
    for (const part of ['last_name', 'first_name', 'last_name_yomi', 'first_name_yomi']) {
      out[`preferred_${part}`] = (c[`business_${part}`] as string | null) || c[part] || null;
    }
    out.custom_fields = c.custom_fields.flatMap((f) => {
      const t = this.templateIndex.get(f.template_id);
      return t ? [{ value: f.value, template: this.templateFor(t) }] : [];
    });
    for (const h of this.hiddenFields) delete out[h];
    return out;
  }

  /** The crew as JSON text, or with only `fields` (plus id) when fields are asked for. */
  crewText(c: StoredCrew, fields?: string[]): string {
    return this.crewBytes(c, fields).toString('utf8');
  }

  /** The crew as UTF-8 JSON (cached as bytes: list pages are then a copy, not a re-encode). */
  crewBytes(c: StoredCrew, fields?: string[]): Buffer {
    const key = fields ? fields.join(',') : '';
    let cache = this.crewJson.get(key);
    if (!cache) {
      // The full shape plus the latest `fields=` selection (a pipeline asks for one set, read after read).
      for (const k of this.crewJson.keys()) if (k !== '') this.crewJson.delete(k);
      cache = new Map();
      this.crewJson.set(key, cache);
    }
    let b = cache.get(c.id);
    if (b === undefined) {
      const full = this.crew(c);
      let out = full;
      if (fields) {
        out = { id: full.id };
        for (const f of fields) if (f in full) out[f] = full[f];
      }
      b = Buffer.from(JSON.stringify(out));
      cache.set(c.id, b);
    }
    return b;
  }
}
