/**
 * The modelled Mikiwame shapes (apis.md §3): departments `{code, name, parent_code}`, employees, and
 * personality results with the 24 trait deviation scores. Write bodies are checked before sending.
 */
import { z } from 'zod';

const s = z.string().nullish();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish();

export const departmentWriteSchema = z.strictObject({
  name: z.string().min(1), parent_code: z.string().min(1).nullish(),
});
export type MikiwameDepartmentWrite = z.infer<typeof departmentWriteSchema>;

/** The 14 employee fields of M-E1 (email is written on creation only: M-E11). */
export const EMPLOYEE_FIELDS = [
  'email', 'emp_code', 'last_name', 'first_name', 'last_name_kana', 'first_name_kana', 'gender', 'birth_date',
  'department_code', 'position', 'hire_date', 'resign_date', 'employment_type', 'retired',
] as const;

export const employeeWriteSchema = z.strictObject({
  email: s, emp_code: s, last_name: z.string().min(1).optional(), first_name: z.string().min(1).optional(),
  last_name_kana: s, first_name_kana: s, gender: z.enum(['male', 'female']).nullish(), birth_date: date,
  department_code: s, position: s, hire_date: date, resign_date: date, employment_type: s, retired: z.boolean().optional(),
});
export type MikiwameEmployeeWrite = z.infer<typeof employeeWriteSchema>;

export interface MikiwameEmployee extends MikiwameEmployeeWrite { id: string }
