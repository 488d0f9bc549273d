/**
 * Source `smarthr.crews`: employees from `GET /v1/crews`, with SmartHR's filters and `fields=` so the
 * API sends only what the pipeline uses (G6). Records are the API's crew objects as returned:
 * `departments[]` may hold null items, keys hidden by the token's scope are absent, deprecated fields
 * (`department`, `position`, `emp_type`) sit beside their replacements.
 */
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { listShape, smarthrListSource } from './smarthr-list.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const ids = z.array(z.string().min(1)).min(1);

const schema = z.strictObject({
  type: z.literal('smarthr.crews'),
  ...smarthrConnectionShape,
  ...listShape,
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
  sort: z.string().regex(/^-?[a-z_]+(,-?[a-z_]+)*$/).optional().describe('Sort order, e.g. `emp_code,-updated_at` (`-` = descending). Default: the API order.'),
}).describe('Employees (crews) from the SmartHR API.');

export type SmarthrCrewsOptions = z.infer<typeof schema>;

/** The `fields=` value: the listed fields plus `id`, which every record needs. */
export function fieldsParam(fields: string[] | undefined): string | undefined {
  if (!fields) return undefined;
  return [...new Set(['id', ...fields])].join(',');
}

export const smarthrCrewsSource = defineComponent({
  type: 'smarthr.crews',
  description: 'Read employees from SmartHR (GET /v1/crews), paged, rate-limited, retried.',
  schema,
  create(o, ctx): Source {
    const query = {
      fields: fieldsParam(o.fields), emp_status: o.emp_status, employment_type_id: o.employment_type_id?.join(','),
      department_id: o.department_id?.join(','), emp_code: o.emp_code, entered_at_from: o.entered_at_from, entered_at_to: o.entered_at_to,
      resigned_at_from: o.resigned_at_from, resigned_at_to: o.resigned_at_to, sort: o.sort,
    };
    return smarthrListSource({ stage: 'smarthr.crews', path: '/v1/crews', query, conn: o }, ctx);
  },
});
