import { describe, it, expect, beforeAll } from 'vitest';
import pg from 'pg';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { makeCtx } from '../../engine/context.ts';
import { RenkeiError } from '../../engine/errors.ts';
import type { Ctx, Drop, Rec, Row, Sink } from '../../engine/types.ts';
import { postgresSink } from '../../sinks/postgres.ts';

let db: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  db = await freshDb();
  ctx = makeCtx({ db: async () => ({ pool: db.pool, url: db.url, close: async () => {} }) });
});

const COLUMNS = [
  { name: 'id', type: 'integer' }, { name: 'code', type: 'text' }, { name: 'name', type: 'text' },
  { name: 'note', type: 'text' }, { name: 'born', type: 'date' }, { name: 'active', type: 'boolean' },
  { name: 'meta', type: 'jsonb' },
];
const DDL = '(id integer PRIMARY KEY, code text NOT NULL, name text, note text, born date, active boolean, meta jsonb)';

function emp(i: number, tag = ''): Row {
  return {
    id: i, code: `E${String(i).padStart(6, '0')}`, name: `山田 太郎${tag}${i}`,
    note: i % 97 === 0 ? `tab\there\nnew line\\back\rcr ${i}` : null,
    born: i % 3 === 0 ? new Date(Date.UTC(1980 + (i % 30), i % 12, 1 + (i % 28))) : '1990-04-01',
    active: i % 2 === 0, meta: { i, tags: ['人事', tag] },
  };
}
const rows = (from: number, to: number, tag = ''): Row[] => Array.from({ length: to - from }, (_, k) => emp(from + k, tag));
const asRecs = (data: Row[]): Rec[] => data.map((d, i) => ({ data: d, origin: `in.csv:${i + 2}` }));

function sink(opts: Record<string, unknown>): Sink {
  const cfg = postgresSink.schema.parse({ type: 'postgres', columns: COLUMNS, ...opts });
  return postgresSink.create(cfg, ctx);
}

/** open → write in batches → drain → close, as the runner does; returns every Drop. */
async function load(opts: Record<string, unknown>, data: Row[] | Rec[], batch = 1000): Promise<Drop[]> {
  const recs = data.length && 'origin' in data[0] ? (data as Rec[]) : asRecs(data as Row[]);
  const s = sink(opts);
  await s.open();
  const drops: Drop[] = [];
  for (let i = 0; i < recs.length; i += batch) drops.push(...await s.write(recs.slice(i, i + batch)));
  drops.push(...await s.drain!());
  await s.close();
  return drops;
}

