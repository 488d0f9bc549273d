/** Source `smarthr.employment_types`: Employment types (雇用形態) from `GET /v1/employment_types`, paged, rate-limited and retried like every SmartHR source. */
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { listShape, smarthrListSource } from './smarthr-list.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.employment_types'),
  ...smarthrConnectionShape,
  ...listShape,
}).describe('Employment types (雇用形態) from the SmartHR API.');

export const smarthrEmploymentTypesSource = defineComponent({
  type: 'smarthr.employment_types',
  description: 'Read Employment types (雇用形態) from SmartHR (GET /v1/employment_types).',
  schema,
  create(o, ctx): Source {
    return smarthrListSource({ stage: 'smarthr.employment_types', path: '/v1/employment_types', query: {  }, conn: o }, ctx);
  },
});
