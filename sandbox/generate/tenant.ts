/** Deterministic SmartHR tenant from a seed: `generateTenant({ employees: 1000, seed: 'demo' })`. */
import { createRng } from './prng.ts';
import { bizEstablishments, customFields, departments, employmentTypes, jobTitles } from './masters.ts';
import { crew } from './crews.ts';
import { addRuleCases } from './rule-cases.ts';
import type { SmarthrState } from '../smarthr/state.ts';

export interface TenantOptions {
  /** Number of crews (employees). */
  employees: number;
  seed?: string | number;
  /** Levels in the department tree (1 = flat). */
  departmentDepth?: number;
  /**
   * Append the departments and crews that exercise every Mikiwame rule (rule-cases.ts). Off by
   * default: the generated people are the same either way, the appended ones only come with it.
   */
  ruleCases?: boolean;
}

export function generateTenant(opts: TenantOptions): SmarthrState {
  const rng = createRng(opts.seed ?? 1);
  const { groups, templates } = customFields(rng);
  const masters = {
    company_id: rng.uuid(),
    employment_types: employmentTypes(rng),
    job_titles: jobTitles(rng),
    departments: departments(rng, Math.max(1, opts.departmentDepth ?? 3)),
    biz_establishments: bizEstablishments(rng),
    custom_field_template_groups: groups,
    custom_field_templates: templates,
  };
  const emails: string[] = [];
  const crews = [];
  for (let i = 0; i < opts.employees; i++) crews.push(crew(rng, i, masters, emails));
  const state = { ...masters, crews };
  return opts.ruleCases ? addRuleCases(state, opts.seed ?? 1) : state;
}
