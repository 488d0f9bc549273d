/**
 * The postgres sink's DDL: finding the target table, checking its columns, creating it, the upsert
 * work table, and the replace swap. Every name goes through `ident`, so a table or column name is
 * always taken literally, whatever quotes or semicolons it holds.
 */
import type pg from 'pg';
import crypto from 'node:crypto';
import { ident, tableIdent } from '../db/connect.ts';
import { RenkeiError } from '../engine/errors.ts';
import type { CopyColumn } from './pg-copy-text.ts';

export interface Target {
  /** Quoted `"schema"."name"`. */
  sql: string;
  schema: string;
  name: string;
  /** Created by this run (inside its transaction). */
  created: boolean;
}

/** Sequence column of the upsert work table: the latest duplicate of a key wins. */
export const SEQ_COLUMN = '__renkei_seq';

export async function findTable(c: pg.Client, table: string): Promise<Target | undefined> {
  const r = await c.query<{ nspname: string; relname: string; relkind: string }>(
    `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`, [tableIdent(table)]);
  const row = r.rows[0];
  if (!row) return undefined;
  if (row.relkind !== 'r' && row.relkind !== 'p') throw new RenkeiError('SINK_PG', `"${table}" is not a table`);
  return { sql: `${ident(row.nspname)}.${ident(row.relname)}`, schema: row.nspname, name: row.relname, created: false };
}

export async function createTable(c: pg.Client, table: string, columns: readonly CopyColumn[], key?: string[]): Promise<Target> {
  const defs = columns.map((col) => `${ident(col.name)} ${col.type}`);
  if (key?.length) defs.push(`PRIMARY KEY (${key.map(ident).join(', ')})`);
  await c.query(`CREATE TABLE ${tableIdent(table)} (${defs.join(', ')})`);
  const t = await findTable(c, table);
  if (!t) throw new RenkeiError('SINK_PG', `table "${table}" was created but cannot be found on the search_path`);
  return { ...t, created: true };
}

/** Refuses the run when configured columns are missing from the table (before any row is sent). */
export async function checkColumns(c: pg.Client, t: Target, columns: readonly CopyColumn[]): Promise<void> {
  const r = await c.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, [t.sql]);
  const have = new Set(r.rows.map((x) => x.attname));
  const missing = columns.filter((col) => !have.has(col.name)).map((col) => col.name);
  if (missing.length) throw new RenkeiError('SINK_PG', `table ${t.schema}.${t.name} has no column ${missing.map((m) => `"${m}"`).join(', ')}`);
}

/** A related name in the target's schema, short enough for Postgres' 63-byte limit. */
function sideName(t: Target, tag: string): string {
  let base = t.name;
  while (Buffer.byteLength(base) > 40) base = base.slice(0, -1);
  return `${base}__renkei_${tag}_${crypto.randomBytes(3).toString('hex')}`;
}

/** The upsert work table: the target's column types (not its constraints) plus a sequence column. */
export async function createWorkTable(c: pg.Client, t: Target, columns: readonly CopyColumn[]): Promise<string> {
  const name = ident(`renkei_upsert_${crypto.randomBytes(4).toString('hex')}`);
  await c.query(`CREATE TEMP TABLE ${name} ON COMMIT DROP AS SELECT ${columns.map((col) => ident(col.name)).join(', ')}, 0::bigint AS ${ident(SEQ_COLUMN)} FROM ${t.sql} WITH NO DATA`);
  return name;
}

/** `INSERT … ON CONFLICT (key) DO UPDATE` from the work table, keeping the last row of each key. */
export function upsertSql(t: Target, work: string, columns: readonly CopyColumn[], key: string[]): string {
  const cols = columns.map((col) => ident(col.name)).join(', ');
  const keys = key.map(ident).join(', ');
  const rest = columns.filter((col) => !key.includes(col.name)).map((col) => `${ident(col.name)} = EXCLUDED.${ident(col.name)}`);
  return `INSERT INTO ${t.sql} (${cols}) SELECT DISTINCT ON (${keys}) ${cols} FROM ${work} ORDER BY ${keys}, ${ident(SEQ_COLUMN)} DESC ` +
    `ON CONFLICT (${keys}) DO ${rest.length ? `UPDATE SET ${rest.join(', ')}` : 'NOTHING'}`;
}

