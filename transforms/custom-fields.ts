/**
 * Transform `custom_fields`: SmartHR custom fields by template name (issue 10 item 4). Each output
 * field takes the value of the crew custom field whose template has one of the given names (the
 * manuals spell the Mikiwame field ミキワメ連携 and ミキワメAI連携; the tenant may write ミキワメ(AI)連携),
 * enum values read as the element's name through the template (SmartHR sends the element id or its
 * physical_name). Names are configurable; nothing depends on array position.
 */
import { z } from 'zod';
import { defineComponent, type Rec, type Stage } from '../engine/types.ts';
import { customFieldByName } from '../connections/smarthr/custom-fields.ts';
import { getter } from './lib/fields.ts';

const schema = z.strictObject({
  type: z.literal('custom_fields'),
  from: z.string().default('custom_fields').describe('Field holding the crew\'s custom_fields array.'),
  fields: z.record(z.string().min(1), z.array(z.string().min(1)).min(1))
    .describe('Output field → template names to look for, first found wins, e.g. {mikiwame_link: [ミキワメAI連携, ミキワメ連携]}.'),
}).describe('Read SmartHR custom fields by template name (enum values as element names) into plain fields.');

export const customFields = defineComponent({
  type: 'custom_fields',
  description: 'SmartHR custom fields by template name into plain fields (enum values resolved to element names).',
  schema,
  create(o): Stage {
    const get = getter(o.from);
    const out = Object.entries(o.fields);
    return {
      process(rec: Rec) {
        const cf = get(rec.data);
        for (const [name, templates] of out) rec.data[name] = customFieldByName(cf, templates) ?? null;
        return rec;
      },
    };
  },
});
