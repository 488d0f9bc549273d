import { describe, it, expect, beforeAll } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import pino from 'pino';
import { makeCtx } from '../../engine/context.ts';
import type { Ctx, Drop, Rec, Row, Sink } from '../../engine/types.ts';
import { postgresSink } from '../../sinks/postgres.ts';

let db: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  db = await freshDb();
  ctx = makeCtx({ db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }) });
});

const COLUMNS = [
  { name: 'id', type: 'integer' }, { name: 'email', type: 'text', from: 'mail' },
  { name: 'age', type: 'integer' }, { name: 'name', type: 'varchar' },
];
const DDL = `(id integer PRIMARY KEY, email text UNIQUE, age integer CHECK (age >= 0), name varchar(12) NOT NULL)`;

const person = (i: number): Row => ({ id: i, mail: `p${i}@example.jp`, age: 20 + (i % 40), name: `佐藤${i}` });
const asRecs = (data: Row[]): Rec[] => data.map((d, i) => ({ data: d, origin: `in.csv:${i + 2}` }));

function sink(opts: Record<string, unknown>): Sink {
  return postgresSink.create(postgresSink.schema.parse({ type: 'postgres', columns: COLUMNS, ...opts }), ctx);
}

async function load(opts: Record<string, unknown>, recs: Rec[], batch = 500): Promise<Drop[]> {
  const s = sink(opts);
  await s.open();
  const drops: Drop[] = [];
  for (let i = 0; i < recs.length; i += batch) drops.push(...await s.write(recs.slice(i, i + batch)));
  drops.push(...await s.drain!());
  await s.close();
  return drops;
}

async function reset(name: string, existing: number[] = []): Promise<void> {
  await db.pool.query(`DROP TABLE IF EXISTS ${name}; CREATE TABLE ${name} ${DDL}`);
  for (const i of existing) await db.pool.query(`INSERT INTO ${name} VALUES ($1, $2, $3, $4)`, [i, `p${i}@example.jp`, 30, `old${i}`]);
}

const ids = async (name: string): Promise<number[]> => (await db.pool.query(`SELECT id FROM ${name} ORDER BY id`)).rows.map((r) => r.id);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, k) => a + k);

