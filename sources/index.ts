/** Registry of source types: add each component here explicitly (no registration by import side effect). */
import type { SourceComponent } from '../engine/types.ts';
import { csvSource } from './csv.ts';
import { jsonSource } from './json.ts';
import { smarthrCrewsSource } from './smarthr-crews.ts';
import { smarthrDepartmentsSource } from './smarthr-departments.ts';
import { smarthrEmploymentTypesSource } from './smarthr-employment-types.ts';
import { smarthrJobTitlesSource } from './smarthr-job-titles.ts';
import { smarthrCustomFieldTemplatesSource } from './smarthr-custom-field-templates.ts';
import { smarthrBizEstablishmentsSource } from './smarthr-biz-establishments.ts';

export const sources: SourceComponent[] = [csvSource, jsonSource, smarthrCrewsSource, smarthrDepartmentsSource, smarthrEmploymentTypesSource, smarthrJobTitlesSource, smarthrCustomFieldTemplatesSource, smarthrBizEstablishmentsSource];
