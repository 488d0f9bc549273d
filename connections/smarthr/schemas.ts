/**
 * The SmartHR shapes renkei relies on, written from SmartHR's published OpenAPI document (Crew,
 * Department, EmploymentType, JobTitle, CrewCustomFieldTemplate, BizEstablishment, error body, and
 * the crew / department write bodies). Read shapes are open objects (the API adds fields) with the
 * document's required keys required; optional keys may be null, as the live API returns them.
 */
import { z } from 'zod';

const s = z.string().nullish();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish();
const stamp = z.string().min(10);
const int = z.number().int().nullish();

export const PRESET_TYPES = ['board_member', 'full_timer', 'contract_worker', 'permatemp', 'part_timer', 'outsourcing_contractor', 'etc'] as const;
export const EMP_STATUSES = ['employed', 'absent', 'retired'] as const;

export const apiErrorSchema = z.object({
  code: z.number().int(), type: z.string(), message: z.string(),
  errors: z.array(z.object({ message: z.string(), resource: s, field: s })).nullable(),
});

export const addressSchema = z.object({
  country_number: s, zip_code: s, pref: s, city: z.string(), street: s, building: s, literal_yomi: s,
});

type Nested = { id: string; name: string; full_name?: string | null; position: number; code?: string | null; parent?: Nested | null; company_id?: string | null };
export const departmentNestedSchema: z.ZodType<Nested> = z.lazy(() => z.object({
  id: z.string(), name: z.string(), full_name: s, position: z.number().int(), code: s,
  parent: departmentNestedSchema.nullish(), company_id: s,
}));

export const departmentSchema = z.object({
  id: z.string(), name: z.string(), full_name: s, position: z.number().int(), code: s,
  parent: departmentNestedSchema.nullish(),
  children: z.array(z.object({ id: z.string(), name: z.string(), position: z.number().int(), created_at: stamp, updated_at: stamp }).loose()).nullish(),
  company_id: s, created_at: stamp, updated_at: stamp,
});

export const employmentTypeSchema = z.object({
  id: z.string(), name: z.string(), preset_type: z.enum(PRESET_TYPES).nullish(), code: s, created_at: stamp, updated_at: stamp,
});

export const jobTitleSchema = z.object({
  id: z.string(), name: z.string(), rank: z.number().int().min(1).max(99999).nullish(), code: s, created_at: stamp, updated_at: stamp,
});

export const enumElementSchema = z.object({ id: z.string(), name: z.string(), physical_name: s, position: z.number().int() });
const templateFields = {
  id: z.string(), name: z.string(), type: z.enum(['date', 'decimal', 'enum', 'file', 'string', 'text']),
  elements: z.array(enumElementSchema).nullish(), hint: s, scale: int, separated_by_commas: z.boolean().nullish(),
  position: z.number().int(), created_at: stamp, updated_at: stamp,
};
export const customFieldTemplateGroupSchema = z.object({
  id: s, name: z.string(), position: int,
  access_type: z.enum(['read_and_update', 'hidden', 'read_and_update_values', 'read_and_update_only_origin']).nullish(),
  created_at: stamp, updated_at: stamp,
});
/** `group_id`, or `group` with `embed=group`: one of the two is present. */
export const customFieldTemplateSchema = z.object({
  ...templateFields, group_id: s, group: customFieldTemplateGroupSchema.nullish(),
}).refine((t) => t.group_id != null || t.group != null, { message: 'group_id or group is required' });

export const bizEstablishmentSchema = z.object({
  id: z.string(), name: z.string(), hel_ins_type: z.enum(['kyokai_kenpo', 'its_kenpo', 'tj_kenpo', 'general_kenpo']),
  hel_ins_name: s, company_id: s, soc_ins_name: z.string(), soc_ins_owner_id: s, soc_ins_address: addressSchema.nullish(),
  soc_ins_tel_number: s, lab_ins_name: z.string(), lab_ins_owner_id: s, lab_ins_address: addressSchema.nullish(),
  lab_ins_tel_number: s, emp_ins_number: s, jurisdiction_tax: s, salary_payer_address: addressSchema.nullish(),
  created_at: stamp.nullish(), updated_at: stamp.nullish(),
});

