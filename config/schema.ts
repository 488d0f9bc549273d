/**
 * The pipeline file schema, built from the component registries (a discriminated union on `type`
 * per slot). `z.infer` gives the TypeScript type; `pipelineJsonSchema()` exports it for editors.
 */
import { z } from 'zod';
import { notifySchema } from '../engine/notify.ts';
import { RUN_OPTION_DEFAULTS } from '../engine/types.ts';
import { paramsSchema } from './params.ts';
import { errorSinkConfigSchema, sinkConfigSchema, sourceConfigSchema, stageConfigSchema } from './registry.ts';

export const runOptionsSchema = z.strictObject({
  batch_size: z.number().int().min(1).max(100_000).default(RUN_OPTION_DEFAULTS.batch_size)
    .describe('Records per batch moved between stages (memory grows with it).'),
  concurrency: z.number().int().min(1).max(256).default(RUN_OPTION_DEFAULTS.concurrency)
    .describe('Requests in flight for components that work in parallel (REST sink writes, API page fetches) unless the component sets its own `concurrency`.'),
  strict: z.boolean().default(false)
    .describe('Stop the run when a field a transform or sink names is carried by none of the first records (a misspelled name); without it, that is a notice in the summary.'),
  max_rejected: z.number().int().min(0).optional()
    .describe('Error budget: fail the run when more records than this are rejected (checked after every batch).'),
  max_rejected_ratio: z.number().min(0).max(1).optional()
    .describe('Error budget as a share of records read (0.01 = 1%): fail the run when exceeded at the end of input. Without max_rejected or max_rejected_ratio the default is 0.5 (more than half rejected fails); 1 turns it off.'),
}).describe('Run options.');

export const guardsSchema = z.strictObject({
  min_source_ratio: z.number().min(0).max(1).default(0.5)
    .describe('Refuse to apply when the source returned fewer records than this share of the last successful run (a truncated read would look like mass resignations).'),
  max_deactivate_ratio: z.number().min(0).max(1).default(0.1)
    .describe('Refuse to apply when more than this share of the target would be resigned/deactivated.'),
  deactivate: z.array(z.strictObject({
    field: z.string().min(1).describe('Field of a changed record.'),
    to: z.string().optional().describe('The change deactivates when the new value is this; without `to`, when a blank value becomes set.'),
  })).default([{ field: 'resigned_at' }, { field: 'emp_status', to: 'retired' }])
    .describe('Which changes count as resigning/deactivating a target record.'),
}).describe('Safety guards checked before anything is applied (bypass with --force).');

export function pipelineSchema() {
  return z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only')
      .describe('Pipeline name: used in logs, reports and the run table.'),
    description: z.string().optional().describe('Free text for people.'),
    params: paramsSchema.optional(),
    key: z.array(z.string().min(1)).default([])
      .describe('Fields that identify a record (employee number, id): shown in error rows and logs instead of personal data (G6).'),
    source: sourceConfigSchema().describe('Where records are read from (exactly one source).'),
    transforms: z.array(stageConfigSchema()).default([]).describe('Stages applied in order.'),
    sinks: z.array(sinkConfigSchema()).min(1).describe('Where records are written (one or more).'),
    errors: errorSinkConfigSchema().optional().describe('Where rejected records go (G2). Without it: a CSV in the state home, <home>/errors/<pipeline>/<run id>.csv (mode 0600).'),
    // prefault: an absent block is parsed as {} so the field defaults above apply (written once).
    options: runOptionsSchema.prefault({}),
    notify: notifySchema.optional(),
    guards: guardsSchema.prefault({}),
  });
}

/** A validated pipeline file, inferred from the schema: each slot is the union of its registered components' options. */
export type PipelineConfig = z.output<ReturnType<typeof pipelineSchema>>;
/** Run options with every default applied. */
export type RunOptionsConfig = z.output<typeof runOptionsSchema>;
/** The run options of a pipeline file without an `options:` block (the schema's defaults). */
export const DEFAULT_RUN_OPTIONS: RunOptionsConfig = runOptionsSchema.parse({});

/** JSON Schema (draft 2020-12) of pipeline files, for editor completion (`renkei schema`). */
export function pipelineJsonSchema(): unknown {
  const js = z.toJSONSchema(pipelineSchema(), { io: 'input', unrepresentable: 'any', cycles: 'ref' }) as Record<string, unknown>;
  return { $id: 'https://renkei.dev/schema/pipeline.json', title: 'renkei pipeline file', ...js };
}
