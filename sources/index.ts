/** Registry of source types: add each component here explicitly (no registration by import side effect). */
import type { SourceComponent } from '../engine/types.ts';
import { csvSource } from './csv.ts';
import { jsonSource } from './json.ts';

export const sources: SourceComponent[] = [csvSource, jsonSource];
