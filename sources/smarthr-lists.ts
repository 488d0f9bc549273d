/**
 * SmartHR's list sources: one line per endpoint on the generic list source (api-list.ts), each paged,
 * rate-limited and retried through the SmartHR profile. A new endpoint is a new line here and its name
 * in sources/index.ts.
 *
 * `smarthr.crews` also takes SmartHR's filters and `fields=` so the API sends only what the pipeline
 * uses (G6). Records are the API's objects as returned: a crew's `departments[]` may hold null items,
 * keys hidden by the token's scope are absent, deprecated fields (`department`, `position`,
 * `emp_type`) sit beside their replacements.
 */
import { z } from 'zod';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { smarthrProfile } from '../connections/smarthr/profile.ts';
import { defineListSource, pagedShape, type ListApi } from './api-list.ts';
import { defineComponent, Drop, type Source } from '../engine/types.ts';
import { customFieldByName } from '../connections/smarthr/custom-fields.ts';

const smarthr = { profile: smarthrProfile, options: { ...smarthrConnectionShape, ...pagedShape(smarthrProfile) } } satisfies ListApi<z.ZodRawShape>;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const ids = z.array(z.string().min(1)).min(1);
const sort = (example: string) => z.string().regex(/^-?[a-z_]+(,-?[a-z_]+)*$/).optional().describe(`Sort order, e.g. ${example}.`);

const crewOptions = {
  fields: z.array(z.string().min(1)).min(1).optional()
    .describe('Crew fields to ask for (`fields=`; `id` is always included). List only what the pipeline uses (G6). Default: all.'),
  emp_status: z.enum(['employed', 'absent', 'retired']).optional().describe('Only crews with this status (在籍状況).'),
  employment_type_id: ids.optional().describe('Only crews with one of these employment type ids.'),
  department_id: ids.optional().describe('Only crews in one of these departments.'),
  emp_code: z.string().min(1).optional().describe('Only the crew with this 社員番号.'),
  entered_at_from: date.optional().describe('Hired on or after this date.'),
  entered_at_to: date.optional().describe('Hired on or before this date.'),
  resigned_at_from: date.optional().describe('Resigned on or after this date.'),
  resigned_at_to: date.optional().describe('Resigned on or before this date.'),
  sort: sort('`emp_code,-updated_at` (`-` = descending). Default: the API order'),
};

const byName = z.union([z.array(z.string().min(1)).min(1), z.record(z.string().min(1), z.array(z.string().min(1)).min(1))]).optional()
  .describe('Custom fields put on each record by template name: [受検日, …] (the field is named as the template) or {opt_out: [ミキワメAI連携, ミキワメ連携]} (first name found wins). Ask for custom_fields in `fields`.');

/** The `fields=` value: the listed fields plus `id`, which every record needs. */
export function fieldsParam(fields: string[] | undefined): string | undefined {
  if (!fields) return undefined;
  return [...new Set([smarthrProfile.identity, ...fields])].join(',');
}

const crewsList = defineListSource(smarthr, {
  type: 'smarthr.crews', path: '/v1/crews', what: 'Employees (crews)', options: { ...crewOptions, custom_fields_by_name: byName },
  query: (o) => ({
    fields: fieldsParam(o.fields), emp_status: o.emp_status, employment_type_id: o.employment_type_id?.join(','),
    department_id: o.department_id?.join(','), emp_code: o.emp_code, entered_at_from: o.entered_at_from, entered_at_to: o.entered_at_to,
    resigned_at_from: o.resigned_at_from, resigned_at_to: o.resigned_at_to, sort: o.sort,
  }),
});
/**
 * `smarthr.crews` also puts custom fields on each record by template **name** (`custom_fields_by_name`):
 * enum values read as the element's name through the template, never by array position.
 */
export const smarthrCrewsSource = defineComponent({
  ...crewsList,
  create(o, ctx): Source {
    const inner = crewsList.create(o, ctx);
    const names = Array.isArray(o.custom_fields_by_name) ? Object.fromEntries(o.custom_fields_by_name.map((n) => [n, [n]])) : o.custom_fields_by_name;
    if (!names || Object.keys(names).length === 0) return inner;
    const entries = Object.entries(names);
    return {
      async *read() {
        for await (const batch of inner.read()) {
          for (const r of batch) if (!(r instanceof Drop)) for (const [f, ns] of entries) r.data[f] = customFieldByName(r.data.custom_fields, ns) ?? null;
          yield batch;
        }
      },
      close: inner.close ? () => inner.close!() : undefined,
    };
  },
});
export const smarthrDepartmentsSource = defineListSource(smarthr, {
  type: 'smarthr.departments', path: '/v1/departments', what: 'Departments (部署)',
  options: { code: z.string().min(1).optional().describe('Only the department with this code.'), sort: sort('`position` or `-updated_at`') },
  query: (o) => ({ code: o.code, sort: o.sort }),
});
export const smarthrEmploymentTypesSource = defineListSource(smarthr, { type: 'smarthr.employment_types', path: '/v1/employment_types', what: 'Employment types (雇用形態)' });
export const smarthrJobTitlesSource = defineListSource(smarthr, {
  type: 'smarthr.job_titles', path: '/v1/job_titles', what: 'Job titles (役職)', options: { sort: sort('`rank`') }, query: (o) => ({ sort: o.sort }),
});
export const smarthrCustomFieldTemplatesSource = defineListSource(smarthr, {
  type: 'smarthr.custom_field_templates', path: '/v1/crew_custom_field_templates', what: 'Custom field templates (カスタム従業員項目)',
  options: { embed_group: z.boolean().default(false).describe('Embed the template group (`embed=group`: `group` replaces `group_id`).') },
  query: (o) => ({ embed: o.embed_group ? 'group' : undefined }),
});
export const smarthrBizEstablishmentsSource = defineListSource(smarthr, { type: 'smarthr.biz_establishments', path: '/v1/biz_establishments', what: 'Offices (事業所)' });
