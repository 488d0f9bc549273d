/**
 * Sink `mikiwame.employees`: creates (`POST /v1/employees`) and updates (`PATCH /v1/employees/{id}`)
 * Mikiwame employees as a diff stage decided; nothing is ever deleted. An update sends only the
 * changed fields and never the email (M-E11: Mikiwame's email cannot be changed by a sync). With
 * `create: false` a new record is not created but rejected `NO_MATCH` (M-E6, employee-number mode;
 * the `match_policy` stage normally excludes those earlier, in the plan). The linkage is checked at
 * open (L2).
 */
import { z } from 'zod';
import { defineComponent, Drop, reject, type Rec, type Row, type Sink } from '../engine/types.ts';
import { mikiwameConnectionShape } from '../connections/mikiwame/connection.ts';
import { MikiwameClient } from '../connections/mikiwame/mikiwame-client.ts';
import { mikiwameProfile } from '../connections/mikiwame/profile.ts';
import { EMPLOYEE_FIELDS, type MikiwameEmployeeWrite } from '../connections/mikiwame/schemas.ts';
import { apiValue } from './rest-errors.ts';
import { RestWriter } from './rest-writer.ts';
import { ruleCodeOf } from './mikiwame-refusals.ts';
import { writeConcurrency } from './smarthr-crews.ts';

const schema = z.strictObject({
  type: z.literal('mikiwame.employees'),
  ...mikiwameConnectionShape,
  concurrency: writeConcurrency,
  fields: z.array(z.enum(EMPLOYEE_FIELDS)).min(1).default([...EMPLOYEE_FIELDS])
    .describe('Record fields sent, named as Mikiwame employee fields (a map stage renames, M-E1). `email` is sent on creation only (M-E11).'),
  create: z.boolean().default(true).describe('Create employees the target does not have (M-E6: true when matching by email, false by employee number → NO_MATCH).'),
}).describe('Create (POST) or update (PATCH, changed fields, never the email) Mikiwame employees, as decided by a diff stage.');

export const mikiwameEmployeesSink = defineComponent({
  type: 'mikiwame.employees',
  description: 'Create or update Mikiwame employees (POST / PATCH /v1/employees); never deletes, never changes an email.',
  schema,
  create(o, ctx): Sink {
    let client: MikiwameClient | undefined;
    const writer = new RestWriter(ctx, o.concurrency ?? ctx.options.concurrency, mikiwameProfile);
    const refusals = new Map<Row, string>();
    const coded = (rec: Rec, fn: () => Promise<unknown>) => async (): Promise<string | undefined> => {
      try { await fn(); } catch (e) { const r = ruleCodeOf(e); if (r) refusals.set(rec.data, r); throw e; }
      return undefined;
    };
    return {
      commits: 'per-record',
      rehearses: true,
      acknowledged: () => writer.acknowledged,
      async open() {
        client = new MikiwameClient(o, ctx, 'mikiwame.employees');
        await client.open('mikiwame.employees');
      },
      async write(batch) {
        const c = client!;
        const drops = await writer.createOrUpdate(batch, {
          create: (rec, key) => {
            if (!o.create) return reject(rec, 'NO_MATCH', `${key}: no Mikiwame employee matches, and employees are not created in this mode (M-E6)`);
            const body: Row = {};
            for (const f of o.fields) { const v = apiValue(rec.data[f]); if (v !== null) body[f] = v; }
            return coded(rec, () => c.createEmployee(body as MikiwameEmployeeWrite));
          },
          update: (rec, id) => {
            const changed = new Set((rec.meta?.changes ?? []).map((x) => x.field));
            const body: Row = {};
            for (const f of o.fields) if (f !== 'email' && changed.has(f)) body[f] = apiValue(rec.data[f]);
            return Object.keys(body).length === 0 ? null : coded(rec, () => c.patchEmployee(id, body as MikiwameEmployeeWrite));
          },
        });
        return drops.map((d) => {
          const rule = typeof d.data === 'object' ? refusals.get(d.data) : undefined;
          return rule ? new Drop(d.kind, rule, d.message, d.origin, d.data, d.field, d.stage) : d;
        });
      },
      async close() { writer.summary('sink.closed'); },
      async abort() { writer.summary('sink.aborted'); },
    };
  },
});
