/**
 * Empty CSV fields load as PostgreSQL's own COPY reads them (issue 12): an unquoted empty field is
 * NULL (so an empty date is no longer a rejected row), a quoted empty field is an empty string;
 * `empty_as_null` overrides both ways.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parsePipeline } from '../../config/load.ts';
import { runPipeline } from '../../engine/runner.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let tdb: TestDb;
let dir: string;
beforeAll(async () => {
  tdb = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-csvnull-'));
  fs.writeFileSync(path.join(dir, 'emp.csv'), 'code,name,resign_date,note\nE1,山田,,""\nE2,佐藤,2026-03-31,\nE3,"",,"x"\n');
});

async function load(table: string, extra = '') {
  const loaded = parsePipeline(`name: ${table}
source: { type: csv, path: emp.csv${extra} }
sinks:
  - type: postgres
    connection: ${tdb.url}
    table: ${table}
    create_table: true
    columns: [{ name: code, type: text }, { name: name, type: text }, { name: resign_date, type: date }, { name: note, type: text }]
errors: { type: csv, path: ${table}-errors.csv }
options: { max_rejected_ratio: 1 }
`, path.join(dir, `${table}.yaml`), { env: {} });
  const report = await runPipeline(loaded, { logger: pino({ level: 'silent' }), db: async () => ({ pool: tdb.pool, url: tdb.url, close: async () => {} }), recordRun: false });
  const rows = (await tdb.pool.query(`SELECT code, name, resign_date::text AS resign_date, note FROM ${table} ORDER BY code`)).rows;
  return { report, rows };
}

describe('CSV empty fields', () => {
  it('by default: unquoted empty → NULL (an empty date loads), "" → empty string, as COPY … CSV does', async () => {
    const { report, rows } = await load('csv_default');
    expect(report.counts).toMatchObject({ read: 3, written: 3, rejected: 0 });
    expect(rows).toEqual([
      { code: 'E1', name: '山田', resign_date: null, note: '' },
      { code: 'E2', name: '佐藤', resign_date: '2026-03-31', note: null },
      { code: 'E3', name: '', resign_date: null, note: 'x' },
    ]);
    // The server's own COPY reads the same file the same way.
    await tdb.pool.query('CREATE TABLE csv_by_copy (LIKE csv_default)');
    const csv = fs.readFileSync(path.join(dir, 'emp.csv'), 'utf8').split('\n').slice(1).join('\n');
    const c = await tdb.pool.connect();
    try {
      const { from } = await import('pg-copy-streams');
      const stream = c.query(from('COPY csv_by_copy FROM STDIN (FORMAT csv)'));
      await new Promise<void>((resolve, reject) => { stream.on('finish', () => resolve()); stream.on('error', reject); stream.end(csv); });
    } finally { c.release(); }
    const viaCopy = (await tdb.pool.query(`SELECT code, name, resign_date::text AS resign_date, note FROM csv_by_copy ORDER BY code`)).rows;
    expect(viaCopy).toEqual(rows);
  });

  it('empty_as_null: false keeps every empty field an empty string (the empty date is then rejected); true makes both null', async () => {
    const off = await load('as_text', ', empty_as_null: false');
    expect(off.report.counts).toMatchObject({ read: 3, written: 1, rejected: 2 });
    expect(off.report.reasons.rejected).toEqual({ SINK_PG_ROW: 2 });
    const on = await load('as_null', ', empty_as_null: true');
    expect(on.rows.map((r) => [r.name, r.note])).toEqual([['山田', null], ['佐藤', null], [null, 'x']]);
  });
});
