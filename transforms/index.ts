/**
 * Registry of transform stages: add each component here explicitly. Declared `as const` so the
 * pipeline config type keeps each stage's options (config/registry.ts infers them from the schemas).
 */
import type { StageComponent } from '../engine/types.ts';
import { normalize } from './normalize.ts';
import { map } from './map.ts';
import { filter } from './filter.ts';
import { validate } from './validate.ts';
import { dedupe } from './dedupe.ts';
import { tree } from './tree.ts';
import { diff } from './diff.ts';
import { moduleStage } from './module.ts';

export const transforms = [normalize, map, filter, validate, dedupe, tree, diff, moduleStage] as const satisfies readonly StageComponent[];
