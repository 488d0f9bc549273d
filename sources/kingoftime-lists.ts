/**
 * KING OF TIME's list sources: employees (as of a date), divisions (所属) and working types (雇用区分).
 * KOT lists are not paged — one request answers the whole list — and every request goes through the
 * KOT profile: closed hours waited out (or failed, `closed_hours: fail`), 429 / code 303 backed off,
 * the conservative rate limit. An item without its string identity (`key` for employees, `code` for
 * masters) becomes a rejected Drop `KOT_BAD_ITEM`.
 *
 * `kingoftimeSources(clock)` builds the components with a test's virtual clock; the registry uses the
 * real one. The attendance sources live in kingoftime-workings.ts.
 */
import { z } from 'zod';
import { defineComponent, Drop, type Ctx, type Rec, type Row, type Source } from '../engine/types.ts';
import type { Clock } from '../connections/http/clock.ts';
import type { HttpRequest } from '../connections/http/client.ts';
import { kingoftimeConnectionShape, kingoftimeHttp, type KingoftimeConnection } from '../connections/kingoftime/connection.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** Extra employee properties KOT sends only when asked (`additionalFields`). */
export const EMPLOYEE_ADDITIONAL_FIELDS = ['lastNamePhonetics', 'firstNamePhonetics', 'birthDate', 'hiredDate', 'resignationDate', 'emailAddresses', 'allDayRegardingWorkInMinute'] as const;

/** One GET answered by an array; each item one record (or a KOT_BAD_ITEM Drop without its identity). */
export async function readKotArray(o: KingoftimeConnection, ctx: Ctx, stage: string, req: HttpRequest, identity: string, clock?: Clock): Promise<Array<Rec | Drop>> {
  const client = kingoftimeHttp(o, ctx, stage, 'SOURCE_HTTP', clock);
  try {
    const res = await client.request<unknown>(req);
    const at = req.label ?? `GET ${req.path}`;
    if (!Array.isArray(res.data)) return [new Drop('rejected', 'KOT_BAD_ITEM', `${at}: expected a JSON array`, at, JSON.stringify(res.data).slice(0, 200))];
    return res.data.map((item, i) => {
      const origin = `${at} #${i + 1}`;
      if (item && typeof item === 'object' && !Array.isArray(item) && typeof (item as Row)[identity] === 'string') return { data: item as Row, origin };
      return new Drop('rejected', 'KOT_BAD_ITEM', `list item is not an object with a string ${identity}`, origin, item && typeof item === 'object' ? (item as Row) : JSON.stringify(item));
    });
  } finally { client.close(); }
}

const BATCH = 1000;
function* batches<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}

function listSource(o: KingoftimeConnection, ctx: Ctx, stage: string, req: HttpRequest, identity: string, clock?: Clock): Source {
  return {
    async *read() {
      const items = await readKotArray(o, ctx, stage, req, identity, clock);
      (ctx.logger.bindings().stage === undefined ? ctx.logger.child({ stage }) : ctx.logger).info({ path: req.path, records: items.length }, 'read complete');
      yield* batches(items);
    },
  };
}

const employeeOptions = {
  date: date.optional().describe('As-of date of the employee data (KOT `date`: division and type as of that day); default today. KOT accepts 3 years back to 1 year ahead.'),
  division: z.string().min(1).optional().describe('Only employees of this division code (所属).'),
  include_resigner: z.boolean().default(false).describe('Also list employees resigned before the date (`includeResigner`). A sync filtering on a reference date itself sets it true.'),
  additional_fields: z.array(z.enum(EMPLOYEE_ADDITIONAL_FIELDS)).default([...EMPLOYEE_ADDITIONAL_FIELDS.slice(0, 6)])
    .describe('Optional properties to ask for (`additionalFields`): phonetics, dates, email addresses. List only what the pipeline uses (G6).'),
};

/** The KING OF TIME list sources; `clock` for tests on virtual time. */
export function kingoftimeSources(clock?: Clock) {
  const employees = defineComponent({
    type: 'kingoftime.employees',
    description: 'Read employees (従業員) from KING OF TIME (GET /employees, unpaged).',
    schema: z.strictObject({ type: z.literal('kingoftime.employees'), ...kingoftimeConnectionShape, ...employeeOptions }).describe('Employees from the KING OF TIME API.'),
    create(o, ctx): Source {
      const query = { date: o.date, division: o.division, includeResigner: o.include_resigner || undefined, additionalFields: o.additional_fields.join(',') || undefined };
      return listSource(o, ctx, 'kingoftime.employees', { method: 'GET', path: '/employees', query, label: 'GET /employees' }, 'key', clock);
    },
  });
  const master = <T extends string>(type: T, path: string, what: string) => defineComponent({
    type,
    description: `Read ${what} from KING OF TIME (GET ${path}).`,
    schema: z.strictObject({ type: z.literal(type), ...kingoftimeConnectionShape }).describe(`${what} from the KING OF TIME API.`),
    create(o, ctx): Source {
      return listSource(o as KingoftimeConnection, ctx, type, { method: 'GET', path, label: `GET ${path}` }, 'code', clock);
    },
  });
  return {
    employees,
    divisions: master('kingoftime.divisions', '/divisions', 'Divisions (所属)'),
    workingTypes: master('kingoftime.working_types', '/working-types', 'Working types (雇用区分)'),
  };
}

const real = kingoftimeSources();
export const kingoftimeEmployeesSource = real.employees;
export const kingoftimeDivisionsSource = real.divisions;
export const kingoftimeWorkingTypesSource = real.workingTypes;