describe('postgres sink: a refused row is rejected alone, every other row lands', () => {
  it('append: type error, unique and primary-key violations, CHECK, value too long — across segments', async () => {
    await reset('p_append', [1_000_000]);
    const data = range(0, 5000).map(person);
    data[123].age = 'abc'; // invalid input syntax for type integer
    data[2500].mail = 'p10@example.jp'; // unique violation with row 10 of this run
    data[3999].age = -5; // CHECK
    data[4500].name = 'とても長い名前がここにあります'; // varchar(12)
    data[4999].id = 1_000_000; // primary key already in the table
    const drops = await load({ table: 'p_append', copy_batch_rows: 2000 }, asRecs(data));
    const bad = [123, 2500, 3999, 4500, 4999];
    expect(drops.map((d) => d.origin)).toEqual(bad.map((i) => `in.csv:${i + 2}`));
    expect(drops.every((d) => d.kind === 'rejected' && d.code === 'SINK_PG_ROW')).toBe(true);
    expect(drops[0]).toMatchObject({ field: 'age', data: data[123] });
    expect(drops[0].message).toMatch(/invalid input syntax for type integer: "abc".*column "age"/);
    expect(drops[1].message).toMatch(/duplicate key value violates unique constraint.*\(email\)=\(p10@example\.jp\)/);
    expect(drops[2].message).toMatch(/violates check constraint/);
    expect(drops[3].message).toMatch(/value too long/);
    expect(await ids('p_append')).toEqual([...range(0, 5000).filter((i) => !bad.includes(i)), 1_000_000]);
  });

  it('replace: refused rows isolated in the staging table; the rest replaces the table', async () => {
    await reset('p_replace', [7, 8, 9]);
    const data = range(100, 1100).map(person);
    data[0].age = 'x';
    data[999].name = null; // NOT NULL, copied to the staging table by LIKE … INCLUDING ALL
    const drops = await load({ table: 'p_replace', mode: 'replace', copy_batch_rows: 300 }, asRecs(data));
    expect(drops.map((d) => d.origin)).toEqual(['in.csv:2', 'in.csv:1001']);
    expect(drops[1].message).toMatch(/null value in column "name"/);
    expect(drops[1].field).toBe('name');
    expect(await ids('p_replace')).toEqual(range(101, 1099));
  });

  it('upsert: NOT NULL and CHECK violations that show only at the INSERT … ON CONFLICT step are isolated too', async () => {
    await reset('p_upsert', [0, 1, 2]);
    const data = range(0, 3000).map(person);
    data[1].name = null; // update of an existing row → NOT NULL
    data[1500].age = -1; // CHECK on insert
    data[2000].age = 'zz'; // type error, at the COPY into the work table
    const drops = await load({ table: 'p_upsert', mode: 'upsert', key: ['id'], copy_batch_rows: 1000 }, asRecs(data));
    expect(drops.map((d) => d.origin)).toEqual(['in.csv:3', 'in.csv:1502', 'in.csv:2002']);
    expect(drops[0].message).toMatch(/null value in column "name"/);
    const r = await db.pool.query(`SELECT id, name FROM p_upsert WHERE id IN (0, 1, 2) ORDER BY id`);
    expect(r.rows.map((x) => x.name)).toEqual(['佐藤0', 'old1', '佐藤2']); // row 1 kept its old value
    expect((await ids('p_upsert')).length).toBe(2998);
  });

  it('upsert into an empty table COPYs straight in, and ends row for row as the general way: duplicates within and across segments (last wins), refused rows isolated', async () => {
    const data = range(0, 5000).map(person);
    data[1600] = { ...person(1500), name: '後勝ち1500' }; // the same key twice in one segment
    data[4100] = { ...person(100), name: '後勝ち100' }; // a key of an earlier segment
    data[2200].age = -5; // CHECK, in direct mode
    data[3300].name = 'とても長い名前がここにあります'; // varchar(12), after direct mode ended
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => { lines.push(JSON.parse(l)); } });
    const run = async (table: string): Promise<Drop[]> => {
      const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', columns: COLUMNS, table, mode: 'upsert', key: ['id'], copy_batch_rows: 1000 }), makeCtx({ logger, db: ctx.db }));
      await s.open();
      const drops: Drop[] = [];
      for (let i = 0; i < data.length; i += 700) drops.push(...await s.write(asRecs(data).slice(i, i + 700)));
      drops.push(...await s.drain!());
      await s.close();
      return drops;
    };
    await reset('p_direct');
    const direct = await run('p_direct');
    const modes = lines.filter((l) => l.msg === 'segment loaded').map((l) => l.direct);
    expect(modes[0]).toBe(true); // the first segment went straight in
    expect(modes).toContain(false); // and the run went the general way after the conflict
    await reset('p_general', [999_999]); // not empty: the general way throughout
    const general = await run('p_general');
    expect(direct.map((d) => d.origin)).toEqual(['in.csv:2202', 'in.csv:3302']);
    const said = (drops: Drop[], table: string) => drops.map((d) => [d.origin, d.message.replaceAll(table, 'T')]);
    expect(said(general, 'p_general')).toEqual(said(direct, 'p_direct'));
    const rows = async (t: string) => (await db.pool.query(`SELECT id, email, age, name FROM ${t} WHERE id <> 999999 ORDER BY id`)).rows;
    const got = await rows('p_direct');
    expect(got).toEqual(await rows('p_general'));
    expect(got.find((r) => r.id === 1500).name).toBe('後勝ち1500');
    expect(got.find((r) => r.id === 100).name).toBe('後勝ち100');
    expect(got.length).toBe(4996); // 5000 records: 2 refused, 2 repeat an earlier key
  });

  it('text records are held as their COPY lines: a refused row\'s record comes back exactly (tabs, backslashes, line breaks, \\N, nulls), in append and in upsert (direct and general)', async () => {
    const cols = [{ name: 'code', type: 'text' }, { name: 'name', type: 'varchar', from: 'label' }, { name: 'note', type: 'text' }];
    const data: Row[] = range(0, 3000).map((i) => ({ code: `E${i}`, label: `名前${i}`, note: i % 7 ? `n\t${i}` : null }));
    data[10] = { code: 'E10', label: 'とても長い名前がここにあります', note: 'tab\there\\back\nline \\N' };
    data[2999] = { code: 'E2999', label: 'これもとても長すぎる名前です', note: null };
    const mk = (table: string, mode: string) => postgresSink.create(postgresSink.schema.parse({ type: 'postgres', columns: cols, table, mode, key: ['code'], copy_batch_rows: 1000 }), ctx);
    for (const [table, mode, pre] of [['p_text_a', 'append', false], ['p_text_u', 'upsert', false], ['p_text_g', 'upsert', true]] as const) {
      await db.pool.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (code text PRIMARY KEY, name varchar(12), note text)`);
      if (pre) await db.pool.query(`INSERT INTO ${table} VALUES ('OLD', 'old', null)`);
      const s = mk(table, mode);
      await s.open();
      const drops: Drop[] = [];
      const recs = asRecs(data);
      for (let i = 0; i < recs.length; i += 700) drops.push(...await s.write(recs.slice(i, i + 700)));
      drops.push(...await s.drain!());
      await s.close();
      expect(drops.map((d) => d.origin), table).toEqual(['in.csv:12', 'in.csv:3001']);
      expect(drops.map((d) => d.data), table).toEqual([data[10], data[2999]]);
      expect(drops[0].message).toMatch(/value too long/);
      const r = await db.pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE note = $1)::int AS tabbed FROM ${table} WHERE code <> 'OLD'`, ['n\t1']);
      expect(r.rows[0], table).toEqual({ n: 2998, tabbed: 1 });
    }
  });

  it('many refused rows (1 in 100) are each isolated; all good rows land', async () => {
    await reset('p_many');
    const data = range(0, 10_000).map(person);
    const bad = range(0, 100).map((k) => k * 100 + (k % 7));
    // Only the server knows these (CHECK, varchar(12)): each is isolated by splitting its segment.
    for (const i of bad) if (i % 2) data[i].age = -1; else data[i].name = 'とても長い名前がここにあります';
    const drops = await load({ table: 'p_many', copy_batch_rows: 4000 }, asRecs(data), 1000);
    expect(drops.map((d) => d.origin)).toEqual(bad.map((i) => `in.csv:${i + 2}`));
    expect((await ids('p_many')).length).toBe(9900);
  });

  it('a row refused early in a large segment while megabytes are still streaming: no crash, one reject', async () => {
    await reset('p_stream');
    const data: Row[] = range(0, 80_000).map((i) => ({ ...person(i), name: `名${i}` }));
    data[3].age = -1; // CHECK: only the server knows, while the segment is still streaming
    const drops = await load({ table: 'p_stream', copy_batch_rows: 80_000 }, asRecs(data), 2000);
    expect(drops.map((d) => d.origin)).toEqual(['in.csv:5']);
    expect((await ids('p_stream')).length).toBe(79_999);
  });

  it('a value its column type cannot take is refused before the server, at once, with the server\'s wording; no segment is split', async () => {
    await reset('p_types');
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => { lines.push(JSON.parse(l)); } });
    const data = range(0, 1000).map(person);
    const bad = range(0, 1000).filter((i) => i % 20 !== 0); // 95% bad
    for (const i of bad) data[i].age = i % 3 ? `x${i}` : 99_999_999_999;
    const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', columns: COLUMNS, table: 'p_types', copy_batch_rows: 200 }), makeCtx({ logger, db: ctx.db }));
    await s.open();
    const now = await s.write(asRecs(data));
    expect(now.map((d) => d.origin)).toEqual(bad.map((i) => `in.csv:${i + 2}`));
    expect(now.every((d) => d.code === 'SINK_PG_ROW' && d.field === 'age')).toBe(true);
    expect(now[0].message).toBe('invalid input syntax for type integer: "x1"; column "age"');
    expect(now[2].message).toBe('value "99999999999" is out of range for type integer; column "age"');
    expect(await s.drain!()).toEqual([]);
    await s.close();
    expect((await ids('p_types')).length).toBe(50);
    const segments = lines.filter((l) => l.msg === 'segment loaded');
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((l) => l.refused === 0)).toBe(true);
  });

  it('refusals of the last segment come from drain(); close() without drain() refuses to commit', async () => {
    await reset('p_drain');
    const data = range(0, 50).map(person);
    data[40].age = -3; // CHECK: known only when the segment ends
    const s = sink({ table: 'p_drain' });
    await s.open();
    expect(await s.write(asRecs(data))).toEqual([]); // segment still open: not known yet
    const late = await s.drain!();
    expect(late.map((d) => d.origin)).toEqual(['in.csv:42']);
    await s.close();
    expect((await ids('p_drain')).length).toBe(49);

    await reset('p_drain');
    const t = sink({ table: 'p_drain' });
    await t.open();
    await t.write(asRecs(data));
    await expect(t.close()).rejects.toMatchObject({ code: 'INTERNAL' });
    await t.abort(new Error('close failed'));
    expect(await ids('p_drain')).toEqual([]);
  });
});
