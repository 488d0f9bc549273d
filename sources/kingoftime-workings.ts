/**
 * KING OF TIME attendance sources:
 * - `kingoftime.daily_workings`: a date range read as requests of at most `days_per_request` days
 *   (KOT allows 62: `start` and `end` together, start ≤ 3 years back, end ≤ 1 year ahead), one record
 *   per employee and day (the item of `dailyWorkings[]`, its `date` and `employeeKey`);
 * - `kingoftime.monthly_workings`: one record per employee for a month (`/monthly-workings/{yyyy-MM}`).
 * Requests go one at a time (KOT publishes no limit), each through the KOT profile: closed hours,
 * throttling and retries. An item without a string `employeeKey` is rejected `KOT_BAD_ITEM`.
 */
import { z } from 'zod';
import { defineComponent, Drop, type Rec, type Row, type Source } from '../engine/types.ts';
import { ConfigError } from '../engine/errors.ts';
import type { Clock } from '../connections/http/clock.ts';
import { kingoftimeConnectionShape } from '../connections/kingoftime/connection.ts';
import { readKotArray } from './kingoftime-lists.ts';

const DAY = 86_400_000;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const ms = (d: string): number => Date.parse(`${d}T00:00:00Z`);

/** `[from, to]` cut into consecutive inclusive spans of at most `days` days. */
export function splitRange(from: string, to: string, days: number): Array<[string, string]> {
  if (Number.isNaN(ms(from)) || Number.isNaN(ms(to))) throw new ConfigError(`daily workings: not a date range: ${from} … ${to}`);
  if (from > to) throw new ConfigError(`daily workings: start ${from} is after end ${to}`);
  const out: Array<[string, string]> = [];
  for (let t = ms(from); t <= ms(to); t += days * DAY) out.push([iso(t), iso(Math.min(ms(to), t + (days - 1) * DAY))]);
  return out;
}

const withEmployee = z.boolean().default(true).describe('Ask for `currentDateEmployee` (code, names, division as of the day): the employee code for the key.');

/** The attendance sources; `clock` for tests on virtual time. */
export function kingoftimeWorkingSources(clock?: Clock) {
  const daily = defineComponent({
    type: 'kingoftime.daily_workings',
    description: 'Read daily workings (日別データ) from KING OF TIME for a date range, in requests of at most 62 days.',
    schema: z.strictObject({
      type: z.literal('kingoftime.daily_workings'), ...kingoftimeConnectionShape,
      start: date.describe('First day (YYYY-MM-DD).'),
      end: date.describe('Last day (YYYY-MM-DD), inclusive.'),
      days_per_request: z.number().int().min(1).max(62).default(31).describe('Days per request (KOT allows at most 62; fewer days = smaller answers for large companies).'),
      division: z.string().min(1).optional().describe('Only this division code.'),
      current_employee: withEmployee,
    }).describe('Daily workings from the KING OF TIME API.'),
    create(o, ctx): Source {
      const spans = splitRange(o.start, o.end, o.days_per_request);
      return {
        async *read() {
          let records = 0;
          for (const [start, end] of spans) {
            const label = `GET /daily-workings ${start}…${end}`;
            const days = await readKotArray(o, ctx, 'kingoftime.daily_workings', {
              method: 'GET', path: '/daily-workings', label,
              query: { start, end, division: o.division, additionalFields: o.current_employee ? 'currentDateEmployee' : undefined },
            }, 'date', clock);
            for (const day of days) {
              if (day instanceof Drop) { yield [day]; continue; }
              const list = day.data.dailyWorkings;
              const at = `${label} ${String(day.data.date)}`;
              const batch: Array<Rec | Drop> = (Array.isArray(list) ? list : []).map((w, i) => {
                const origin = `${at} #${i + 1}`;
                if (w && typeof w === 'object' && typeof (w as Row).employeeKey === 'string') return { data: { ...(w as Row), date: (w as Row).date ?? day.data.date }, origin };
                return new Drop('rejected', 'KOT_BAD_ITEM', 'daily working is not an object with a string employeeKey', origin, w && typeof w === 'object' ? (w as Row) : JSON.stringify(w));
              });
              records += batch.length;
              if (batch.length) yield batch;
            }
          }
          ctx.logger.info({ requests: spans.length, records }, 'read complete');
        },
      };
    },
  });
  const monthly = defineComponent({
    type: 'kingoftime.monthly_workings',
    description: 'Read monthly workings (月別データ) from KING OF TIME (GET /monthly-workings/{yyyy-MM}).',
    schema: z.strictObject({
      type: z.literal('kingoftime.monthly_workings'), ...kingoftimeConnectionShape,
      month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM').describe('The month, YYYY-MM.'),
      division: z.string().min(1).optional().describe('Only this division code.'),
      current_employee: withEmployee,
    }).describe('Monthly workings from the KING OF TIME API.'),
    create(o, ctx): Source {
      return {
        async *read() {
          const items = await readKotArray(o, ctx, 'kingoftime.monthly_workings', {
            method: 'GET', path: `/monthly-workings/${o.month}`, label: `GET /monthly-workings/${o.month}`,
            query: { division: o.division, additionalFields: o.current_employee ? 'currentDateEmployee' : undefined },
          }, 'employeeKey', clock);
          for (let i = 0; i < items.length; i += 1000) yield items.slice(i, i + 1000);
        },
      };
    },
  });
  return { daily, monthly };
}

const real = kingoftimeWorkingSources();
export const kingoftimeDailyWorkingsSource = real.daily;
export const kingoftimeMonthlyWorkingsSource = real.monthly;
