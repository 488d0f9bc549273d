/** The sandbox's tenant generator: deterministic from the seed, and as untidy as real tenants. */
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { MIKIWAME_LINK, MIKIWAME_NO_LINK, MIKIWAME_TEMPLATE_NAME } from '../../sandbox/generate/masters.ts';
import { createRng } from '../../sandbox/generate/prng.ts';

const t = generateTenant({ employees: 3000, seed: 'unit', departmentDepth: 4 });

describe('tenant generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateTenant({ employees: 200, seed: 'a' })).toEqual(generateTenant({ employees: 200, seed: 'a' }));
    expect(generateTenant({ employees: 200, seed: 'a' }).crews[0].id).not.toBe(generateTenant({ employees: 200, seed: 'b' }).crews[0].id);
    const r1 = createRng(5), r2 = createRng(5);
    expect(Array.from({ length: 5 }, () => r1.next())).toEqual(Array.from({ length: 5 }, () => r2.next()));
  });

  it('gives kanji names with katakana readings, unique ids and 社員番号', () => {
    for (const c of t.crews.slice(0, 200)) {
      expect(c.last_name).toMatch(/^[\u4e00-\u9fff\u3040-\u309f\u3005]+$/u);
      expect(c.last_name_yomi).toMatch(/^[\u30a0-\u30ff]+$/u);
      expect(c.first_name_yomi).toMatch(/^[\u30a0-\u30ff]+$/u);
    }
    expect(new Set(t.crews.map((c) => c.id)).size).toBe(t.crews.length);
    const codes = t.crews.map((c) => c.emp_code).filter((x) => x !== null);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has the e-mail mess: missing, duplicated, upper-case and full-width addresses', () => {
    const emails = t.crews.map((c) => c.email as string | null);
    expect(emails.some((e) => e === null)).toBe(true);
    const present = emails.filter((e): e is string => e !== null);
    expect(new Set(present).size).toBeLessThan(present.length);
    expect(present.some((e) => /[A-Z]/.test(e))).toBe(true);
    expect(present.some((e) => /[\uff01-\uff5e]/.test(e))).toBe(true);
  });

  it('has business names, both genders, retired crews with resign dates, and employed ones without', () => {
    expect(t.crews.some((c) => c.business_last_name)).toBe(true);
    expect(new Set(t.crews.map((c) => c.gender))).toEqual(new Set(['male', 'female']));
    const retired = t.crews.filter((c) => c.emp_status === 'retired');
    expect(retired.length).toBeGreaterThan(0);
    expect(retired.every((c) => typeof c.resigned_at === 'string' && (c.resigned_at as string) >= (c.entered_at as string))).toBe(true);
    expect(t.crews.filter((c) => c.emp_status === 'employed').every((c) => c.resigned_at === null)).toBe(true);
    expect(t.crews.every((c) => (c.birth_at as string) < (c.entered_at as string))).toBe(true);
  });

  it('has the seven preset employment types, one renamed, plus custom ones', () => {
    const presets = t.employment_types.filter((e) => e.preset_type).map((e) => e.preset_type);
    expect(new Set(presets)).toEqual(new Set(['board_member', 'full_timer', 'contract_worker', 'permatemp', 'part_timer', 'outsourcing_contractor', 'etc']));
    expect(t.employment_types.find((e) => e.preset_type === 'part_timer')!.name).toBe('パート・アルバイト');
    expect(t.employment_types.filter((e) => e.preset_type === null).length).toBeGreaterThanOrEqual(1);
  });

  it('builds a department tree of the configured depth, some departments without a code', () => {
    const byId = new Map(t.departments.map((d) => [d.id, d]));
    const depth = (id: string): number => { let n = 1; let d = byId.get(id)!; while (d.parent_id) { d = byId.get(d.parent_id)!; n++; } return n; };
    expect(Math.max(...t.departments.map((d) => depth(d.id)))).toBe(4);
    expect(t.departments.some((d) => d.code === null)).toBe(true);
    expect(t.crews.some((c) => c.department_ids.includes(null))).toBe(true);
    expect(t.crews.some((c) => c.department_ids.length === 2)).toBe(true);
  });

  it('has the ミキワメ(AI)連携 dropdown with 連携する / 連携しない / blank values', () => {
    const tpl = t.custom_field_templates.find((x) => x.name === MIKIWAME_TEMPLATE_NAME)!;
    expect(tpl.type).toBe('enum');
    expect(tpl.elements.map((e) => e.name)).toEqual([MIKIWAME_LINK, MIKIWAME_NO_LINK]);
    const values = t.crews.map((c) => c.custom_fields.find((f) => f.template_id === tpl.id)?.value ?? null);
    expect(new Set(values)).toEqual(new Set([tpl.elements[0].id, tpl.elements[1].id, null]));
    expect(t.biz_establishments.length).toBeGreaterThan(1);
    expect(t.job_titles.length).toBeGreaterThan(1);
  });
});
