/**
 * The KING OF TIME sandbox's endpoints: employees (list as of a date, one by code, create, update and
 * delete by key), divisions, working types, daily workings (start/end together, at most 62 days,
 * start ≤ 3 years back, end ≤ 1 year ahead) and monthly workings. Answers in KOT's shapes; refusals
 * as `{"errors":[{"message","code"}]}` (KotError).
 */
import crypto from 'node:crypto';
import type { Reply } from '../shared/kit.ts';
import { ADDITIONAL_FIELDS, type KotState, type KotStoredEmployee } from './state.ts';
import { dailyWorkings, monthlyWorkings } from './workings.ts';

/** A refusal in KOT's error shape. */
export class KotError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) { super(message); }
}

export const kotErrorBody = (code: number | string, message: string): string => JSON.stringify({ errors: [{ message, code }] });
const json = (status: number, v: unknown): Reply => ({ status, body: JSON.stringify(v) });

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY = 86_400_000;
const dayNo = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY;
const shiftYears = (iso: string, years: number): string => `${Number(iso.slice(0, 4)) + years}${iso.slice(4)}`.replace(/-02-29$/, '-02-28');

function isDate(v: string): boolean {
  return DATE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;
}

/** A date query parameter, within 3 years back … 1 year ahead of `today`. */
function dateParam(name: string, v: string | null, today: string): string | undefined {
  if (v === null) return undefined;
  if (!isDate(v)) throw new KotError(400, 100, `${name}: 日付の形式が正しくありません (YYYY-MM-DD): ${v}`);
  if (v < shiftYears(today, -3)) throw new KotError(400, 100, `${name}: 3年以上前の日付は指定できません: ${v}`);
  if (v > shiftYears(today, 1)) throw new KotError(400, 100, `${name}: 1年以上先の日付は指定できません: ${v}`);
  return v;
}

export interface Env { state: KotState; seed: string | number; today: () => string; keySerial: () => string }

function render(s: KotState, e: KotStoredEmployee, extra: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    divisionCode: e.divisionCode, divisionName: s.divisions.find((d) => d.code === e.divisionCode)?.name ?? '',
    gender: e.gender, typeCode: e.typeCode, typeName: s.workingTypes.find((t) => t.code === e.typeCode)?.name ?? '',
    code: e.code, lastName: e.lastName, firstName: e.firstName, key: e.key, employeeGroups: [],
  };
  for (const f of ADDITIONAL_FIELDS) if (extra.has(f) && e[f] !== undefined) out[f] = e[f];
  return out;
}

const WRITABLE = ['code', 'lastName', 'firstName', 'lastNamePhonetics', 'firstNamePhonetics', 'divisionCode', 'typeCode', 'gender', 'birthDate', 'hiredDate', 'resignationDate', 'emailAddresses', 'allDayRegardingWorkInMinute'] as const;

/** Applies a write body to an employee: supplied keys only; `''` clears an optional one. */
function applyBody(s: KotState, e: Partial<KotStoredEmployee>, body: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(body)) {
    if (!(WRITABLE as readonly string[]).includes(k)) throw new KotError(400, 110, `${k}: 更新できない項目です`);
    const rec = e as Record<string, unknown>;
    if (v === '' || v === null) { delete rec[k]; continue; }
    if (k === 'emailAddresses') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new KotError(400, 111, 'emailAddresses: 文字列の配列を指定してください');
    } else if (k === 'allDayRegardingWorkInMinute') {
      if (!Number.isInteger(v)) throw new KotError(400, 111, `${k}: 整数を指定してください`);
    } else if (typeof v !== 'string') throw new KotError(400, 111, `${k}: 文字列を指定してください`);
    if (['birthDate', 'hiredDate', 'resignationDate'].includes(k) && !isDate(v as string)) throw new KotError(400, 111, `${k}: 日付の形式が正しくありません`);
    if (k === 'gender' && !['male', 'female', 'no_selected'].includes(v as string)) throw new KotError(400, 111, 'gender: male / female を指定してください');
    if (k === 'divisionCode' && !s.divisions.some((d) => d.code === v)) throw new KotError(400, 112, `divisionCode: 存在しない所属です: ${String(v)}`);
    if (k === 'typeCode' && !s.workingTypes.some((t) => t.code === v)) throw new KotError(400, 112, `typeCode: 存在しない雇用区分です: ${String(v)}`);
    rec[k] = v;
  }
}

