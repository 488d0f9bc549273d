/**
 * Deterministic Mikiwame data from a seed: a department tree, employees, and personality results —
 * several for some employees (M-R3) — with the 24 trait scores, a 16-type and a result link.
 */
import { createRng } from '../generate/prng.ts';
import { TRAITS, TYPES16, type MikiwameState, type MwEmployee, type MwResult } from './state.ts';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function linkageFrom(now: Date, days = 90): MikiwameState['linkage'] {
  return { linked_at: now.toISOString(), expires_at: new Date(now.getTime() + days * DAY).toISOString() };
}

/** `employees: 0` gives an empty tenant (tests seed it through the write API). */
export function generateMikiwame(o: { employees: number; seed?: string | number; now: Date }): MikiwameState {
  const rng = createRng(`mikiwame:${o.seed ?? 1}`);
  const departments = o.employees === 0 ? [] : [
    { code: 'M001', name: '経営企画部', parent_code: null }, { code: 'M002', name: '営業本部', parent_code: null },
    { code: 'M003', name: '第一営業部', parent_code: 'M002' }, { code: 'M004', name: '開発本部', parent_code: null },
    { code: 'M005', name: 'プロダクト開発部', parent_code: 'M004' },
  ];
  const employees: MwEmployee[] = [];
  const personality_results: MwResult[] = [];
  for (let i = 0; i < o.employees; i++) {
    const id = rng.uuid();
    const e: MwEmployee = {
      id, email: `mw${i + 1}@example.co.jp`, emp_code: String(i + 1).padStart(6, '0'), last_name: '見極', first_name: `${i + 1}郎`,
      last_name_kana: 'ミキワメ', first_name_kana: 'ロウ', gender: rng.chance(0.5) ? 'male' : 'female', birth_date: iso(Date.UTC(1970, 0, 1) + rng.int(0, 30 * 365) * DAY),
      department_code: rng.pick(departments).code, position: null, hire_date: iso(Date.UTC(2015, 3, 1) + rng.int(0, 9 * 365) * DAY),
      resign_date: null, employment_type: '正社員', retired: false,
    };
    employees.push(e);
    const n = rng.next() < 0.2 ? 0 : rng.next() < 0.3 ? rng.int(2, 3) : 1;
    for (let k = 0; k < n; k++) personality_results.push(result(rng.uuid(), e, iso(Date.UTC(2022, 0, 1) + rng.int(0, 3 * 365) * DAY), () => rng.int(25, 75), rng.pick(TYPES16)));
  }
  return { departments, employees, personality_results, linkage: linkageFrom(o.now) };
}

/** A result for an employee, with every trait scored by `score()`. */
export function result(id: string, e: Pick<MwEmployee, 'id' | 'email' | 'emp_code'>, exam_date: string, score: () => number, type16: string): MwResult {
  const scores: Record<string, number> = {};
  for (const t of TRAITS) scores[t] = score();
  return { id, employee_id: e.id, email: e.email, emp_code: e.emp_code, exam_date, type16, result_url: `https://mikiwame.example/results/${id}`, scores };
}
