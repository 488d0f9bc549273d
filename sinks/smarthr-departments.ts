/**
 * Sink `smarthr.departments`: creates and updates SmartHR departments (部署) by code (M-D2), as the diff
 * stage upstream decided (`new` → POST /v1/departments, `changed` → PATCH /v1/departments/{id}). A
 * record names its parent by code (`parent_field`); the sink turns it into SmartHR's `parent_id` from
 * the departments the target already has (read once at open) and those created earlier in this run.
 *
 * Ordering (M-D7): the `tree` stage emits parents before children, but with concurrent writes a child
 * could be sent while its parent's POST is still in flight, so each create is kept as a promise by code
 * and a child waits for its parent's outside the concurrency limit (a waiting child never holds a slot
 * its parent needs). A parent must come earlier in the stream than its children (no cycle can wait on
 * itself); a child whose parent could not be created is rejected `PARENT_FAILED`, one whose parent is
 * nowhere `PARENT_UNKNOWN`.
 *
 * Not transactional, like every REST sink: what was acknowledged stays written, and only acknowledged
 * writes are counted (G1). Failures per record: see rest-errors.ts.
 */
import { z } from 'zod';
import { defineComponent, Drop, reject, unchanged, type Rec, type Row, type Sink } from '../engine/types.ts';
import { smarthrConnectionShape } from '../connections/smarthr/connection.ts';
import { SmarthrClient } from '../connections/smarthr/smarthr-client.ts';
import type { Department, DepartmentWrite } from '../connections/smarthr/schemas.ts';
import { smarthrProfile } from '../connections/smarthr/profile.ts';
import { apiValue } from './rest-errors.ts';
import { RestWriter } from './rest-writer.ts';
import { writeConcurrency } from './smarthr-crews.ts';

const schema = z.strictObject({
  type: z.literal('smarthr.departments'),
  ...smarthrConnectionShape,
  concurrency: writeConcurrency,
  fields: z.array(z.enum(['name', 'code', 'position'])).min(1).default(['name', 'code'])
    .describe('Record fields sent to SmartHR (named as its department write fields). The record\'s `code` is its identity (M-D2).'),
  parent_field: z.string().min(1).default('parent_code')
    .describe('Record field holding the parent department\'s code; blank = top level. Sent as the parent\'s SmartHR id (`parent_id`).'),
}).describe('Create (POST) or update (PATCH) SmartHR departments by code, parents before children, as decided by a diff stage.');

const text = (v: unknown): string => (v == null ? '' : String(v).trim());

/** Fills code → id with the departments SmartHR has; returns how many codes were repeated. */
async function readKnown(c: SmarthrClient, known: Map<string, string>): Promise<number> {
  let repeated = 0;
  for await (const page of c.list<Department>('/v1/departments')) {
    for (const d of page) {
      const code = text(d.code);
      if (code === '') continue;
      if (known.has(code)) repeated++; else known.set(code, d.id);
    }
  }
  return repeated;
}

export const smarthrDepartmentsSink = defineComponent({
  type: 'smarthr.departments',
  description: 'Create or update SmartHR departments by code (POST / PATCH /v1/departments), parents first, with bounded concurrency.',
  schema,
  create(o, ctx): Sink {
    let client: SmarthrClient | undefined;
    const writer = new RestWriter(ctx, o.concurrency ?? ctx.options.concurrency, smarthrProfile);
    /** Department code → SmartHR id, for departments the target had at open. */
    const known = new Map<string, string>();
    /** Department code → its create in this run: the new id, or null when it was not created. */
    const created = new Map<string, Promise<string | null>>();

    const body = (d: Row, only?: Set<string>): Row => {
      const b: Row = {};
      for (const f of o.fields) if (!only || only.has(f)) b[f] = apiValue(d[f]);
      return b;
    };

    /** The parent's SmartHR id (null = top level), waiting for its create when it is in flight. */
    const parentOf = async (rec: Rec, key: string): Promise<string | null | Drop> => {
      const code = text(rec.data[o.parent_field]);
      if (code === '') return null;
      const pending = created.get(code);
      if (pending) {
        const id = await pending;
        return id ?? reject(rec, 'PARENT_FAILED', `${key}: parent department ${JSON.stringify(code)} could not be created, so this one is not either`, o.parent_field);
      }
      return known.get(code)
        ?? reject(rec, 'PARENT_UNKNOWN', `${key}: parent department ${JSON.stringify(code)} is neither in SmartHR nor earlier in the input (run the tree stage first)`, o.parent_field);
    };

    const create = async (c: SmarthrClient, rec: Rec, key: string): Promise<string | null> => {
      const parent = await parentOf(rec, key);
      if (parent instanceof Drop) { writer.drop(parent); return null; }
      const b = { ...body(rec.data), parent_id: parent } as DepartmentWrite;
      return (await writer.send(rec, 'create', async () => (await c.createDepartment(b)).id)) ?? null;
    };

    const update = async (c: SmarthrClient, rec: Rec, key: string, id: string): Promise<void> => {
      const changed = new Set((rec.meta?.changes ?? []).map((x) => x.field));
      const b: Row = body(rec.data, changed);
      if (changed.has(o.parent_field)) {
        const parent = await parentOf(rec, key);
        if (parent instanceof Drop) { writer.drop(parent); return; }
        b.parent_id = parent;
      }
      if (Object.keys(b).length === 0) { writer.drop(unchanged(rec, 'NOTHING_TO_WRITE', 'none of the changed fields is written by this sink')); return; }
      // The API's write body requires the name even on PATCH; sending the current one changes nothing.
      b.name ??= apiValue(rec.data.name);
      await writer.send(rec, 'update', async () => (await c.patchDepartment(id, b as DepartmentWrite)).id);
    };

    return {
      commits: 'per-record',
      rehearses: true,
      acknowledged: () => writer.acknowledged,
      async open() {
        client = new SmarthrClient(o, ctx, 'smarthr.departments');
        const repeated = await readKnown(client, known);
        ctx.logger.info({ departments: known.size, repeated_code: repeated }, 'target departments read');
      },
      async write(batch) {
        const c = client!;
        const pending: Array<Promise<unknown>> = [];
        for (const rec of batch) {
          const key = writer.keyText(rec);
          const code = text(rec.data.code);
          const target = writer.target(rec, key, known.get(code));
          if (target instanceof Drop || (target === null && code !== '' && (known.has(code) || created.has(code)))) {
            const d = target instanceof Drop ? target : reject(rec, 'TARGET_EXISTS', `${key}: department code ${JSON.stringify(code)} already exists in SmartHR or earlier in the input; not created twice`, 'code');
            writer.drop(d);
            if (target instanceof Drop && code !== '' && !created.has(code) && !known.has(code)) created.set(code, Promise.resolve(null));
            continue;
          }
          if (target === null) {
            const p = create(c, rec, key);
            if (code !== '') created.set(code, p);
            pending.push(p);
          } else {
            if (code !== '') known.set(code, target);
            pending.push(update(c, rec, key, target));
          }
        }
        return writer.settle(pending);
      },
      async close() { writer.summary('sink.closed'); },
      async abort() { writer.summary('sink.aborted'); },
    };
  },
});