async function count(table: string): Promise<number> {
  return Number((await db.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

async function table(name: string, fill = 0, ddl = DDL): Promise<void> {
  await db.pool.query(`DROP TABLE IF EXISTS ${name} CASCADE; CREATE TABLE ${name} ${ddl}`);
  if (fill) await load({ table: name, mode: 'append' }, rows(0, fill, 'old'));
}

describe('postgres sink: the three modes', () => {
  it('append: 100k rows in several COPY segments, values round-trip exactly', async () => {
    await table('emp_append', 10);
    const drops = await load({ table: 'emp_append', mode: 'append', copy_batch_rows: 30_000 }, rows(10, 100_010));
    expect(drops).toEqual([]);
    expect(await count('emp_append')).toBe(100_010);
    const r = await db.pool.query(`SELECT id, code, name, note, born::text, active, meta FROM emp_append WHERE id IN (12, 97, 194) ORDER BY id`);
    expect(r.rows[1]).toEqual({ id: 97, code: 'E000097', name: '山田 太郎97', note: 'tab\there\nnew line\\back\rcr 97',
      born: '1990-04-01', active: false, meta: { i: 97, tags: ['人事', ''] } });
    expect(r.rows[0].born).toBe('1992-01-13'); // a Date → its UTC calendar date
    expect(r.rows[0].note).toBeNull();
  });

  it('replace: 100k rows replace the old ones, index names kept', async () => {
    await table('emp_replace', 500);
    const drops = await load({ table: 'emp_replace', mode: 'replace' }, rows(1000, 101_000, 'new'));
    expect(drops).toEqual([]);
    expect(await count('emp_replace')).toBe(100_000);
    expect(await count('emp_replace WHERE id < 1000')).toBe(0);
    const idx = await db.pool.query(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'emp_replace'::regclass`);
    expect(idx.rows.map((x) => x.name)).toEqual(['emp_replace_pkey']);
    const leftovers = await db.pool.query(`SELECT relname FROM pg_class WHERE relname LIKE 'emp_replace__renkei%'`);
    expect(leftovers.rows).toEqual([]);
  });

  it('upsert: 100k rows insert new keys and update existing ones; the last duplicate in a run wins', async () => {
    await table('emp_upsert', 1000);
    const data = rows(500, 100_500, 'new');
    data.push({ ...emp(700, 'dup'), name: 'last wins 700' }); // same key again, later in the run
    const drops = await load({ table: 'emp_upsert', mode: 'upsert', key: ['id'], copy_batch_rows: 40_000 }, data);
    expect(drops).toEqual([]);
    expect(await count('emp_upsert')).toBe(100_500);
    const r = await db.pool.query(`SELECT id, name FROM emp_upsert WHERE id IN (0, 499, 500, 700, 999, 100499) ORDER BY id`);
    expect(r.rows.map((x) => x.name)).toEqual(['山田 太郎old0', '山田 太郎old499', '山田 太郎new500', 'last wins 700', '山田 太郎new999', '山田 太郎new100499']);
  });

  it('G4: re-running the same upsert changes nothing', async () => {
    await table('emp_idem');
    const data = rows(0, 3000);
    await load({ table: 'emp_idem', mode: 'upsert', key: ['id'] }, data);
    const before = (await db.pool.query('SELECT md5(string_agg(t::text, \',\' ORDER BY id)) AS h FROM emp_idem t')).rows[0].h;
    await load({ table: 'emp_idem', mode: 'upsert', key: ['id'] }, data);
    const after = (await db.pool.query('SELECT md5(string_agg(t::text, \',\' ORDER BY id)) AS h FROM emp_idem t')).rows[0].h;
    expect(after).toBe(before);
    expect(await count('emp_idem')).toBe(3000);
  });

  it('create_table: creates the table (with a primary key on key for upsert)', async () => {
    await db.pool.query('DROP TABLE IF EXISTS emp_created');
    await load({ table: 'public.emp_created', mode: 'upsert', key: ['id'], create_table: true }, rows(0, 100));
    expect(await count('emp_created')).toBe(100);
    const pk = await db.pool.query(`SELECT 1 FROM pg_index WHERE indrelid = 'emp_created'::regclass AND indisprimary`);
    expect(pk.rowCount).toBe(1);
  });

  it('a missing table without create_table fails with SINK_PG and creates nothing', async () => {
    const s = sink({ table: 'emp_missing' });
    await expect(s.open()).rejects.toMatchObject({ code: 'SINK_PG' });
    await s.abort(new Error('x'));
    expect((await db.pool.query(`SELECT to_regclass('emp_missing') AS t`)).rows[0].t).toBeNull();
  });
});

describe('postgres sink: atomicity', () => {
  /** Loads `n` rows with replace while another session counts the table in a loop. */
  async function replaceWhileReading(name: string, n: number): Promise<Set<number>> {
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    const seen = new Set<number>();
    let loading = true;
    const loop = (async () => {
      let after = 0;
      while (loading || after++ < 3) {
        seen.add(Number((await reader.query(`SELECT count(*) AS n FROM ${name}`)).rows[0].n));
      }
    })();
    try {
      await load({ table: name, mode: 'replace', copy_batch_rows: 10_000 }, rows(5000, 5000 + n, 'new'), 500);
    } finally {
      loading = false;
      await loop;
      await reader.end();
    }
    return seen;
  }

  it('replace (rename swap): a concurrent reader sees the old count or the new one, never partial or empty', async () => {
    await table('emp_swap', 2000);
    const seen = await replaceWhileReading('emp_swap', 60_000);
    expect(seen.has(2000)).toBe(true);
    expect(seen.has(60_000)).toBe(true);
    expect([...seen].every((c) => c === 2000 || c === 60_000)).toBe(true);
  });

  it('replace (refill, table with a dependent view and a grant): same guarantee, view and grant kept', async () => {
    await table('emp_refill', 2000);
    await db.pool.query('CREATE VIEW emp_refill_v AS SELECT id FROM emp_refill; GRANT SELECT ON emp_refill TO PUBLIC');
    const seen = await replaceWhileReading('emp_refill', 30_000);
    expect([...seen].every((c) => c === 2000 || c === 30_000)).toBe(true);
    expect(seen.has(30_000)).toBe(true);
    expect(await count('emp_refill_v')).toBe(30_000);
    const acl = await db.pool.query(`SELECT relacl::text AS a FROM pg_class WHERE oid = 'emp_refill'::regclass`);
    expect(acl.rows[0].a).toContain('=r/');
  });

  it('abort after several segments leaves the table exactly as before (append, and a table created by the run)', async () => {
    await table('emp_abort', 100);
    // 5000 rows in segments of 3000: one segment loaded, the second still streaming when aborted.
    const s = sink({ table: 'emp_abort', mode: 'append', copy_batch_rows: 3000 });
    await s.open();
    for (let i = 0; i < 5; i++) await s.write(asRecs(rows(1000 + i * 1000, 2000 + i * 1000)));
    await s.abort(new Error('upstream failed'));
    expect(await count('emp_abort')).toBe(100);
    await expect(s.write(asRecs(rows(9000, 9001)))).rejects.toMatchObject({ code: 'SINK_PG' });

    await db.pool.query('DROP TABLE IF EXISTS emp_abort_new');
    const c = sink({ table: 'emp_abort_new', mode: 'replace', create_table: true });
    await c.open();
    await c.write(asRecs(rows(0, 100)));
    await c.abort(new Error('upstream failed'));
    expect((await db.pool.query(`SELECT to_regclass('emp_abort_new') AS t`)).rows[0].t).toBeNull();
  });

  it('backend terminated mid-COPY: write/close throw SINK_PG (transient), nothing is committed', async () => {
    await table('emp_kill', 1000);
    const c2 = makeCtx({ db: ctx.db });
    const s = postgresSink.create(postgresSink.schema.parse({ type: 'postgres', table: 'emp_kill', columns: COLUMNS }), c2);
    await s.open();
    let failure: unknown;
    try {
      for (let b = 0; b < 200; b++) {
        await s.write(asRecs(rows(10_000 + b * 1000, 11_000 + b * 1000)));
        if (b === 3) {
          const r = await db.pool.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
            [`renkei sink:postgres ${c2.runId}`]);
          expect(r.rows).toEqual([{ ok: true }]);
        }
      }
      await s.drain!();
      await s.close();
    } catch (e) {
      failure = e;
    }
    await s.abort(failure);
    expect(failure).toBeInstanceOf(RenkeiError);
    expect(failure).toMatchObject({ code: 'SINK_PG', transient: true });
    expect((failure as Error).message).toMatch(/connection lost while loading table emp_kill; nothing was committed/);
    expect(await count('emp_kill')).toBe(1000);
    expect(await count('emp_kill WHERE id >= 10000')).toBe(0);
  });
});
