import fc from 'fast-check';
import { describe, it, expect, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'fast-csv';
import { errorCsvSink, neutralise, COLUMNS, INLINE_ROWS } from '../../sinks/error-csv.ts';
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

  it('G2: the writer thread writes every row of every batch, in order, each cell neutralised and quoted, the record as its JSON (any keys, values and batch sizes; small files written inline, larger ones by the thread)', async () => {
    const value = fc.oneof(
      fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('"', '""', '\\', '\u0000', '\ud800', '山田 "太郎"', '=1+2', '\r\n'),
      fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3, noNullPrototype: true }),
      fc.date({ noInvalidDate: true }),
    );
    const record = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('emp_code', '"', '1', '__proto__')), value, { maxKeys: 6, noNullPrototype: true });
    const drop = fc.record({
      data: fc.oneof(record, fc.string({ unit: 'binary' }), fc.constant(undefined)),
      message: fc.string({ unit: 'binary' }), origin: fc.string(), code: fc.string({ minLength: 1 }), rejected: fc.boolean(),
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-err-'));
    let n = 0;
    // Small files are written on the run's thread, larger ones by the writer thread once a run has
    // rejected more than INLINE_ROWS: a first batch that large sends every later batch to the thread.
    const big = Array.from({ length: INLINE_ROWS + 1 }, (_, i) => ({ data: { emp_code: `B${i}` }, message: 'm', origin: `big:${i}`, code: 'B', rejected: true }));
    await fc.assert(fc.asyncProperty(fc.array(fc.array(drop, { maxLength: 30 }), { minLength: 1, maxLength: 9 }), fc.boolean(), async (arbitrary, viaThread) => {
      const batches = viaThread ? [big, ...arbitrary] : arbitrary;
      const ctx = makeCtx({ baseDir: dir, key: ['emp_code'], runId: 'R"1' });
      const sink = errorCsvSink.create({ type: 'csv', path: `p${n++}.csv`, allow_outside: false }, ctx);
      await sink.open();
      const want: string[][] = [];
      for (const batch of batches) {
        const drops = batch.map((x) => Object.assign(new Drop(x.rejected ? 'rejected' : 'filtered', x.code, x.message, x.origin, x.data as never), { stage: '=sink "a"' }));
        await sink.write(drops);
        for (const d of drops) {
          const json = d.data === undefined ? '' : typeof d.data === 'string' ? d.data : JSON.stringify(d.data);
          // What a UTF-8 file can hold: a lone surrogate becomes U+FFFD (JSON escapes its own).
          want.push(['R"1', d.stage, d.code, d.message, dropKey(d, ['emp_code']), d.origin, json, d.kind === 'rejected' ? 'rejected' : 'excluded'].map((c) => Buffer.from(neutralise(c)).toString()));
        }
      }
      await sink.close();
      if (want.length === 0) return;
      const rows = await readCsv(sink.location!);
      expect(rows.slice(1)).toEqual(want);
    }), { numRuns: 25 });
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

  it('G2: a record whose JSON is its own (a toJSON method, a Buffer, a Date) is written as JSON.stringify writes it here, whether the rows are written on this thread or on the writer thread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-err-'));
    for (const viaThread of [false, true]) {
      const sink = errorCsvSink.create({ type: 'csv', path: 'e.csv', allow_outside: false }, makeCtx({ baseDir: dir, key: ['id'], runId: 'R3' }));
      await sink.open();
      const first = viaThread ? Array.from({ length: INLINE_ROWS + 1 }, (_, i) => new Drop('rejected', 'X', 'x', `big:${i}`, { id: `B${i}` }, undefined, 's')) : [];
      if (first.length) await sink.write(first);
      const data = [
        { id: 'a', raw: Buffer.from('山'), when: new Date(Date.UTC(2026, 3, 1)) },
        { id: 'b', custom: { toJSON: () => 'custom text' }, nested: [{ deep: { toJSON: () => 7 } }] },
        { id: 'c', plain: ['x', { y: null }], gone: undefined },
        Object.assign(Object.create(null), { id: 'd', nul: 'no prototype' }),
        ['an', 'array'] as never,
        new Date(Date.UTC(2026, 0, 2)) as never,
      ];
      await sink.write(data.map((d, i) => new Drop('rejected', 'X', 'x', `in:${i}`, d, undefined, 's')));
      await sink.close();
      const rows = await readCsv(sink.location!);
      expect(rows.slice(1 + first.length).map((r) => r[6])).toEqual(data.map((d) => JSON.stringify(d)));
    }
  });

  it('G2: a write the file refuses (here: opened read-only) fails the sink with ERRORS_FILE naming the file, at the next write or at close', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-err-'));
    const open = fs.openSync;
    const spy = vi.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
      const fd = open(file, flags, mode);
      fs.closeSync(fd);
      return open(file, 'r');
    }) as typeof fs.openSync);
    try {
      const sink = errorCsvSink.create({ type: 'csv', path: 'ro.csv', allow_outside: false }, makeCtx({ baseDir: dir, key: [], runId: 'R4' }));
      await sink.open();
      const drops = [new Drop('rejected', 'X', 'x', 'in:1', { a: 1 }, undefined, 's')];
      const failure = (async () => {
        for (let i = 0; i < 50; i++) await sink.write(drops);
        await sink.close();
      })();
      await expect(failure).rejects.toThrow(/cannot write the error file .*ro\.csv: .*EBADF/);
      await expect(sink.close()).rejects.toThrow(/EBADF/); // still fails, and closes the file
      // The same on the writer thread: this thread's own writes are made to succeed, the thread's fail.
      const write = vi.spyOn(fs, 'writeSync').mockImplementation(((_fd: number, b: Uint8Array, offset?: number | null) => b.length - (offset ?? 0)) as typeof fs.writeSync);
      try {
        const big = errorCsvSink.create({ type: 'csv', path: 'ro-big.csv', allow_outside: false }, makeCtx({ baseDir: dir, key: [], runId: 'R5' }));
        await big.open();
        const many = Array.from({ length: INLINE_ROWS + 1 }, (_, i) => new Drop('rejected', 'X', 'x', `in:${i}`, { a: i }, undefined, 's'));
        const failing = (async () => {
          for (let i = 0; i < 20; i++) await big.write(many);
          await big.close();
        })();
        await expect(failing).rejects.toThrow(/cannot write the error file .*ro-big\.csv: .*EBADF/);
        await expect(big.close()).rejects.toThrow(/EBADF/);
      } finally {
        write.mockRestore();
      }
    } finally {
      spy.mockRestore();
    }
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