/**
 * Replace, step 1: a staging table shaped like the target (`LIKE … INCLUDING ALL`: defaults,
 * constraints, indexes), so refused rows show at COPY time. Created in the run's transaction, it is
 * invisible to other sessions.
 */
export async function createStaging(c: pg.Client, t: Target): Promise<Target> {
  const name = sideName(t, 'new');
  const sql = `${ident(t.schema)}.${ident(name)}`;
  await c.query(`CREATE TABLE ${sql} (LIKE ${t.sql} INCLUDING ALL)`);
  return { sql, schema: t.schema, name, created: true };
}

/**
 * Replace, step 2 (at close, same transaction). Renaming the staging table into place writes the
 * data once and holds the exclusive lock only for the swap; readers queued on the lock then resolve
 * the name again and see the new table. A rename would silently lose what `LIKE` does not copy
 * (grants, triggers and foreign keys, row security, publications, another owner) and cannot drop
 * the old table when views or sequences depend on it: those tables are refilled in place instead
 * (TRUNCATE + INSERT … SELECT, both under the same lock, committed together).
 */
export async function swapIn(c: pg.Client, t: Target, staging: Target): Promise<'rename' | 'refill'> {
  const r = await c.query<{ keep: boolean }>(
    `SELECT c.relacl IS NOT NULL OR c.relhastriggers OR c.relrowsecurity OR c.relkind <> 'r'
         OR c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
         OR EXISTS (SELECT 1 FROM pg_publication_rel p WHERE p.prrelid = c.oid)
         OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid) AS keep
       FROM pg_class c WHERE c.oid = $1::regclass`, [t.sql]);
  if (!r.rows[0]?.keep) {
    const old = sideName(t, 'old');
    await c.query('SAVEPOINT renkei_swap');
    try {
      await c.query(`LOCK TABLE ${t.sql} IN ACCESS EXCLUSIVE MODE`);
      const names = await indexNames(c, t.sql);
      await c.query(`ALTER TABLE ${t.sql} RENAME TO ${ident(old)}`);
      await c.query(`ALTER TABLE ${staging.sql} RENAME TO ${ident(t.name)}`);
      await c.query(`DROP TABLE ${ident(t.schema)}.${ident(old)}`);
      await restoreIndexNames(c, t, names);
      await c.query('RELEASE SAVEPOINT renkei_swap');
      return 'rename';
    } catch (e) {
      if ((e as { code?: string }).code !== '2BP01') throw e; // dependent objects still exist
      await c.query('ROLLBACK TO SAVEPOINT renkei_swap');
      await c.query('RELEASE SAVEPOINT renkei_swap');
    }
  }
  const a = await c.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, [t.sql]);
  const cols = a.rows.map((x) => ident(x.attname)).join(', ');
  await c.query(`LOCK TABLE ${t.sql} IN ACCESS EXCLUSIVE MODE`);
  await c.query(`TRUNCATE ${t.sql}`);
  await c.query(`INSERT INTO ${t.sql} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM ${staging.sql}`);
  await c.query(`DROP TABLE ${staging.sql}`);
  return 'refill';
}

/** Index names of a table keyed by their definition with the index and table names taken out. */
async function indexNames(c: pg.Client, table: string): Promise<Map<string, string>> {
  const r = await c.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, concat_ws('|', x.indisprimary, x.indisunique, x.indkey, x.indclass, i.relam,
            pg_get_expr(x.indexprs, x.indrelid), pg_get_expr(x.indpred, x.indrelid)) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1::regclass`, [table]);
  const m = new Map<string, string>();
  for (const row of r.rows) m.set(m.has(row.def) ? `${row.def}#${row.name}` : row.def, row.name);
  return m;
}

/** `LIKE` named the staging indexes after the staging table: give them back the old names. */
async function restoreIndexNames(c: pg.Client, t: Target, old: Map<string, string>): Promise<void> {
  const now = await indexNames(c, t.sql);
  for (const [def, name] of now) {
    const want = old.get(def);
    if (want && want !== name) await c.query(`ALTER INDEX ${ident(t.schema)}.${ident(name)} RENAME TO ${ident(want)}`);
  }
}
