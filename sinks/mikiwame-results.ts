/**
 * Sink `smarthr.mikiwame_results`: writes Mikiwame personality results into SmartHR custom fields of
 * the matched crew (M-R1: exam date, 16-type, result link, the 24 trait scores), by template **name**.
 * Record fields are named as their templates. At open the templates are read: missing ones fail the
 * run before any write, listed by name — or are created when `create_templates: true` (M-R5); a
 * template is never deleted. A result without a matched crew is never created (M-R2: `NO_MATCH`);
 * a changed record gets `PATCH /v1/crews/{id}` with only its changed custom fields.
 */
import { z } from 'zod';
import { defineComponent, Drop, reject, unchanged, type Sink } from '../engine/types.ts';
import { RenkeiError } from '../engine/errors.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { SmarthrClient } from '../connections/smarthr/smarthr-client.ts';
import { smarthrProfile } from '../connections/smarthr/profile.ts';
import { customValue } from './rest-errors.ts';
import { RestWriter } from './rest-writer.ts';
import { writeConcurrency } from './smarthr-crews.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.mikiwame_results'),
  ...smarthrConnectionShape,
  concurrency: writeConcurrency,
  templates: z.record(z.string().min(1), z.enum(['date', 'decimal', 'string'])).refine((r) => Object.keys(r).length > 0, 'at least one template')
    .describe('Record field = custom field template name → its type (used only when creating a missing template).'),
  create_templates: z.boolean().default(false).describe('Create missing templates (M-R5); otherwise they are reported and the run stops before writing.'),
}).describe('Write results into SmartHR custom fields by template name (PATCH /v1/crews/{id}); never creates crews or deletes templates.');

export const mikiwameResultsSink = defineComponent({
  type: 'smarthr.mikiwame_results',
  description: 'Personality results into SmartHR custom fields by template name; missing templates reported or created (M-R5).',
  schema,
  create(o, ctx): Sink {
    let client: SmarthrClient | undefined;
    const writer = new RestWriter(ctx, o.concurrency ?? ctx.options.concurrency, smarthrProfile);
    const ids = new Map<string, string>();
    return {
      commits: 'per-record',
      rehearses: true,
      acknowledged: () => writer.acknowledged,
      async open() {
        const c = client = new SmarthrClient(o, ctx, 'smarthr.mikiwame_results');
        for await (const page of c.list<{ id: string; name: string }>('/v1/crew_custom_field_templates')) for (const t of page) if (!ids.has(t.name)) ids.set(t.name, t.id);
        const missing = Object.keys(o.templates).filter((n) => !ids.has(n));
        if (missing.length && !o.create_templates) {
          throw new RenkeiError('TEMPLATE_MISSING', `SmartHR has no custom field template named ${missing.map((n) => JSON.stringify(n)).join(', ')} (M-R5): create them in SmartHR, or set create_templates: true; nothing was written`);
        }
        for (const name of missing) {
          const res = await c.http.request<{ id: string }>({ method: 'POST', path: '/v1/crew_custom_field_templates', body: { name, type: o.templates[name] }, label: 'POST /v1/crew_custom_field_templates' });
          ids.set(name, res.data.id);
          ctx.logger.info({ template: name, event: 'template.created' }, 'custom field template created');
        }
      },
      async write(batch) {
        const c = client!;
        const pending: Array<Promise<unknown>> = [];
        for (const rec of batch) {
          const key = writer.keyText(rec);
          const id = writer.target(rec, key);
          if (id instanceof Drop) { writer.drop(id); continue; }
          if (id === null) { writer.drop(reject(rec, 'NO_MATCH', `${key}: no SmartHR employee matches this result; employees are never created (M-R2)`)); continue; }
          const changed = new Set((rec.meta?.changes ?? []).map((x) => x.field));
          const custom = Object.keys(o.templates).filter((f) => changed.has(f)).map((f) => ({ template_id: ids.get(f)!, value: customValue(rec.data[f]) }));
          if (custom.length === 0) { writer.drop(unchanged(rec, 'NOTHING_TO_WRITE', 'none of the changed fields is written by this sink')); continue; }
          pending.push(writer.send(rec, 'update', async () => (await c.patchCrew(id, { custom_fields: custom })).id));
        }
        return writer.settle(pending);
      },
      async close() { writer.summary('sink.closed'); },
      async abort() { writer.summary('sink.aborted'); },
    };
  },
});
