/** Registry of transform stages: add each component here explicitly. */
import type { StageComponent } from '../engine/types.ts';
import { normalize } from './normalize.ts';
import { map } from './map.ts';
import { filter } from './filter.ts';
import { validate } from './validate.ts';
import { dedupe } from './dedupe.ts';
import { tree } from './tree.ts';
import { diff } from './diff.ts';
import { moduleStage } from './module.ts';

export const transforms: StageComponent[] = [normalize, map, filter, validate, dedupe, tree, diff, moduleStage];
