/**
 * The KING OF TIME sandbox's in-memory company: employees in KOT's own shape (null properties left
 * out, as the API omits them), divisions (所属) and working types (雇用区分).
 */
import type { KotEdition } from './editions.ts';

export interface KotStoredEmployee {
  key: string;
  code: string;
  lastName: string;
  firstName: string;
  lastNamePhonetics?: string;
  firstNamePhonetics?: string;
  divisionCode: string;
  typeCode: string;
  gender: 'male' | 'female' | 'no_selected';
  birthDate?: string;
  hiredDate?: string;
  resignationDate?: string;
  emailAddresses?: string[];
  /** Contracted minutes per day (additionalFields=allDayRegardingWorkInMinute). */
  allDayRegardingWorkInMinute?: number;
}

export interface KotDivision { code: string; name: string; dayBorderTime: string }
export interface KotWorkingType { code: string; name: string }

export interface KotState {
  edition: KotEdition;
  employees: KotStoredEmployee[];
  divisions: KotDivision[];
  workingTypes: KotWorkingType[];
}

/** Properties GET /employees sends only when asked for with `additionalFields`. */
export const ADDITIONAL_FIELDS = ['lastNamePhonetics', 'firstNamePhonetics', 'birthDate', 'hiredDate', 'resignationDate', 'emailAddresses', 'allDayRegardingWorkInMinute'] as const;

/** Employed on `date` (YYYY-MM-DD): hired on or before it (or no hire date) and not resigned before it. */
export function employedOn(e: KotStoredEmployee, date: string): boolean {
  return (e.hiredDate === undefined || e.hiredDate <= date) && (e.resignationDate === undefined || e.resignationDate >= date);
}
