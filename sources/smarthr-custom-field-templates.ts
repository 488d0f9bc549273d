/** Source `smarthr.custom_field_templates`: Custom field templates (カスタム従業員項目) from `GET /v1/crew_custom_field_templates`, paged, rate-limited and retried like every SmartHR source. */
import { z } from 'zod';
import { defineComponent, type Source } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { listShape, smarthrListSource } from './smarthr-list.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.custom_field_templates'),
  ...smarthrConnectionShape,
  ...listShape,
  embed_group: z.boolean().default(false).describe('Embed the template group (`embed=group`: `group` replaces `group_id`).'),
}).describe('Custom field templates (カスタム従業員項目) from the SmartHR API.');

export const smarthrCustomFieldTemplatesSource = defineComponent({
  type: 'smarthr.custom_field_templates',
  description: 'Read Custom field templates (カスタム従業員項目) from SmartHR (GET /v1/crew_custom_field_templates).',
  schema,
  create(o, ctx): Source {
    return smarthrListSource({ stage: 'smarthr.custom_field_templates', path: '/v1/crew_custom_field_templates', query: { embed: o.embed_group ? 'group' : undefined }, conn: o }, ctx);
  },
});
