/** Source `smarthr.job_titles`: Job titles (役職) from `GET /v1/job_titles`, paged, rate-limited and retried like every SmartHR source. */
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { listShape, smarthrListSource } from './smarthr-list.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.job_titles'),
  ...smarthrConnectionShape,
  ...listShape,
  sort: z.string().regex(/^-?[a-z_]+(,-?[a-z_]+)*$/).optional().describe('Sort order, e.g. `rank`.'),
}).describe('Job titles (役職) from the SmartHR API.');

export const smarthrJobTitlesSource = defineComponent({
  type: 'smarthr.job_titles',
  description: 'Read Job titles (役職) from SmartHR (GET /v1/job_titles).',
  schema,
  create(o, ctx): Source {
    return smarthrListSource({ stage: 'smarthr.job_titles', path: '/v1/job_titles', query: { sort: o.sort }, conn: o }, ctx);
  },
});
