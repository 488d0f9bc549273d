import { describe, it, expect, beforeAll } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { makeCtx } from '../../engine/context.ts';
import type { Ctx, Rec, Row } from '../../engine/types.ts';
import { postgresSink } from '../../sinks/postgres.ts';
import { sinkConfigSchema } from '../../config/registry.ts';

let db: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  db = await freshDb();
  ctx = makeCtx({ db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }) });
});

async function load(opts: Record<string, unknown>, data: Row[]): Promise<void> {
  const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', ...opts }), ctx);
  await s.open();
  const recs: Rec[] = data.map((d, i) => ({ data: d, origin: `r${i}` }));
  expect(await s.write(recs)).toEqual([]);
  expect(await s.drain!()).toEqual([]);
  await s.close();
}

describe('postgres sink: identifiers are taken literally', () => {
  it('a table and a column named like SQL injection are loaded under that literal name; the other table survives', async () => {
    await db.pool.query('CREATE TABLE y (v int); INSERT INTO y VALUES (1)');
    const table = 'x"; DROP TABLE y; --';
    const col = 'a"b; DROP TABLE y; --';
    await load({ table, create_table: true, columns: [{ name: col, type: 'text', from: 'v' }] }, [{ v: 'ok' }, { v: null }]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM y')).rows[0].n).toBe(1);
    const r = await db.pool.query(`SELECT "a""b; DROP TABLE y; --" AS v FROM "x""; DROP TABLE y; --" ORDER BY 1`);
    expect(r.rows).toEqual([{ v: 'ok' }, { v: null }]);
  });

  it('a schema-qualified name cannot smuggle SQL: it is simply not found', async () => {
    const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', table: 'public.y; DROP TABLE y', columns: [{ name: 'v', type: 'integer' }] }), ctx);
    await expect(s.open()).rejects.toMatchObject({ code: 'SINK_PG' });
    await s.abort(new Error('open failed'));
    expect((await db.pool.query('SELECT count(*)::int AS n FROM y')).rows[0].n).toBe(1);
  });

  it('configured columns missing from the table fail before any row is sent', async () => {
    await db.pool.query('CREATE TABLE z (v int)');
    const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', table: 'z', columns: [{ name: 'v', type: 'integer' }, { name: 'w', type: 'text' }] }), ctx);
    await expect(s.open()).rejects.toThrow(/has no column "w"/);
    await s.abort(new Error('open failed'));
  });
});

describe('postgres sink: values in COPY text', () => {
  it('escapes backslash, tab, newline and CR; keeps empty string apart from NULL and the text \\N', async () => {
    const values = ['', '\\N', '\\.', 'a\tb', 'x\ny', 'c\r\nd', 'back\\slash\\', '絵文字🙂', ' 先頭と末尾の空白 ', null];
    await load({ table: 'vals', create_table: true, columns: [{ name: 'i', type: 'integer' }, { name: 't', type: 'text' }, { name: 'j', type: 'jsonb' }] },
      values.map((t, i) => ({ i, t, j: t === null ? null : { t, n: [i, true] } })));
    const r = await db.pool.query('SELECT t, j FROM vals ORDER BY i');
    expect(r.rows.map((x) => x.t)).toEqual(values);
    expect(r.rows.map((x) => x.j)).toEqual(values.map((t, i) => (t === null ? null : { t, n: [i, true] })));
  });

  it('a row larger than a COPY chunk (3 MB of text) goes through whole, between ordinary rows', async () => {
    const big = '長'.repeat(1_000_000) + '\t' + 'x'.repeat(100_000);
    const data = Array.from({ length: 3000 }, (_, i) => ({ i, t: i === 1500 ? big : `行${i}` }));
    await load({ table: 'bigrow', create_table: true, columns: [{ name: 'i', type: 'integer' }, { name: 't', type: 'text' }] }, data);
    const r = await db.pool.query('SELECT count(*)::int AS n, max(length(t))::int AS m, bool_and(t = CASE WHEN i = 1500 THEN $1 ELSE \'行\' || i END) AS same FROM bigrow', [big]);
    expect(r.rows[0]).toEqual({ n: 3000, m: big.length, same: true });
  });

  it('numbers, booleans, bigint, Dates and timestamps', async () => {
    const at = new Date('2026-04-01T09:30:00.123+09:00');
    await load({ table: 'typed', create_table: true, columns: [
      { name: 'n', type: 'numeric' }, { name: 'b', type: 'boolean' }, { name: 'big', type: 'bigint' },
      { name: 'd', type: 'date' }, { name: 'ts', type: 'timestamptz' }] },
    [{ n: 1.5, b: true, big: 9007199254740993n, d: new Date(Date.UTC(2026, 3, 1)), ts: at }, { n: -0.25, b: false, big: null, d: '2026-03-31', ts: '2026-04-01 00:00:00+09' }]);
    const r = await db.pool.query(`SELECT n::text, b, big::text, d::text, extract(epoch from ts)::float8 * 1000 AS ms FROM typed ORDER BY n DESC`);
    expect(r.rows).toEqual([
      { n: '1.5', b: true, big: '9007199254740993', d: '2026-04-01', ms: at.getTime() },
      { n: '-0.25', b: false, big: null, d: '2026-03-31', ms: Date.parse('2026-03-31T15:00:00Z') },
    ]);
  });
});

describe('postgres sink: configuration', () => {
  const base = { type: 'postgres', table: 't', columns: [{ name: 'id', type: 'integer' }] };

  it('upsert without key is a config error at path key', () => {
    const r = postgresSink.schema.safeParse({ ...base, mode: 'upsert' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path)).toEqual([['key']]);
  });

  it('the registry schema rejects the same, and key columns must be among the columns', () => {
    const r = sinkConfigSchema().safeParse({ ...base, mode: 'upsert', key: ['email'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path)).toEqual([['key', 0]]);
  });

  it('unknown options, unknown column types and duplicate columns are refused', () => {
    expect(postgresSink.schema.safeParse({ ...base, truncate: true }).success).toBe(false);
    const t = postgresSink.schema.safeParse({ ...base, columns: [{ name: 'id', type: 'int; DROP TABLE y' }] });
    expect(t.error!.issues[0].path).toEqual(['columns', 0, 'type']);
    const d = postgresSink.schema.safeParse({ ...base, columns: [{ name: 'id', type: 'integer' }, { name: 'id', type: 'text' }] });
    expect(d.error!.issues[0].path).toEqual(['columns', 1, 'name']);
  });

  it('defaults: append, no table creation, 5,000-row segments', () => {
    expect(postgresSink.schema.parse(base)).toMatchObject({ mode: 'append', create_table: false, copy_batch_rows: 5_000 });
  });
});
