/**
 * The generated SmartHR tenant with `ruleCases` exercises every Mikiwame rule (issue 10 item 7), and
 * the generated people stay exactly those of the tenant without it (the KING OF TIME sandbox and other
 * tests build on the same generator and seed).
 */
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { DEEP_LEVELS, OPT_OUT_PHYSICAL_NAME } from '../../sandbox/generate/rule-cases.ts';
import { MIKIWAME_NO_LINK, MIKIWAME_TEMPLATE_NAME } from '../../sandbox/generate/masters.ts';

const plain = generateTenant({ employees: 300, seed: 'rules' });
const t = generateTenant({ employees: 300, seed: 'rules', ruleCases: true });
const rc = (code: string) => t.crews.find((c) => c.emp_code === code)!;
const byId = new Map(t.departments.map((d) => [d.id, d]));
const level = (id: string): number => { let n = 1; let d = byId.get(id)!; while (d.parent_id) { d = byId.get(d.parent_id)!; n++; } return n; };
const tpl = t.custom_field_templates.find((x) => x.name === MIKIWAME_TEMPLATE_NAME)!;
const optOut = (code: string) => rc(code).custom_fields.find((f) => f.template_id === tpl.id)?.value;
const typeName = (code: string) => t.employment_types.find((e) => e.id === rc(code).employment_type_id)!.name;

describe('tenant generator: rule cases', () => {
  it('keeps every generated crew and department as without the option (same 社員番号, same fields), appending the cases', () => {
    expect(t.crews.slice(0, plain.crews.length)).toEqual(plain.crews);
    expect(t.departments.slice(0, plain.departments.length)).toEqual(plain.departments);
    expect(t.crews.slice(plain.crews.length).map((c) => c.emp_code)).toEqual(Array.from({ length: 11 }, (_, i) => `RC${String(i + 1).padStart(2, '0')}`));
    expect(generateTenant({ employees: 300, seed: 'rules', ruleCases: true })).toEqual(t);
  });

  it('M-E2: a business name; M-E3: a null item first in departments[]', () => {
    expect(rc('RC01')).toMatchObject({ business_last_name: '見極', business_first_name: '花子' });
    expect(rc('RC02').department_ids[0]).toBeNull();
    expect(rc('RC02').department_ids[1]).toEqual(expect.any(String));
  });

  it('M-D4: one branch deeper than 10 levels, with a crew at its bottom; M-D3: a department without a code with a crew in it', () => {
    const deepest = Math.max(...t.departments.map((d) => level(d.id)));
    expect(deepest).toBe(DEEP_LEVELS);
    expect(DEEP_LEVELS).toBeGreaterThan(10);
    expect(level(rc('RC03').department_ids[0]!)).toBe(DEEP_LEVELS);
    expect(byId.get(rc('RC04').department_ids[0]!)!.code).toBeNull();
  });

  it('M-E4: a custom employment type and a renamed default', () => {
    expect(typeName('RC05')).toBe('嘱託社員');
    expect(t.employment_types.find((e) => e.name === '嘱託社員')!.preset_type).toBeNull();
    expect(typeName('RC06')).toBe('パート・アルバイト');
    expect(t.employment_types.find((e) => e.name === 'パート・アルバイト')!.preset_type).toBe('part_timer');
  });

  it('M-E10: the opt-out value as an element id, a physical_name and a name', () => {
    const el = tpl.elements.find((e) => e.name === MIKIWAME_NO_LINK)!;
    expect(el.physical_name).toBe(OPT_OUT_PHYSICAL_NAME);
    expect([optOut('RC07'), optOut('RC08'), optOut('RC09')]).toEqual([el.id, OPT_OUT_PHYSICAL_NAME, MIKIWAME_NO_LINK]);
    // The other rule crews are not opted out.
    expect(optOut('RC01') ?? null).toBeNull();
  });

  it('M-E9: two emails equal but for case and spaces', () => {
    const [a, b] = [rc('RC10').email as string, rc('RC11').email as string];
    expect(a).not.toBe(b);
    expect(a.trim().toLowerCase()).toBe(b.trim().toLowerCase());
    expect(b).toMatch(/^\s.*[A-Z].*\s$/);
  });
});
