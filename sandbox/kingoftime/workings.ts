/**
 * Attendance the sandbox answers with, computed on the fly from (seed, employee key, date) so that
 * 10,000 employees × 31 days need no storage and the same request always gets the same answer:
 * weekdays worked with overtime, late nights, lateness and paid leave sprinkled in; weekends as
 * holidays; a custom daily item (交通費 days). Monthly workings are the sums of the month's days.
 */
import { createRng } from '../generate/prng.ts';
import { employedOn, type KotState, type KotStoredEmployee } from './state.ts';

const HOLIDAYS = [{ code: '1', name: '有休' }, { code: '2', name: '代休' }];

function daily(seed: string | number, e: KotStoredEmployee, date: string, division: string): Record<string, unknown> {
  const rng = createRng(`work:${seed}:${e.key}:${date}`);
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  const base = { date, employeeKey: e.key, workPlaceDivisionCode: e.divisionCode, workPlaceDivisionName: division, isClosing: false, isHelp: false, isError: false };
  if (dow === 0 || dow === 6) {
    return { ...base, workdayTypeName: dow === 0 ? '法定休日' : '所定休日', assigned: 0, unassigned: 0, overtime: 0, lateNight: 0, lateNightUnassigned: 0, lateNightOvertime: 0, breakTime: 0, late: 0, earlyLeave: 0, totalWork: 0, discretionaryVacation: 0, holidaysObtained: { halfdayHolidays: [], hourHolidays: [] }, customDailyWorkings: [] };
  }
  if (rng.chance(0.04)) {
    return { ...base, workdayTypeName: '平日', assigned: 0, unassigned: 0, overtime: 0, lateNight: 0, lateNightUnassigned: 0, lateNightOvertime: 0, breakTime: 0, late: 0, earlyLeave: 0, totalWork: 0, discretionaryVacation: 0, holidaysObtained: { fulltimeHoliday: rng.pick(HOLIDAYS), halfdayHolidays: [], hourHolidays: [] }, customDailyWorkings: [] };
  }
  const contract = e.allDayRegardingWorkInMinute ?? 480;
  const late = rng.chance(0.05) ? rng.int(1, 45) : 0;
  const overtime = rng.chance(0.4) ? rng.int(10, 180) : 0;
  const lateNight = overtime > 150 ? rng.int(0, 60) : 0;
  const assigned = contract - late;
  return {
    ...base, workdayTypeName: '平日', assigned, unassigned: 0, overtime, lateNight, lateNightUnassigned: 0, lateNightOvertime: lateNight,
    breakTime: 60, late, earlyLeave: 0, totalWork: assigned + overtime, discretionaryVacation: 0,
    holidaysObtained: { halfdayHolidays: [], hourHolidays: [] },
    autoBreakOff: 1,
    customDailyWorkings: [{ code: 'C01', name: '交通費日数', calculationUnitCode: 1, calculationResult: 1 }],
    isError: rng.chance(0.01),
  };
}

function currentEmployee(s: KotState, e: KotStoredEmployee): Record<string, unknown> {
  return {
    divisionCode: e.divisionCode, divisionName: s.divisions.find((d) => d.code === e.divisionCode)?.name, gender: e.gender,
    typeCode: e.typeCode, typeName: s.workingTypes.find((t) => t.code === e.typeCode)?.name, code: e.code,
    lastName: e.lastName, firstName: e.firstName, lastNamePhonetics: e.lastNamePhonetics, firstNamePhonetics: e.firstNamePhonetics, employeeGroups: [],
  };
}

/** `GET /daily-workings?start&end` body, in parts: one item per date with the day's workings of the employees employed that day. */
export function dailyWorkings(s: KotState, seed: string | number, dates: string[], o: { division?: string; withEmployee: boolean }): Buffer[] {
  const names = new Map(s.divisions.map((d) => [d.code, d.name]));
  const parts: Buffer[] = [Buffer.from('[')];
  dates.forEach((date, i) => {
    const items: string[] = [];
    for (const e of s.employees) {
      if (!employedOn(e, date) || (o.division && e.divisionCode !== o.division)) continue;
      const d = daily(seed, e, date, names.get(e.divisionCode) ?? '');
      if (o.withEmployee) d.currentDateEmployee = currentEmployee(s, e);
      items.push(JSON.stringify(d));
    }
    parts.push(Buffer.from(`${i ? ',' : ''}{"date":${JSON.stringify(date)},"dailyWorkings":[${items.join(',')}]}`));
  });
  parts.push(Buffer.from(']'));
  return parts;
}

const MINUTES = ['assigned', 'unassigned', 'overtime', 'lateNight', 'late', 'earlyLeave', 'totalWork', 'breakTime'] as const;

/** `GET /monthly-workings/{yyyy-MM}`: per employee employed in the month, the sums of its days. */
export function monthlyWorkings(s: KotState, seed: string | number, month: string, o: { division?: string; withEmployee: boolean }): Array<Record<string, unknown>> {
  const [y, m] = month.split('-').map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const dates = Array.from({ length: days }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  const out: Array<Record<string, unknown>> = [];
  for (const e of s.employees) {
    if (o.division && e.divisionCode !== o.division) continue;
    const mine = dates.filter((d) => employedOn(e, d));
    if (!mine.length) continue;
    const sums: Record<string, number> = Object.fromEntries(MINUTES.map((k) => [k, 0]));
    let working = 0, lateCount = 0, holidayDays = 0;
    for (const date of mine) {
      const d = daily(seed, e, date, '');
      for (const k of MINUTES) sums[k] += Number(d[k] ?? 0);
      if (Number(d.totalWork) > 0) working++;
      if (Number(d.late) > 0) lateCount++;
      if ((d.holidaysObtained as { fulltimeHoliday?: unknown }).fulltimeHoliday) holidayDays++;
    }
    const item: Record<string, unknown> = {
      year: y, month: m, employeeKey: e.key, startDate: mine[0], endDate: mine[mine.length - 1],
      workingCount: working, workingDayCount: working, absentdayCount: 0, lateCount, earlyLeaveCount: 0,
      assigned: sums.assigned, unassigned: sums.unassigned, overtime: sums.overtime, night: sums.lateNight, late: sums.late, earlyLeave: sums.earlyLeave, breakSum: sums.breakTime,
      holidaysObtained: holidayDays ? [{ code: '1', name: '有休', dayCount: holidayDays, minutes: 0 }] : [],
      customMonthlyWorkings: [{ code: 'C01', name: '交通費日数', calculationUnitCode: 1, calculationUnitName: '日数', calculationResult: working }],
      isClosing: false,
    };
    if (o.withEmployee) item.currentDateEmployee = currentEmployee(s, e);
    out.push(item);
  }
  return out;
}