export const crewSchema = z.object({
  id: z.string(), user_id: s, biz_establishment_id: s, emp_code: s,
  /** Deprecated: the preset type of `employment_type`. */
  emp_type: z.enum(PRESET_TYPES).nullish(),
  employment_type: z.object({ id: s, name: z.string(), preset_type: z.enum(PRESET_TYPES).nullish(), code: s }).nullish(),
  emp_status: z.enum(EMP_STATUSES),
  last_name: z.string(), first_name: z.string(), last_name_yomi: z.string(), first_name_yomi: z.string(),
  business_last_name: s, business_first_name: s, business_last_name_yomi: s, business_first_name_yomi: s,
  preferred_last_name: s, preferred_first_name: s, preferred_last_name_yomi: s, preferred_first_name_yomi: s,
  birth_at: date, gender: z.enum(['male', 'female']), tel_number: s, address: addressSchema.nullish(), email: s,
  /** Deprecated: first department's hierarchy names joined with "/". */
  department: s,
  /** May contain null items (live API behaviour). */
  departments: z.array(departmentSchema.nullable()).nullish(),
  /** Deprecated: a job-title name. */
  position: s,
  positions: z.array(z.object({ id: s, name: s, rank: int, code: s, created_at: stamp })).nullish(),
  occupation: s, entered_at: date, resigned_at: date, resigned_reason: s,
  recruitment_type: z.object({ id: s, name: z.string(), preset_type: s }).nullable(),
  contract_type: z.enum(['unlimited', 'fixed_term']).nullish(),
  custom_fields: z.array(z.object({
    value: z.union([z.string(), z.number()]).nullable(),
    template: z.object({ ...templateFields, group_id: z.string() }),
  })).nullish(),
  created_at: stamp.nullish(), updated_at: stamp.nullish(),
});

export type Crew = z.infer<typeof crewSchema>;
export type Department = z.infer<typeof departmentSchema>;

/** One custom-field value on a crew write: enum values are an element id or its physical_name. */
export const customFieldParamSchema = z.strictObject({
  template_id: z.string(), value: z.union([z.string(), z.number()]).nullable(), file_name: z.string().optional(),
});

/** POST /v1/crews and PATCH /v1/crews/{id} bodies (the fields renkei writes; others pass through). */
export const crewWriteSchema = z.object({
  emp_code: z.string().nullish(), emp_status: z.enum(EMP_STATUSES).optional(),
  last_name: z.string().optional(), first_name: z.string().optional(), last_name_yomi: z.string().optional(), first_name_yomi: z.string().optional(),
  business_last_name: z.string().nullish(), business_first_name: z.string().nullish(),
  gender: z.enum(['male', 'female']).optional(), birth_at: date, entered_at: date, resigned_at: date, email: z.string().nullish(),
  employment_type_id: z.string().nullish(), biz_establishment_id: z.string().nullish(), department_ids: z.array(z.string()).optional(),
  /** Job-title names (unknown names create job titles). */
  positions: z.array(z.string()).optional(),
  custom_fields: z.array(customFieldParamSchema).optional(),
}).loose();
export type CrewWrite = z.infer<typeof crewWriteSchema>;

/** POST /v1/departments and PATCH /v1/departments/{id}: name required, no "/" in it. */
export const departmentWriteSchema = z.strictObject({
  name: z.string().min(1).refine((n) => !n.includes('/'), 'a department name cannot contain "/"'),
  position: z.number().int().optional(), code: z.string().nullish(), parent_id: z.string().nullish(), company_id: z.string().optional(),
});
export type DepartmentWrite = z.infer<typeof departmentWriteSchema>;
