/**
 * Sink `postgres`: loads records into a PostgreSQL table with COPY, in one transaction per run, so
 * a failure at any point leaves the table exactly as it was (append and upsert included).
 *
 * - append: `COPY target (columns) FROM STDIN`.
 * - replace: COPY into a staging table (`LIKE target INCLUDING ALL`, created in the run's
 *   transaction, so invisible to others), swapped in at close by renaming, in the same transaction.
 *   Other sessions read the old full table until the commit, then the new one; they wait on the lock
 *   only during the swap, never see an empty or half-loaded table. Tables a rename would strip of
 *   something (grants, triggers, foreign keys, dependent views…) are refilled in place instead:
 *   TRUNCATE + INSERT from the staging table under the same lock (see pg-target.ts).
 * - upsert: COPY into a temporary work table (`ON COMMIT DROP`), then per segment
 *   `INSERT … SELECT DISTINCT ON (key) … ON CONFLICT (key) DO UPDATE`. When a key occurs more than
 *   once in a run, the last record wins (within a segment by a sequence column, across segments
 *   because later segments update what earlier ones wrote). Into a table that is empty when the run
 *   starts, segments are COPYed straight into the table until one meets a conflict, which is then
 *   done the general way, as is the rest of the run (same rows, half the server's work; pg-loader.ts).
 *
 * Records are sent in COPY segments of `copy_batch_rows` rows, each under a savepoint. A row the
 * server refuses (bad value for its type, constraint violation, NOT NULL or CHECK at the upsert step)
 * is isolated by splitting the segment and becomes a `SINK_PG_ROW` Drop; every other row is loaded.
 * Refusals are known only when a segment ends, so `write` may return Drops of earlier batches and
 * `drain()` (called by the runner before `close`) returns those of the last segment. A lost
 * connection fails the run with `SINK_PG` (transient); nothing is committed.
 */
import { z } from 'zod';
import { defineComponent, type Sink } from '../engine/types.ts';
import { RenkeiError } from '../engine/errors.ts';
import { COLUMN_TYPES } from './pg-copy-text.ts';
import { PgLoader } from './pg-loader.ts';
import { FieldPresence } from '../engine/field-presence.ts';

const column = z.strictObject({
  name: z.string().min(1).max(63).describe('Column name in the table, taken literally (always quoted in SQL).'),
  type: z.enum(COLUMN_TYPES).describe('Column type: how values are written, and the type used when the sink creates the table.'),
  from: z.string().min(1).optional().describe('Record field holding the value (default: the column name).'),
});

const schema = z.strictObject({
  type: z.literal('postgres'),
  connection: z.string().min(1).optional()
    .describe('Secret: PostgreSQL connection string, e.g. ${DATABASE_URL}; never logged. Default: the state database.'),
  table: z.string().min(1).describe('Target table, `name` or `schema.name` (taken literally, always quoted).'),
  mode: z.enum(['append', 'replace', 'upsert']).default('append')
    .describe('append: add rows; replace: swap in the new rows as the whole table at commit; upsert: insert or update by `key`.'),
  key: z.array(z.string().min(1)).min(1).optional()
    .describe('Columns identifying a row (required for upsert; needs a primary key or unique index on them).'),
  columns: z.array(column).min(1).describe('Columns to load, in order: `{name, type, from?}` each.'),
  create_table: z.boolean().default(false)
    .describe('Create the table when missing, with these columns (and for upsert a primary key on `key`).'),
  copy_batch_rows: z.number().int().min(1).default(5_000)
    .describe('Rows per COPY segment: the unit of commit-or-isolate, kept in memory until the server confirms it (segments are pipelined, so two are held). Measured on 1M rows: 5,000 as fast as 50,000 with far less memory; 1,000 and 2,500 slower (each segment end costs a few round trips).'),
}).superRefine((o, ctx) => {
  const names = new Set<string>();
  o.columns.forEach((c, i) => {
    if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `duplicate column "${c.name}"` });
    names.add(c.name);
  });
  if (o.mode === 'upsert' && !o.key) ctx.addIssue({ code: 'custom', path: ['key'], message: 'key is required when mode is upsert' });
  o.key?.forEach((k, i) => {
    if (!names.has(k)) ctx.addIssue({ code: 'custom', path: ['key', i], message: `key column "${k}" is not among columns` });
  });
}).describe('Load records into a PostgreSQL table with COPY (append, replace or upsert), atomically.');

export type PostgresSinkOptions = z.infer<typeof schema>;

export const postgresSink = defineComponent({
  type: 'postgres',
  description: 'Load records into a PostgreSQL table with COPY: append, replace or upsert, in one transaction; refused rows become rejects.',
  schema,
  create(options, ctx): Sink {
    const logger = ctx.logger;
    let loader: PgLoader | undefined;
    // A column whose field no record carries would load NULL everywhere: most likely a typo.
    let watch: FieldPresence | undefined = new FieldPresence(options.columns.map((c) => c.from ?? c.name), ctx, 'a column takes field');
    const get = (): PgLoader => {
      if (!loader) throw new RenkeiError('INTERNAL', 'postgres sink used before open()');
      return loader;
    };
    return {
      commits: 'atomic',
      rehearses: true,
      async open() {
        const url = options.connection ?? (await ctx.db()).url;
        loader = new PgLoader({
          url,
          table: options.table,
          mode: options.mode,
          key: options.key,
          columns: options.columns.map((c) => ({ name: c.name, type: c.type, from: c.from ?? c.name })),
          createTable: options.create_table,
          segmentRows: options.copy_batch_rows,
          applicationName: `renkei sink:postgres ${ctx.runId}`.slice(0, 63),
          rehearsal: ctx.rehearsal,
          logger,
        });
        await loader.open();
      },
      write: (batch) => {
        if (watch) { for (const r of batch) if (watch.see(r.data)) { watch = undefined; break; } }
        return get().write(batch);
      },
      drain: () => { watch?.report(); return get().drain(); },
      close: () => get().close(),
      abort: async (err) => { await loader?.abort(err); },
    };
  },
});
