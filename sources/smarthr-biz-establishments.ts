/** Source `smarthr.biz_establishments`: Offices (事業所) from `GET /v1/biz_establishments`, paged, rate-limited and retried like every SmartHR source. */
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { listShape, smarthrListSource } from './smarthr-list.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.biz_establishments'),
  ...smarthrConnectionShape,
  ...listShape,
}).describe('Offices (事業所) from the SmartHR API.');

export const smarthrBizEstablishmentsSource = defineComponent({
  type: 'smarthr.biz_establishments',
  description: 'Read Offices (事業所) from SmartHR (GET /v1/biz_establishments).',
  schema,
  create(o, ctx): Source {
    return smarthrListSource({ stage: 'smarthr.biz_establishments', path: '/v1/biz_establishments', query: {  }, conn: o }, ctx);
  },
});
