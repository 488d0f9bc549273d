/**
 * Sink `kingoftime.employees`: creates and updates KING OF TIME employees, record by record, as the
 * diff stage upstream decided — never deletes:
 * - `new` → POST /employees with `fields` and the `on_create` constants (K7/K8: the division 所属 and
 *   the employee type 雇用区分 every new employee of this apply gets; KOT requires both);
 * - `changed` → PUT /employees/{meta.target.key} with only the changed fields (a cleared value is
 *   sent as `''`, which KOT reads as "set to null"); `on_create` is never sent on an update.
 * `emailAddresses` given as text (one address, as SmartHR has it) is sent as a one-item array.
 * Writes are acknowledged per record (G1); refusals and failures: rest-errors.ts. Closed hours are
 * the client's: with `closed_hours: fail` the run stops before sending anything in a window (K9).
 */
import { z } from 'zod';
import { defineComponent, type Rec, type Row, type Sink } from '../engine/types.ts';
import type { Clock } from '../connections/http/clock.ts';
import { kingoftimeConnectionShape } from '../connections/kingoftime/connection.ts';
import { KingoftimeClient } from '../connections/kingoftime/client.ts';
import { kingoftimeProfile } from '../connections/kingoftime/profile.ts';
import { apiValue } from './rest-errors.ts';
import { RestWriter } from './rest-writer.ts';

const WRITABLE = ['code', 'lastName', 'firstName', 'lastNamePhonetics', 'firstNamePhonetics', 'gender', 'birthDate', 'hiredDate', 'resignationDate', 'emailAddresses', 'divisionCode', 'typeCode', 'allDayRegardingWorkInMinute'] as const;

const schema = z.strictObject({
  type: z.literal('kingoftime.employees'),
  ...kingoftimeConnectionShape,
  concurrency: z.number().int().min(1).max(16).default(1).describe('Writes in flight at the same time (KOT publishes no limit: one at a time by default).'),
  fields: z.array(z.enum(WRITABLE)).min(1)
    .describe('Record fields sent to KING OF TIME, already named as KOT employee properties (a map stage upstream renames), e.g. [code, lastName, firstName, gender, birthDate, hiredDate, resignationDate, emailAddresses].'),
  on_create: z.strictObject({
    divisionCode: z.string().min(1).describe('Division code (所属) of every new employee.'),
    typeCode: z.string().min(1).describe('Employee type code (雇用区分) of every new employee.'),
  }).describe('Constants sent only when creating an employee, never on updates (K7/K8). KOT requires both.'),
}).superRefine((o, ctx) => {
  for (const k of Object.keys(o.on_create)) {
    if ((o.fields as string[]).includes(k)) ctx.addIssue({ code: 'custom', path: ['on_create', k], message: `"${k}" is also in fields: a field comes either from the record or from on_create` });
  }
}).describe('Create (POST) or update (PUT by key, changed fields only) KING OF TIME employees, as decided by a diff stage. Never deletes.');

export type KingoftimeEmployeesSinkOptions = z.infer<typeof schema>;

/** A record value as KOT takes it: blank → null, one email address → a one-item array. */
function kotValue(field: string, v: unknown): unknown {
  const a = apiValue(v);
  if (field === 'emailAddresses' && typeof a === 'string') return [a];
  return a;
}

/** POST body: every listed field with a value, then on_create. */
export function kotCreateBody(o: Pick<KingoftimeEmployeesSinkOptions, 'fields' | 'on_create'>, d: Row): Row {
  const body: Row = {};
  for (const f of o.fields) {
    const v = kotValue(f, d[f]);
    if (v !== null) body[f] = v;
  }
  return { ...body, ...o.on_create };
}

/** PUT body: only the changed fields this sink writes (cleared ones as ''); null when none changed. */
export function kotUpdateBody(o: Pick<KingoftimeEmployeesSinkOptions, 'fields'>, rec: Rec): Row | null {
  const changed = new Set((rec.meta?.changes ?? []).map((c) => c.field));
  const body: Row = {};
  for (const f of o.fields) if (changed.has(f)) body[f] = kotValue(f, rec.data[f]) ?? '';
  return Object.keys(body).length ? body : null;
}

/** The sink component; `clock` for tests on virtual time. */
export function kingoftimeEmployeesSinkWith(clock?: Clock) {
  return defineComponent({
    type: 'kingoftime.employees',
    description: 'Create or update KING OF TIME employees (POST /employees, PUT /employees/{key}) by the diff stage\'s status; never delete.',
    schema,
    create(o, ctx): Sink {
      let client: KingoftimeClient | undefined;
      const writer = new RestWriter(ctx, o.concurrency, kingoftimeProfile);
      return {
        commits: 'per-record',
      rehearses: true,
        acknowledged: () => writer.acknowledged,
        async open() {
          client = new KingoftimeClient(o, ctx, 'kingoftime.employees', 'SINK_HTTP', clock);
        },
        async write(batch) {
          const c = client!;
          return writer.createOrUpdate(batch, {
            create: (rec) => async () => (await c.createEmployee(kotCreateBody(o, rec.data))).key,
            update: (rec, id) => {
              const body = kotUpdateBody(o, rec);
              return body && (async () => (await c.updateEmployee(id, body)).key);
            },
          });
        },
        async close() { client?.close(); writer.summary('sink.closed'); },
        async abort() { client?.close(); writer.summary('sink.aborted'); },
      };
    },
  });
}

export const kingoftimeEmployeesSink = kingoftimeEmployeesSinkWith();
