/**
 * The rule cases of a generated tenant (issue 10 item 7, `generateTenant({ ruleCases: true })`,
 * `renkei sandbox smarthr --rule-cases`): departments and crews that exercise every Mikiwame rule,
 * **appended** after the generated ones and drawn from their own random stream (`rules:<seed>`), so
 * the generated people — their 社員番号 and every field — stay exactly those of `generateTenant`
 * without the option (the KING OF TIME sandbox is built from the same generator and seed).
 *
 * What is added: a department branch 12 levels deep (M-D4: levels 11 and 12 too deep) and one
 * department without a code (M-D3); crews `RC01`… with a business name (M-E2), a `null` first item
 * inside `departments[]` (M-E3), a custom employment type and a renamed default (M-E4), the opt-out
 * value as an element id, a `physical_name` and a name (M-E10), and two emails equal but for case and
 * spaces (M-E9). The opt-out elements get physical names so the second kind exists.
 */
import { createRng } from './prng.ts';
import { crew } from './crews.ts';
import { MIKIWAME_NO_LINK, MIKIWAME_TEMPLATE_NAME, stamp } from './masters.ts';
import type { SmarthrState, StoredCrew, StoredDepartment } from '../smarthr/state.ts';

/** Levels of the deep branch: deeper than the 10 Mikiwame accepts (M-D4). */
export const DEEP_LEVELS = 12;
export const OPT_OUT_PHYSICAL_NAME = 'mikiwame_no_link';

/** Adds the rule cases to a generated tenant (in place) and returns it. */
export function addRuleCases(state: SmarthrState, seed: string | number): SmarthrState {
  const rng = createRng(`rules:${seed}`);
  const dept = (name: string, code: string | null, parent: StoredDepartment | null, position = 1): StoredDepartment => {
    const t = stamp(rng);
    const d: StoredDepartment = { id: rng.uuid(), name, position, code, parent_id: parent?.id ?? null, created_at: t, updated_at: t };
    state.departments.push(d);
    return d;
  };
  let deep: StoredDepartment | null = null;
  for (let level = 1; level <= DEEP_LEVELS; level++) deep = dept(`深階層${level}`, `DEEP${String(level).padStart(2, '0')}`, deep);
  const top = state.departments.find((d) => d.parent_id === null && d.code !== null)!;
  const noCode = dept('コード未設定課', null, top, 99);

  const template = state.custom_field_templates.find((t) => t.name === MIKIWAME_TEMPLATE_NAME);
  const noLink = template?.elements.find((e) => e.name === MIKIWAME_NO_LINK);
  if (template) template.elements.forEach((e) => { e.physical_name = e.name === MIKIWAME_NO_LINK ? OPT_OUT_PHYSICAL_NAME : 'mikiwame_link'; });
  const type = (name: string) => state.employment_types.find((e) => e.name === name)?.id ?? null;

  const start = state.crews.length;
  const emails: string[] = [];
  const cases: Array<[string, (c: StoredCrew) => void]> = [
    ['business name (M-E2)', (c) => Object.assign(c, { business_last_name: '見極', business_first_name: '花子', business_last_name_yomi: 'ミキワメ', business_first_name_yomi: 'ハナコ' })],
    ['null first department item (M-E3)', (c) => { c.department_ids = [null, top.id]; }],
    ['in a department 12 levels deep (M-D4)', (c) => { c.department_ids = [deep!.id]; }],
    ['in a department without a code (M-D3)', (c) => { c.department_ids = [noCode.id]; }],
    ['custom employment type (M-E4)', (c) => { c.employment_type_id = type('嘱託社員'); }],
    ['renamed default employment type (M-E4)', (c) => { c.employment_type_id = type('パート・アルバイト'); }],
    ['opted out by element id (M-E10)', (c) => optOut(c, noLink?.id ?? null)],
    ['opted out by physical_name (M-E10)', (c) => optOut(c, OPT_OUT_PHYSICAL_NAME)],
    ['opted out by name (M-E10)', (c) => optOut(c, MIKIWAME_NO_LINK)],
    ['duplicate email (M-E9)', (c) => { c.email = 'shared.rule@example.co.jp'; }],
    ['the same email in other case and with spaces (M-E9)', (c) => { c.email = ' Shared.Rule@EXAMPLE.co.jp '; }],
  ];
  function optOut(c: StoredCrew, value: string | null): void {
    if (!template) return;
    c.custom_fields = [...c.custom_fields.filter((f) => f.template_id !== template.id), { template_id: template.id, value }];
  }
  cases.forEach(([, edit], k) => {
    const c = crew(rng, start + k, state, emails);
    // A tidy employed person, then the one untidy thing the case is about.
    Object.assign(c, { emp_code: `RC${String(k + 1).padStart(2, '0')}`, emp_status: 'employed', resigned_at: null, resigned_reason: null, email: `rule.case${k + 1}@example.co.jp`,
      business_last_name: null, business_first_name: null, business_last_name_yomi: null, business_first_name_yomi: null, department_ids: [top.id], employment_type_id: type('正社員') });
    optOut(c, null);
    edit(c);
    state.crews.push(c);
  });
  return state;
}
