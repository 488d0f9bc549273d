/**
 * A KING OF TIME company consistent with the SmartHR sandbox tenant of the same seed
 * (`generateTenant({employees, seed})`): the same people under the same employee numbers (SmartHR
 * `emp_code` = KOT `code`), with deliberate differences on each side so every sync status appears:
 * - about 4% of SmartHR's people are missing here (new toward KOT);
 * - about 6% differ in one compared field (last name, email, hire date or resignation date);
 * - about 3% more people exist only here (new toward SmartHR), their hire and resignation dates set
 *   around `around` (default today in Tokyo): hired on it, hired the day after, resigned the day
 *   before, resigned on it, or plainly employed.
 * Everything is drawn from the seed: the same options give the same company.
 */
import crypto from 'node:crypto';
import { generateTenant } from '../generate/tenant.ts';
import { createRng } from '../generate/prng.ts';
import { FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES } from '../generate/names.ts';
import type { KotEdition } from './editions.ts';
import type { KotDivision, KotState, KotStoredEmployee, KotWorkingType } from './state.ts';

export interface KotCompanyOptions {
  /** Employees of the SmartHR tenant it mirrors. */
  employees: number;
  seed?: string | number;
  edition?: KotEdition;
  /** The date the KOT-only hires and resignations sit around (YYYY-MM-DD). */
  around?: string;
}

export const KOT_DIVISIONS: KotDivision[] = [
  { code: '1000', name: '本社', dayBorderTime: '05:00' },
  { code: '2000', name: '東京支店', dayBorderTime: '05:00' },
  { code: '3000', name: '大阪支店', dayBorderTime: '05:00' },
  { code: '4000', name: '名古屋営業所', dayBorderTime: '04:00' },
];
export const KOT_WORKING_TYPES: KotWorkingType[] = [
  { code: '1', name: '正社員' }, { code: '2', name: '契約社員' }, { code: '3', name: 'パート・アルバイト' },
];

/** A 64-hex employee key (KOT's 従業員識別キー), stable for a seed and a serial. */
export function employeeKey(seed: string | number, serial: string): string {
  return crypto.createHash('sha256').update(`kot:${seed}:${serial}`).digest('hex');
}

const pad = (n: number, w = 6): string => String(n).padStart(w, '0');
const addDays = (iso: string, days: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const tokyoToday = (): string => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

export function generateKotCompany(o: KotCompanyOptions): KotState {
  const seed = o.seed ?? 1;
  const tenant = generateTenant({ employees: o.employees, seed });
  const rng = createRng(`kingoftime:${seed}`);
  const around = o.around ?? tokyoToday();
  const employees: KotStoredEmployee[] = [];
  const without = <T extends object>(v: T): T => Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== undefined)) as T;
  for (const c of tenant.crews) {
    const roll = rng.next();
    const division = rng.pick(KOT_DIVISIONS).code;
    const type = rng.next() < 0.75 ? '1' : rng.pick(KOT_WORKING_TYPES).code;
    if (typeof c.emp_code !== 'string' || roll < 0.04) continue;
    const e: KotStoredEmployee = without({
      key: employeeKey(seed, c.emp_code),
      code: c.emp_code,
      lastName: String(c.last_name), firstName: String(c.first_name),
      lastNamePhonetics: (c.last_name_yomi as string | null) ?? undefined, firstNamePhonetics: (c.first_name_yomi as string | null) ?? undefined,
      divisionCode: division, typeCode: type,
      gender: c.gender === 'female' ? 'female' : 'male',
      birthDate: (c.birth_at as string | null) ?? undefined, hiredDate: (c.entered_at as string | null) ?? undefined,
      resignationDate: (c.resigned_at as string | null) ?? undefined,
      emailAddresses: typeof c.email === 'string' ? [c.email] : undefined,
      allDayRegardingWorkInMinute: type === '3' ? 360 : 480,
    });
    if (roll < 0.10) {
      const which = rng.int(0, 3);
      if (which === 0) e.lastName = rng.pick(LAST_NAMES)[0] === e.lastName ? `${e.lastName}田` : rng.pick(LAST_NAMES)[0];
      else if (which === 1) e.emailAddresses = [`kot.${c.emp_code}@example.co.jp`];
      else if (which === 2 && e.hiredDate) e.hiredDate = addDays(e.hiredDate, 1);
      else e.resignationDate = e.resignationDate ? undefined : addDays(around, 30);
    }
    employees.push(e);
  }
  const extra = Math.max(5, Math.ceil(o.employees * 0.03));
  const offsets: Array<[number | null, number | null]> = [[0, null], [1, null], [-400, -1], [-400, 0], [-700, null]];
  for (let j = 0; j < extra; j++) {
    const code = pad(o.employees + j + 1);
    const gender = rng.chance(0.5) ? 'male' : 'female';
    const [last, lastYomi] = rng.pick(LAST_NAMES);
    const [first, firstYomi] = rng.pick(gender === 'male' ? FIRST_NAMES_MALE : FIRST_NAMES_FEMALE);
    const [hired, resigned] = offsets[j % offsets.length];
    employees.push(without({
      key: employeeKey(seed, code), code, lastName: last, firstName: first, lastNamePhonetics: lastYomi, firstNamePhonetics: firstYomi,
      divisionCode: rng.pick(KOT_DIVISIONS).code, typeCode: '1', gender,
      birthDate: `${rng.int(1965, 2002)}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`,
      hiredDate: addDays(around, hired ?? 0), resignationDate: resigned === null ? undefined : addDays(around, resigned),
      emailAddresses: [`kot-only.${code}@example.co.jp`], allDayRegardingWorkInMinute: 480,
    }));
  }
  return { edition: o.edition ?? 'kingoftime', employees, divisions: KOT_DIVISIONS.map((d) => ({ ...d })), workingTypes: KOT_WORKING_TYPES.map((t) => ({ ...t })) };
}
