/** Registry of transform stages: add each component here explicitly. */
import type { StageComponent } from '../engine/types.ts';
import { normalize } from './normalize.ts';

export const transforms: StageComponent[] = [normalize];
