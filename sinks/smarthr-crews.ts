/**
 * Sink `smarthr.crews`: creates and updates SmartHR employees (crews) through the REST API, record by
 * record, as the diff stage upstream decided: `new` → POST /v1/crews with `fields`, the custom fields
 * and the `on_create` constants (K7/K8: e.g. the office, set only on creation); `changed` → PATCH
 * /v1/crews/{meta.target.id} with only the fields that changed (never `on_create`). Unchanged records
 * never reach the sink, so a second run of the same input sends nothing (G4).
 *
 * Not transactional: REST writes cannot be rolled back. `write(batch)` resolves once every request of
 * the batch has been acknowledged or refused; what was acknowledged stays written even if the run
 * fails later, and the report counts only acknowledged writes (G1). `close` and `abort` have nothing
 * to commit or undo; they log the totals. Refusals and failures: see rest-errors.ts.
 */
import { z } from 'zod';
import { defineComponent, type Rec, type Row, type Sink } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { SmarthrClient } from '../connections/smarthr/smarthr-client.ts';
import type { CrewWrite } from '../connections/smarthr/schemas.ts';
import { smarthrProfile } from '../connections/smarthr/profile.ts';
import { apiValue, customValue } from './rest-errors.ts';
import { RestWriter } from './rest-writer.ts';

const constant = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const writeConcurrency = z.number().int().min(1).max(256).optional()
  .describe('Writes in flight at the same time (default: the pipeline\'s options.concurrency, 4); the connection\'s rate_limit still caps the requests per second.');

const schema = z.strictObject({
  type: z.literal('smarthr.crews'),
  ...smarthrConnectionShape,
  concurrency: writeConcurrency,
  fields: z.array(z.string().min(1)).min(1)
    .describe('Record fields sent to SmartHR, already named as SmartHR crew write fields (a map stage upstream renames), e.g. [emp_code, last_name, first_name, email].'),
  custom_fields: z.record(z.string().min(1), z.string().min(1)).default({})
    .describe('Record field → custom field template id, sent as `custom_fields: [{template_id, value}]`.'),
  on_create: z.record(z.string().min(1), constant).default({})
    .describe('Constant fields sent only when creating a crew, never on updates (K7/K8), e.g. {biz_establishment_id: "…", emp_status: employed}.'),
}).superRefine((o, ctx) => {
  const sent = new Set(o.fields);
  for (const k of Object.keys(o.on_create)) {
    if (sent.has(k)) ctx.addIssue({ code: 'custom', path: ['on_create', k], message: `"${k}" is also in fields: a field comes either from the record or from on_create` });
  }
  for (const k of Object.keys(o.custom_fields)) {
    if (sent.has(k)) ctx.addIssue({ code: 'custom', path: ['custom_fields', k], message: `"${k}" is also in fields: send it as a crew field or as a custom field, not both` });
  }
  o.fields.forEach((f, i) => {
    if (f === 'id' || f === 'custom_fields') ctx.addIssue({ code: 'custom', path: ['fields', i], message: `"${f}" cannot be sent as a field` });
  });
}).describe('Create (POST) or update (PATCH, changed fields only) SmartHR crews, as decided by a diff stage.');

export type SmarthrCrewsSinkOptions = z.infer<typeof schema>;

/** POST body: every listed field the record has a value for, its custom fields, then on_create. */
export function createBody(o: Pick<SmarthrCrewsSinkOptions, 'fields' | 'custom_fields' | 'on_create'>, d: Row): CrewWrite {
  const body: Row = {};
  for (const f of o.fields) {
    const v = apiValue(d[f]);
    if (v !== null) body[f] = v;
  }
  const custom = Object.entries(o.custom_fields)
    .filter(([f]) => customValue(d[f]) !== null)
    .map(([f, template_id]) => ({ template_id, value: customValue(d[f]) }));
  if (custom.length) body.custom_fields = custom;
  return { ...body, ...o.on_create } as CrewWrite;
}

/** PATCH body: only the changed fields this sink writes; null when none of them changed. */
export function patchBody(o: Pick<SmarthrCrewsSinkOptions, 'fields' | 'custom_fields'>, rec: Rec): CrewWrite | null {
  const changed = new Set((rec.meta?.changes ?? []).map((c) => c.field));
  const body: Row = {};
  for (const f of o.fields) if (changed.has(f)) body[f] = apiValue(rec.data[f]);
  const custom = Object.entries(o.custom_fields)
    .filter(([f]) => changed.has(f))
    .map(([f, template_id]) => ({ template_id, value: customValue(rec.data[f]) }));
  if (custom.length) body.custom_fields = custom;
  return Object.keys(body).length ? (body as CrewWrite) : null;
}

export const smarthrCrewsSink = defineComponent({
  type: 'smarthr.crews',
  description: 'Create or update SmartHR crews (POST / PATCH /v1/crews) by the diff stage\'s status, with bounded concurrency.',
  schema,
  create(o, ctx): Sink {
    let client: SmarthrClient | undefined;
    const writer = new RestWriter(ctx, o.concurrency ?? ctx.options.concurrency, smarthrProfile);
    return {
      commits: 'per-record',
      rehearses: true,
      acknowledged: () => writer.acknowledged,
      async open() {
        client = new SmarthrClient(o, ctx, 'smarthr.crews');
      },
      async write(batch) {
        const c = client!;
        return writer.createOrUpdate(batch, {
          create: (rec) => async () => (await c.createCrew(createBody(o, rec.data))).id,
          update: (rec, id) => {
            const body = patchBody(o, rec);
            return body && (async () => (await c.patchCrew(id, body)).id);
          },
        });
      },
      async close() { writer.summary('sink.closed'); },
      async abort() { writer.summary('sink.aborted'); },
    };
  },
});