/** Answers one request, or null when no route matches. `path` is below the edition's base path. */
export function route(env: Env, method: string, path: string, q: URLSearchParams, body: Record<string, unknown>): Reply | null {
  const s = env.state;
  const today = env.today();
  if (method === 'GET' && path === '/employees') {
    const date = dateParam('date', q.get('date'), today) ?? today;
    const resigners = q.get('includeResigner') === 'true';
    const division = q.get('division');
    const extra = new Set((q.get('additionalFields') ?? '').split(',').filter(Boolean));
    const list = s.employees.filter((e) => (resigners || e.resignationDate === undefined || e.resignationDate >= date) && (!division || e.divisionCode === division));
    return json(200, list.map((e) => render(s, e, extra)));
  }
  const one = /^\/employees\/([^/]+)$/.exec(path);
  if (one) {
    const id = decodeURIComponent(one[1]);
    if (method === 'GET') {
      const e = s.employees.find((x) => x.code === id);
      if (!e) throw new KotError(404, 200, `従業員が見つかりません: ${id}`);
      return json(200, render(s, e, new Set((q.get('additionalFields') ?? '').split(','))));
    }
    const i = s.employees.findIndex((x) => x.key === id);
    if (i < 0) throw new KotError(404, 200, `従業員が見つかりません (key): ${id}`);
    if (method === 'DELETE') { s.employees.splice(i, 1); return { status: 204, body: '' }; }
    if (method === 'PUT') {
      if (q.get('updateDate') !== null) dateParam('updateDate', q.get('updateDate'), today);
      const copy = { ...s.employees[i] };
      applyBody(s, copy, body);
      if (copy.code !== s.employees[i].code && s.employees.some((x) => x.code === copy.code)) throw new KotError(400, 113, `code: 既に使われている従業員コードです: ${copy.code}`);
      for (const f of ['code', 'lastName', 'firstName', 'divisionCode', 'typeCode', 'gender'] as const) if (copy[f] === undefined) throw new KotError(400, 111, `${f}: 空にできません`);
      s.employees[i] = copy;
      return json(200, render(s, copy, new Set(ADDITIONAL_FIELDS)));
    }
  }
  if (method === 'POST' && path === '/employees') {
    const e: Partial<KotStoredEmployee> = {};
    applyBody(s, e, body);
    for (const f of ['divisionCode', 'gender', 'typeCode', 'code', 'lastName', 'firstName'] as const) if (e[f] === undefined) throw new KotError(400, 111, `${f}: 必須項目です`);
    if (s.employees.some((x) => x.code === e.code)) throw new KotError(400, 113, `code: 既に使われている従業員コードです: ${e.code}`);
    const created = { ...e, key: crypto.createHash('sha256').update(`kot:${env.seed}:new:${env.keySerial()}`).digest('hex') } as KotStoredEmployee;
    s.employees.push(created);
    return json(201, render(s, created, new Set(ADDITIONAL_FIELDS)));
  }
  if (method !== 'GET') return null;
  if (path === '/divisions') return json(200, s.divisions);
  if (path === '/working-types') return json(200, s.workingTypes);
  if (path === '/daily-workings') {
    const start = dateParam('start', q.get('start'), today), end = dateParam('end', q.get('end'), today);
    if ((start === undefined) !== (end === undefined)) throw new KotError(400, 101, 'start と end は同時に指定してください');
    const from = start ?? today, to = end ?? today;
    if (from > to) throw new KotError(400, 101, `start が end より後です: ${from} > ${to}`);
    if (dayNo(to) - dayNo(from) > 62) throw new KotError(400, 102, `start と end の期間は62日以内で指定してください: ${from} … ${to}`);
    const dates: string[] = [];
    for (let d = dayNo(from); d <= dayNo(to); d++) dates.push(new Date(d * DAY).toISOString().slice(0, 10));
    const fields = (q.get('additionalFields') ?? '').split(',');
    return { status: 200, body: dailyWorkings(s, env.seed, dates, { division: q.get('division') ?? undefined, withEmployee: fields.includes('currentDateEmployee') }) };
  }
  const month = /^\/monthly-workings\/(\d{4}-\d{2})$/.exec(path);
  if (month) {
    dateParam('month', `${month[1]}-01`, today);
    const fields = (q.get('additionalFields') ?? '').split(',');
    return json(200, monthlyWorkings(s, env.seed, month[1], { division: q.get('division') ?? undefined, withEmployee: fields.includes('currentDateEmployee') }));
  }
  return null;
}

