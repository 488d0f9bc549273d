/**
 * The sandbox tenant's in-memory state (what `--state FILE` saves and loads). Crews are stored in
 * write shape (ids of departments, employment type, job titles, custom-field values by template id)
 * and rendered to the API's read shape on the way out (render.ts).
 */
import fs from 'node:fs';
import { RenkeiError } from '../../engine/errors.ts';
import path from 'node:path';

export interface StoredDepartment {
  id: string; name: string; position: number; code: string | null; parent_id: string | null;
  created_at: string; updated_at: string;
}
export interface StoredEmploymentType {
  id: string; name: string; preset_type: string | null; code: string | null; created_at: string; updated_at: string;
}
export interface StoredJobTitle { id: string; name: string; rank: number; code: string | null; created_at: string; updated_at: string }
export interface StoredElement { id: string; name: string; physical_name?: string | null; position: number }
export interface StoredTemplate {
  id: string; name: string; type: 'date' | 'decimal' | 'enum' | 'file' | 'string' | 'text';
  elements: StoredElement[]; group_id: string; hint: string | null; scale: number | null;
  separated_by_commas: boolean; position: number; created_at: string; updated_at: string;
}
export interface StoredGroup { id: string; name: string; position: number; access_type: string; created_at: string; updated_at: string }
export interface StoredAddress {
  country_number: string; zip_code: string; pref: string; city: string; street: string; building: string | null; literal_yomi: string | null;
}
export interface StoredBizEstablishment {
  id: string; name: string; hel_ins_type: string; hel_ins_name: string; soc_ins_name: string; soc_ins_tel_number: string;
  soc_ins_address: StoredAddress; lab_ins_name: string; lab_ins_tel_number: string; emp_ins_number: string;
  jurisdiction_tax: string; created_at: string; updated_at: string;
}
/** A crew in write shape plus read-only fields. Unknown keys written by clients are kept as given. */
export interface StoredCrew {
  id: string;
  [field: string]: unknown;
  department_ids: Array<string | null>;
  position_ids: string[];
  employment_type_id: string | null;
  custom_fields: Array<{ template_id: string; value: string | number | null }>;
  created_at: string;
  updated_at: string;
}

export interface SmarthrState {
  company_id: string;
  crews: StoredCrew[];
  departments: StoredDepartment[];
  employment_types: StoredEmploymentType[];
  job_titles: StoredJobTitle[];
  custom_field_template_groups: StoredGroup[];
  custom_field_templates: StoredTemplate[];
  biz_establishments: StoredBizEstablishment[];
}

export function saveState(file: string, state: SmarthrState): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** A saved tenant; a file that is not one is a usage error naming the file, never a stack trace. */
export function loadState(file: string): SmarthrState {
  let s: SmarthrState;
  try {
    s = JSON.parse(fs.readFileSync(file, 'utf8')) as SmarthrState;
  } catch (e) {
    throw new RenkeiError('USAGE', `--state ${file}: not a sandbox state file (${(e as Error).message}); move it away to start from a generated tenant`);
  }
  for (const k of ['crews', 'departments', 'employment_types', 'job_titles', 'custom_field_templates', 'biz_establishments'] as const) {
    if (!s || !Array.isArray(s[k])) throw new RenkeiError('USAGE', `--state ${file}: not a sandbox state file ("${k}" is not a list); move it away to start from a generated tenant`);
  }
  return s;
}
