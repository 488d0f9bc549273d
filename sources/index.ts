/**
 * Registry of source types: add each component here explicitly (no registration by import side
 * effect). `satisfies` rather than a type annotation, so the element type keeps each source's options.
 */
import type { SourceComponent } from '../engine/types.ts';
import { csvSource } from './csv.ts';
import { jsonSource } from './json.ts';
import {
  smarthrBizEstablishmentsSource, smarthrCrewsSource, smarthrCustomFieldTemplatesSource, smarthrDepartmentsSource,
  smarthrEmploymentTypesSource, smarthrJobTitlesSource,
} from './smarthr-lists.ts';
import { kingoftimeDivisionsSource, kingoftimeEmployeesSource, kingoftimeWorkingTypesSource } from './kingoftime-lists.ts';
import { kingoftimeDailyWorkingsSource, kingoftimeMonthlyWorkingsSource } from './kingoftime-workings.ts';
import { mikiwameDepartmentsSource, mikiwameEmployeesSource, mikiwameResultsSource } from './mikiwame-lists.ts';
import { postgresSource } from './postgres.ts';

export const sources = [
  csvSource, jsonSource, postgresSource, smarthrCrewsSource, smarthrDepartmentsSource, smarthrEmploymentTypesSource, smarthrJobTitlesSource,
  smarthrCustomFieldTemplatesSource, smarthrBizEstablishmentsSource,
  mikiwameDepartmentsSource, mikiwameEmployeesSource, mikiwameResultsSource,
  kingoftimeEmployeesSource, kingoftimeDivisionsSource, kingoftimeWorkingTypesSource, kingoftimeDailyWorkingsSource, kingoftimeMonthlyWorkingsSource,
] satisfies SourceComponent[];
