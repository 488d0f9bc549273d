/**
 * Source `postgres`: the rows of a table (or view) or of a query, as typed records, streamed.
 *
 * How: the column types are read first (`SELECT * FROM (…) LIMIT 0`: names and type OIDs, plus
 * pg_type for domains and arrays), then `COPY (SELECT …) TO STDOUT` in text format through
 * pg-copy-streams, parsed as it arrives (`pg-copy-rows.ts`) and converted per column
 * (`pg-values.ts`). pg-copy-streams pauses the socket while a batch is being processed downstream,
 * so memory holds one network chunk and one batch, whatever the table's size.
 *
 * Why COPY rather than a server-side cursor (`DECLARE … CURSOR` + `FETCH 5000`, rows parsed by
 * node-postgres, values converted the same way), measured on generated employees (15 columns,
 * Japanese text) on a shared 2-core machine: 200k rows, warm, load average 8: COPY 0.48–0.50 s wall
 * and 0.51–0.56 s of this process's CPU, the cursor 0.76–0.78 s and 0.81–0.86 s; 100k rows inside
 * `npm run bench -- --quick` at load average 10–12: COPY 0.50 s CPU, the cursor 0.47 s, wall times
 * dominated by the busy server; 1M rows in `npm run bench` (medians of 3): COPY 3.08 s wall, 2.55 s
 * CPU, the cursor 5.54 s and 4.42 s. COPY wins on the larger reads (no round trip per batch;
 * tab-split text instead of one protocol message per row) and is within the noise on small ones.
 * `npm run bench -- --only pgsource` measures both again ("reading alone"; bench/results.md).
 *
 * The read runs in one REPEATABLE READ, READ ONLY transaction on its own connection (a consistent
 * snapshot: the types probe and the COPY see the same table). Origins are `<table>:row N` (or
 * `query:row N`), N counting from 1 in the order the server returns them. Failures (bad SQL, no such
 * table, a lost connection) throw `SOURCE_PG` naming the table or query; a lost connection is transient.
 */
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import { defineComponent, type Rec, type Source } from '../engine/types.ts';
import { RenkeiError, errorMessage } from '../engine/errors.ts';
import { connectTimeoutMs, tableIdent } from '../db/connect.ts';
import { CopyTextRows } from './pg-copy-rows.ts';
import { convertersFor, type PgTypeInfo } from './pg-values.ts';

const schema = z
  .strictObject({
    type: z.literal('postgres'),
    connection: z.string().min(1).optional()
      .describe('Secret: PostgreSQL connection string, e.g. ${HR_DATABASE_URL}; never logged. Default: the state database.'),
    table: z.string().min(1).optional()
      .describe('Table or view to read whole, `name` or `schema.name` (taken literally, always quoted). Origins `<table>:row N`.'),
    query: z.string().min(1).optional()
      .describe('A SELECT (or VALUES, or WITH … SELECT) whose rows to read, instead of `table`; its column names become the field names (alias duplicates). Origins `query:row N`.'),
  })
  .superRefine((o, ctx) => {
    if (!o.table === !o.query) ctx.addIssue({ code: 'custom', path: o.table ? ['query'] : ['table'], message: 'give exactly one of `table` or `query`' });
  })
  .describe('Read the rows of a PostgreSQL table or query, streamed with COPY TO STDOUT, with typed values.');

/** node-postgres error fields we use. */
interface PgError extends Error { code?: string }

function isConnectionLoss(e: unknown): boolean {
  const code = (e as PgError | undefined)?.code ?? '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  return /Connection terminated|not queryable|ECONNRESET|EPIPE|ECONNREFUSED|ETIMEDOUT/.test(errorMessage(e));
}

export const postgresSource = defineComponent({
  type: 'postgres',
  description: 'Read the rows of a PostgreSQL table or query (COPY TO STDOUT, streamed) as typed records.',
  schema,
  create(options, ctx): Source {
    const what = options.table ? `table "${options.table}"` : `query ${JSON.stringify(options.query!.length > 120 ? options.query!.slice(0, 117) + '…' : options.query)}`;
    const prefix = options.table ?? 'query';
    const select = options.table ? `SELECT * FROM ${tableIdent(options.table)}` : options.query!.trim().replace(/;\s*$/, '');
    const fail = (e: unknown): RenkeiError => e instanceof RenkeiError ? e
      : new RenkeiError('SOURCE_PG', `postgres source, ${what}: ${errorMessage(e)}`, { transient: isConnectionLoss(e), cause: e });
    let client: pg.Client | undefined;

    const stop = async (): Promise<void> => {
      const c = client;
      client = undefined;
      if (!c) return;
      // A COPY still running cannot be ended politely: dropping the socket ends it on the server too.
      (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      await c.end().catch(() => {});
    };

    async function* read(): AsyncGenerator<Rec[]> {
      const size = Math.max(1, ctx.options.batch_size);
      try {
        const url = options.connection ?? (await ctx.db()).url;
        client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs(url), application_name: `renkei source:postgres ${ctx.runId}`.slice(0, 63) });
        client.on('error', () => {}); // surfaced by the query or stream that was running
        await client.connect();
        await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL DateStyle = ISO, YMD; SET LOCAL TimeZone = 'UTC'; SET LOCAL IntervalStyle = iso_8601`);
        const probe = await client.query({ text: `SELECT * FROM (${select}\n) AS q LIMIT 0`, rowMode: 'array' });
        const names = probe.fields.map((f) => f.name);
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup !== undefined) throw new RenkeiError('SOURCE_PG', `postgres source, ${what}: two columns are named "${dup}"; give one an alias (AS other_name)`);
        const oids = probe.fields.map((f) => f.dataTypeID);
        const info = await client.query<{ oid: number; elem: number; base: number; category: string }>(
          `SELECT oid::int, typelem::int AS elem, typbasetype::int AS base, typcategory AS category FROM pg_type
           WHERE oid = ANY($1) OR oid IN (SELECT typelem FROM pg_type WHERE oid = ANY($1)) OR oid IN (SELECT typbasetype FROM pg_type WHERE oid = ANY($1))`, [oids]);
        const types = new Map<number, PgTypeInfo>(info.rows.map((r) => [r.oid, r]));
        const conv = convertersFor(oids, types);
        const n = names.length;

        const stream = client.query(copyTo(`COPY (${select}\n) TO STDOUT`));
        const rows = new CopyTextRows();
        let batch: Rec[] = [];
        let row = 0;
        const take = (fields: Array<string | null>): void => {
          const data: Record<string, unknown> = {};
          for (let i = 0; i < n; i++) {
            const f = fields[i];
            data[names[i]] = f === null || f === undefined ? null : conv[i](f);
          }
          batch.push({ data, origin: `${prefix}:row ${++row}` });
        };
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (const fields of rows.push(chunk)) take(fields);
          if (batch.length >= size) {
            // A chunk may hold several batches' worth; hand them on one batch at a time.
            for (let i = 0; i + size <= batch.length; i += size) yield batch.slice(i, i + size);
            batch = batch.slice(batch.length - (batch.length % size));
          }
        }
        for (const fields of rows.end()) take(fields);
        if (batch.length) yield batch;
        await client.query('COMMIT');
      } catch (e) {
        throw fail(e);
      } finally {
        await stop();
      }
    }

    return { read, close: stop };
  },
});
