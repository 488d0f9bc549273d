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
import { customFields } from './custom-fields.ts';
import { exclude } from './exclude.ts';
import { matchPolicy } from './match-policy.ts';
import { uniqueInTarget } from './unique-in-target.ts';
import { latest } from './latest.ts';
import { referencesSynced } from './references-synced.ts';

export const transforms = [normalize, map, filter, validate, dedupe, tree, diff, moduleStage, customFields, exclude, matchPolicy, uniqueInTarget, latest, referencesSynced] as const satisfies readonly StageComponent[];
