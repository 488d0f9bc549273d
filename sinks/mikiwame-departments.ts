/**
 * Sink `mikiwame.departments`: upserts Mikiwame departments by code (`PUT /v1/departments/{code}`, M-D1,
 * M-D2) for the records a diff stage marked new or changed; nothing is ever deleted. A record names its
 * parent by code; a child waits for its parent's write in this run (parents first, M-D7), and one whose
 * parent could not be written is rejected `PARENT_FAILED`. The API's refusals keep their rule codes:
 * `department_name_conflict` → `DEPT_NAME_CONFLICT` (M-D5), `department_too_deep` → `DEPT_TOO_DEEP` (M-D4).
 * The linkage is checked at open (L2): an expired one fails the run before any write.
 */
import { z } from 'zod';
import { defineComponent, Drop, reject, type Rec, type Sink } from '../engine/types.ts';
import { mikiwameConnectionShape } from '../connections/mikiwame/connection.ts';
import { MikiwameClient } from '../connections/mikiwame/mikiwame-client.ts';
import { mikiwameDepartmentsProfile } from '../connections/mikiwame/profile.ts';
import { RestWriter } from './rest-writer.ts';
import { ruleCodeOf } from './mikiwame-refusals.ts';
import { writeConcurrency } from './smarthr-crews.ts';

const schema = z.strictObject({
  type: z.literal('mikiwame.departments'),
  ...mikiwameConnectionShape,
  concurrency: writeConcurrency,
  parent_field: z.string().min(1).default('parent_code').describe('Record field holding the parent department\'s code; blank = top level.'),
}).describe('Upsert Mikiwame departments by code (PUT /v1/departments/{code}), parents first, as decided by a diff stage.');

const text = (v: unknown): string => (v == null ? '' : String(v).trim());

export const mikiwameDepartmentsSink = defineComponent({
  type: 'mikiwame.departments',
  description: 'Upsert Mikiwame departments by code (PUT /v1/departments/{code}); never deletes.',
  schema,
  create(o, ctx): Sink {
    let client: MikiwameClient | undefined;
    const writer = new RestWriter(ctx, o.concurrency ?? ctx.options.concurrency, mikiwameDepartmentsProfile);
    const pending = new Map<string, Promise<boolean>>();
    const refusals = new Map<Row, string>();
    type Row = Rec['data'];

    const put = async (c: MikiwameClient, rec: Rec, key: string, code: string, op: 'create' | 'update'): Promise<boolean> => {
      const parent = text(rec.data[o.parent_field]);
      const before = parent ? pending.get(parent) : undefined;
      if (before && !(await before)) {
        writer.drop(reject(rec, 'PARENT_FAILED', `${key}: parent department ${JSON.stringify(parent)} could not be written, so this one is not either`, o.parent_field));
        return false;
      }
      const done = await writer.send(rec, op, async () => {
        try {
          await c.putDepartment(code, { name: text(rec.data.name), parent_code: parent || null });
        } catch (e) {
          const rule = ruleCodeOf(e);
          if (rule) refusals.set(rec.data, rule);
          throw e;
        }
        return code;
      });
      return done !== null;
    };

    return {
      commits: 'per-record',
      rehearses: true,
      acknowledged: () => writer.acknowledged,
      async open() {
        client = new MikiwameClient(o, ctx, 'mikiwame.departments', 'SINK_HTTP', mikiwameDepartmentsProfile);
        await client.open('mikiwame.departments');
      },
      async write(batch) {
        const c = client!;
        const all: Array<Promise<unknown>> = [];
        for (const rec of batch) {
          const key = writer.keyText(rec);
          const code = text(rec.data.code);
          const target = writer.target(rec, key, code);
          if (target instanceof Drop) { writer.drop(target); continue; }
          const p = put(c, rec, key, code, target === null ? 'create' : 'update');
          pending.set(code, p);
          all.push(p);
        }
        const drops = await writer.settle(all);
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
