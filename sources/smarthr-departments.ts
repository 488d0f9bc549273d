/** Source `smarthr.departments`: Departments (部署) from `GET /v1/departments`, paged, rate-limited and retried like every SmartHR source. */
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { listShape, smarthrListSource } from './smarthr-list.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.departments'),
  ...smarthrConnectionShape,
  ...listShape,
  code: z.string().min(1).optional().describe('Only the department with this code.'),
  sort: z.string().regex(/^-?[a-z_]+(,-?[a-z_]+)*$/).optional().describe('Sort order, e.g. `position` or `-updated_at`.'),
}).describe('Departments (部署) from the SmartHR API.');

export const smarthrDepartmentsSource = defineComponent({
  type: 'smarthr.departments',
  description: 'Read Departments (部署) from SmartHR (GET /v1/departments).',
  schema,
  create(o, ctx): Source {
    return smarthrListSource({ stage: 'smarthr.departments', path: '/v1/departments', query: { code: o.code, sort: o.sort }, conn: o }, ctx);
  },
});
