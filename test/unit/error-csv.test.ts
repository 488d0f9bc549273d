import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'fast-csv';
import { errorCsvSink, neutralise, COLUMNS, csvRow, errorLine, recordJsonCell } from '../../sinks/error-csv.ts';
import { dropKey } from '../../engine/keys.ts';
import { makeCtx } from '../../engine/context.ts';
import { Drop } from '../../engine/types.ts';

async function readCsv(file: string): Promise<string[][]> {
  const rows: string[][] = [];
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file).pipe(parse({ headers: false })).on('data', (r: string[]) => rows.push(r)).on('end', () => resolve()).on('error', reject);
  });
  return rows;
}

describe('error CSV sink', () => {
  it('G3: cells starting with = + - @ (also full-width, or after spaces, and tab/CR) are neutralised, others untouched', () => {
    for (const s of ['=1+2', '+81 3', '-5', '@SUM(A1)', '\tx', '\rx', ' =1+2', '\u3000=SUM(A1)', '＝1+2', '＋81']) expect(neutralise(s)).toBe(`'${s}`);
    for (const s of ['abc', '', '1=1', '山田']) expect(neutralise(s)).toBe(s);
  });

  it('G3: the first-character fast path changes nothing: the same cells are neutralised as by the rule alone (any kind of space, full-width forms)', () => {
    const rule = (c: string) => (/^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r]/.test(c) ? `'${c}` : c);
    const first = fc.constantFrom('', ' ', '\u00a0', '\ufeff', '\u2003', '\u3000', '\t', '\r', '\n', '=', '+', '-', '@', '＝', '＋', '－', '＠', 'a', '1', '山', 'ア', '~', '[');
    fc.assert(fc.property(fc.array(first, { maxLength: 3 }), fc.string({ maxLength: 4 }), (head, tail) => {
      const cell = head.join('') + tail;
      expect(neutralise(cell)).toBe(rule(cell));
    }), { numRuns: 2000 });
  });

  it('G2: a row written in one pass is the row of its cells: each neutralised, quoted, the record as JSON.stringify wrote it (any keys and values)', () => {
    const value = fc.oneof(
      fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('"', '""', '\\', '\u0000', '\ud800', '山田 "太郎"', '=1+2'),
      fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3, noNullPrototype: true }),
      fc.date({ noInvalidDate: true }),
    );
    const record = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('emp_code', '"', '1', '__proto__')), value, { maxKeys: 6, noNullPrototype: true });
    const data = fc.oneof(record, fc.string({ unit: 'binary' }), fc.constant(undefined));
    fc.assert(fc.property(data, fc.string(), fc.string(), fc.string(), fc.boolean(), (d, message, origin, code, rejected) => {
      const drop = new Drop(rejected ? 'rejected' : 'filtered', code || 'X', message, origin, d as never);
      drop.stage = 'sink "a"';
      const json = d === undefined ? '' : typeof d === 'string' ? d : JSON.stringify(d);
      const cells = ['R"1', drop.stage, drop.code, message, dropKey(drop, ['emp_code']), origin, json, rejected ? 'rejected' : 'excluded'].map(neutralise);
      expect(errorLine('\n' + csvRow([neutralise('R"1')]) + ',', ['emp_code'], drop)).toBe('\n' + csvRow(cells));
      if (d && typeof d === 'object') expect(recordJsonCell(d)).toBe(JSON.stringify(d).replaceAll('"', '""'));
    }), { numRuns: 1500 });
  });

  it('G2: writes every drop with run id, stage, code, message, key, origin and record; G3: UTF-8 with BOM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-err-'));
    const ctx = makeCtx({ baseDir: dir, key: ['emp_code'], runId: 'R1' });
    const sink = errorCsvSink.create({ type: 'csv', path: 'errs/{run_id}.csv', allow_outside: false }, ctx);
    await sink.open();
    expect(sink.location).toBeNull(); // created with the first reject, not before
    expect(fs.existsSync(path.join(dir, 'errs'))).toBe(false);
    await sink.write([
      new Drop('rejected', 'MISSING_EMAIL', 'email: missing', 'in.csv:3', { emp_code: '007', name: '山田,"太郎"\n' }, 'email', 'transforms[0]:validate'),
      new Drop('rejected', 'CSV_RAGGED_ROW', 'line 9: expected 3 columns, got 4', 'in.csv:9', '=HYPERLINK("http://x"),a,b,c', undefined, 'source:csv'),
    ]);
    await sink.close();
    expect(sink.location).toBe(path.join(dir, 'errs/R1.csv'));
    expect(fs.statSync(sink.location!).mode & 0o777).toBe(0o600);
    const bytes = fs.readFileSync(sink.location!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = await readCsv(sink.location!);
    rows[0][0] = rows[0][0].replace(/^\uFEFF/, '');
    expect(rows[0]).toEqual([...COLUMNS]);
    expect(rows[1].slice(0, 6)).toEqual(['R1', 'transforms[0]:validate', 'MISSING_EMAIL', 'email: missing', '007', 'in.csv:3']);
    expect(JSON.parse(rows[1][6])).toEqual({ emp_code: '007', name: '山田,"太郎"\n' });
    expect(rows[2][6]).toBe(`'=HYPERLINK("http://x"),a,b,c`);
    expect(rows).toHaveLength(3);
  });

  it('never overwrites an existing file (a new name is taken), keeps relative paths inside the pipeline folder, refuses /proc', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-err-'));
    const ctx = makeCtx({ baseDir: dir, key: [], runId: 'R2' });
    fs.writeFileSync(path.join(dir, 'errors.csv'), 'precious');
    const drop = new Drop('rejected', 'X', 'x', 'in:1', { a: 1 }, undefined, 's');
    const sink = errorCsvSink.create({ type: 'csv', path: 'errors.csv', allow_outside: false }, ctx);
    await sink.open();
    await sink.write([drop]);
    await sink.close();
    expect(fs.readFileSync(path.join(dir, 'errors.csv'), 'utf8')).toBe('precious');
    expect(sink.location).toBe(path.join(dir, 'errors-2.csv'));
    const none = errorCsvSink.create({ type: 'csv', path: 'never.csv', allow_outside: false }, ctx);
    await none.open();
    await none.close();
    expect(fs.existsSync(path.join(dir, 'never.csv'))).toBe(false);
    expect(() => errorCsvSink.create({ type: 'csv', path: '../../outside.csv', allow_outside: false }, ctx)).toThrow(/leads out of the pipeline's folder/);
    expect(errorCsvSink.create({ type: 'csv', path: '../outside.csv', allow_outside: true }, ctx).location).toBeNull();
    expect(() => errorCsvSink.create({ type: 'csv', path: '/proc/self/x', allow_outside: false }, ctx)).toThrow(/not a regular file location/);
  });
});
