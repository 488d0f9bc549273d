import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { writeToString } from 'fast-csv';
import { csvRecords, type CsvReadOptions } from '../../sources/csv-records.ts';
import { csvSource } from '../../sources/csv.ts';
import { sources } from '../../sources/index.ts';
import { makeCtx } from '../../engine/context.ts';
import { Drop, type Rec } from '../../engine/types.ts';
import { ConfigError, RenkeiError } from '../../engine/errors.ts';

const defaults: CsvReadOptions = {
  encoding: 'utf-8', delimiter: ',', quote: '"', header: true, skipLines: 0, trim: false, emptyAsNull: false, batchSize: 1000,
};

async function collect(chunks: Iterable<Uint8Array>, over: Partial<CsvReadOptions> = {}): Promise<Array<Rec | Drop>> {
  const out: Array<Rec | Drop> = [];
  for await (const b of csvRecords(chunks, { ...defaults, ...over }, 'in.csv')) out.push(...b);
  return out;
}
const parse = (text: string | Buffer, over: Partial<CsvReadOptions> = {}) =>
  collect([typeof text === 'string' ? Buffer.from(text) : text], over);

/** Every way of cutting `bytes` into pieces of n bytes, for n = 1..length. */
function* splits(bytes: Buffer): Generator<[number, Buffer[]]> {
  for (let n = 1; n <= bytes.length; n++) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += n) chunks.push(bytes.subarray(i, i + n));
    yield [n, chunks];
  }
}

const recs = (items: Array<Rec | Drop>) => items.filter((x): x is Rec => !(x instanceof Drop));
const drops = (items: Array<Rec | Drop>) => items.filter((x): x is Drop => x instanceof Drop);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-csv-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Read a file through the registered component, as a pipeline would. */
async function readSource(cfg: Record<string, unknown>, batchSize = 1000): Promise<Array<Array<Rec | Drop>>> {
  const options = csvSource.schema.parse({ type: 'csv', ...cfg });
  const src = csvSource.create(options, makeCtx({ baseDir: tmp, options: { batch_size: batchSize, concurrency: 1 } }));
  const batches: Array<Array<Rec | Drop>> = [];
  for await (const b of src.read()) batches.push(b);
  return batches;
}

describe('csv source: dialect', () => {
  it('reads header + rows into objects with origin path:line', async () => {
    const out = await parse('id,name\n1,山田\n2,佐藤\n');
    expect(out).toEqual([
      { data: { id: '1', name: '山田' }, origin: 'in.csv:2' },
      { data: { id: '2', name: '佐藤' }, origin: 'in.csv:3' },
    ]);
  });

  it('strips a UTF-8 BOM so the first header name is clean', async () => {
    const out = await parse('\uFEFFid,name\n1,a\n');
    expect(recs(out)[0].data).toEqual({ id: '1', name: 'a' });
    expect(Object.keys(recs(out)[0].data)[0]).toBe('id');
  });

  it('accepts CRLF, LF and lone CR line ends, mixed', async () => {
    const out = await parse('a,b\r\n1,2\r\n3,4\n5,6\r7,8');
    expect(recs(out).map((r) => [r.data.a, r.data.b, r.origin])).toEqual([
      ['1', '2', 'in.csv:2'], ['3', '4', 'in.csv:3'], ['5', '6', 'in.csv:4'], ['7', '8', 'in.csv:5'],
    ]);
  });

  it('keeps quoted delimiters, newlines (CRLF as is) and doubled quotes; the next record has the right line', async () => {
    const out = await parse('id,note\r\n1,"a, b"\r\n2,"line1\r\nline2\nline3"\r\n3,"say ""hi"""\r\n4,x\r\n');
    expect(recs(out).map((r) => [r.data.note, r.origin])).toEqual([
      ['a, b', 'in.csv:2'],
      ['line1\r\nline2\nline3', 'in.csv:3'],
      ['say "hi"', 'in.csv:6'],
      ['x', 'in.csv:7'],
    ]);
  });

  it('skips blank lines without losing count of lines', async () => {
    const out = await parse('a,b\n\n1,2\r\n\r\n\n3,4\n\n');
    expect(recs(out).map((r) => r.origin)).toEqual(['in.csv:3', 'in.csv:6']);
    expect(drops(out)).toEqual([]);
  });

  it('reads a stray quote inside an unquoted field as a literal character; text after a closing quote rejects the row (never silently joined)', async () => {
    const out = await parse('a,b\n12" screen,x\nab"c,"d"e\n2,"b"c\n');
    expect(recs(out).map((r) => r.data)).toEqual([{ a: '12" screen', b: 'x' }]);
    expect(drops(out).map((d) => [d.code, d.origin])).toEqual([['CSV_TEXT_AFTER_QUOTE', 'in.csv:3'], ['CSV_TEXT_AFTER_QUOTE', 'in.csv:4']]);
  });

  it('a line longer than the limit is rejected with its line and the read goes on, the same at every chunking', async () => {
    const text = 'a,b\n1,2\n3,' + 'x'.repeat(40) + '\n4,5\n6,' + 'y'.repeat(40);
    const o = { maxQuoted: 16 };
    const ref = await parse(text, o);
    expect(recs(ref).map((r) => r.data)).toEqual([{ a: '1', b: '2' }, { a: '4', b: '5' }]);
    expect(drops(ref).map((d) => [d.code, d.origin])).toEqual([['CSV_RECORD_TOO_LONG', 'in.csv:3'], ['CSV_RECORD_TOO_LONG', 'in.csv:5']]);
    for (const [n, chunks] of splits(Buffer.from(text))) expect(await collect(chunks, o), `chunks of ${n}`).toEqual(ref);
  });

  it('honours a tab delimiter, given as "\\t" or as a tab', async () => {
    for (const delimiter of ['\t']) {
      const out = await parse('氏名\t部署\n山田 太郎\t営業部, 第一課\n', { delimiter });
      expect(recs(out)[0].data).toEqual({ 氏名: '山田 太郎', 部署: '営業部, 第一課' });
    }
    fs.writeFileSync(path.join(tmp, 'tab.tsv'), 'a\tb\n1\t2\n');
    const [batch] = await readSource({ path: 'tab.tsv', delimiter: '\\t' });
    expect(batch).toEqual([{ data: { a: '1', b: '2' }, origin: 'tab.tsv:2' }]);
  });

  it('takes a custom quote character', async () => {
    const out = await parse("a;b\n'x;y';'it''s'\n", { delimiter: ';', quote: "'" });
    expect(recs(out)[0].data).toEqual({ a: 'x;y', b: "it's" });
  });

  it('names fields with explicit columns (header: false), or renames header fields by position (header: true)', async () => {
    const noHeader = await parse('1,山田\n2,佐藤\n', { header: false, columns: ['id', 'name'] });
    expect(recs(noHeader).map((r) => [r.data, r.origin])).toEqual([
      [{ id: '1', name: '山田' }, 'in.csv:1'], [{ id: '2', name: '佐藤' }, 'in.csv:2'],
    ]);
    const renamed = await parse('社員番号,氏名\n1,山田\n', { columns: ['id', 'name'] });
    expect(recs(renamed)).toEqual([{ data: { id: '1', name: '山田' }, origin: 'in.csv:2' }]);
    await expect(parse('a,b,c\n1,2,3\n', { columns: ['id', 'name'] })).rejects.toThrow(ConfigError);
  });

  it('skips title lines before the header (skip_lines), counting them in line numbers', async () => {
    const out = await parse('社員一覧 "2024年4月\r\n出力日: 2024-04-01\r\nid,name\r\n1,a\r\n', { skipLines: 2 });
    expect(recs(out)).toEqual([{ data: { id: '1', name: 'a' }, origin: 'in.csv:4' }]);
  });

  it('by default reads empty fields as PostgreSQL does: unquoted empty → null, "" → empty string, at any chunking', async () => {
    const text = 'a,b,c,d,e\n,"",x,"",""\r\n"","",,"q",\n';
    const want = [{ a: null, b: '', c: 'x', d: '', e: '' }, { a: '', b: '', c: null, d: 'q', e: null }];
    const pg = { ...defaults, emptyAsNull: undefined };
    expect(recs(await parse(text, pg)).map((r) => r.data)).toEqual(want);
    for (const [n, chunks] of splits(Buffer.from(text))) {
      expect(recs(await collect(chunks, pg)).map((r) => r.data), `chunks of ${n}`).toEqual(want);
    }
  });

  it('trims around values (not inside quotes) with trim, and gives null for empty values with empty_as_null', async () => {
    const out = await parse('a,b,c\n  x  , " y " ,\u3000z\u3000\n', { trim: true });
    expect(recs(out)[0].data).toEqual({ a: 'x', b: ' y ', c: 'z' });
    const nulls = await parse('a,b,c\n,"",x\n', { emptyAsNull: true });
    expect(recs(nulls)[0].data).toEqual({ a: null, b: null, c: 'x' });
    const kept = await parse('a,b,c\n,"",x\n');
    expect(recs(kept)[0].data).toEqual({ a: '', b: '', c: 'x' });
  });

  it('makes a key named __proto__ an own field, not the prototype', async () => {
    const out = await parse('__proto__,b\nx,y\n');
    const data = recs(out)[0].data;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'b']);
    expect(data['__proto__']).toBe('x');
  });
});

describe('csv source: malformed input becomes rejected records, the read goes on', () => {
  it('rejects ragged rows with their line and raw text (CSV_RAGGED_ROW), keeps the others', async () => {
    const out = await parse('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    expect(recs(out).map((r) => r.origin)).toEqual(['in.csv:2', 'in.csv:5']);
    const d = drops(out);
    expect(d.map((x) => [x.kind, x.code, x.origin, x.data])).toEqual([
      ['rejected', 'CSV_RAGGED_ROW', 'in.csv:3', '4,5'],
      ['rejected', 'CSV_RAGGED_ROW', 'in.csv:4', '6,7,8,9'],
    ]);
    expect(d[0].message).toBe('line 3: expected 3 columns, got 2');
  });

  it('rejects the line where a never-closed quote opened (CSV_UNTERMINATED_QUOTE) and reads on from the next line', async () => {
    const out = await parse('a,b\n1,"x\ny"\n2,"never closed\n3,z\n4,w');
    expect(recs(out).map((r) => [r.data, r.origin])).toEqual([
      [{ a: '1', b: 'x\ny' }, 'in.csv:2'], [{ a: '3', b: 'z' }, 'in.csv:5'], [{ a: '4', b: 'w' }, 'in.csv:6'],
    ]);
    expect(drops(out).map((x) => [x.code, x.origin, x.data])).toEqual([['CSV_UNTERMINATED_QUOTE', 'in.csv:4', '2,"never closed']]);
    expect(drops(out)[0].message).toMatch(/^line 4: /);
    const late = await parse('a,b\n1,"x\r\ny",2,"z\r\n3,w\r\n');
    expect(drops(late).map((x) => [x.code, x.origin, x.data])).toEqual([['CSV_UNTERMINATED_QUOTE', 'in.csv:3', '1,"x\r\ny",2,"z']]);
    expect(recs(late)).toEqual([{ data: { a: '3', b: 'w' }, origin: 'in.csv:4' }]);
  });

  it('gives up on a quote open longer than maxQuoted before the end of input, so memory stays bounded', async () => {
    const lines = ['id,name', '1,"stray quote'];
    for (let i = 2; i <= 40; i++) lines.push(`${i},name ${i}`);
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const atEof = await parse(bytes);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const capped = await collect(chunks, { maxQuoted: 60 });
    expect(capped).toEqual(atEof);
    expect(drops(capped).map((x) => [x.code, x.origin])).toEqual([['CSV_UNTERMINATED_QUOTE', 'in.csv:2']]);
    expect(recs(capped).map((r) => r.data.id)).toEqual(Array.from({ length: 39 }, (_, i) => String(i + 2)));
    // The cap is what ends the wait: the rejection comes out while most of the input is still unread.
    let pulled = 0;
    const counted = function* () { for (const c of chunks) { pulled++; yield c; } };
    const pulledAtDrop = async (maxQuoted?: number) => {
      pulled = 0;
      for await (const b of csvRecords(counted(), { ...defaults, batchSize: 1, maxQuoted }, 'in.csv')) {
        if (b.some((x) => x instanceof Drop)) return pulled;
      }
      return -1;
    };
    expect(await pulledAtDrop(60)).toBeLessThan(chunks.length / 2);
    expect(await pulledAtDrop()).toBe(chunks.length);
    // a record longer than the cap is rejected even when it arrives whole (the same verdict at any chunking)
    const long = 'x'.repeat(200);
    expect(drops(await parse(`a\n"${long}"\n`, { maxQuoted: 60 })).map((d) => d.code)).toEqual(['CSV_RECORD_TOO_LONG']);
  });

  it('rejects a row with bytes that are not UTF-8 (CSV_ENCODING) and never emits U+FFFD as data', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,ok\n2,'), Buffer.from([0xff, 0xfe]), Buffer.from('bad\n3,\uFFFD is fine when it was written\n')]);
    const out = await parse(bytes);
    expect(recs(out).map((r) => [r.data.a, r.origin])).toEqual([['1', 'in.csv:2'], ['3', 'in.csv:4']]);
    expect(recs(out)[1].data.b).toBe('\uFFFD is fine when it was written');
    expect(drops(out).map((x) => [x.code, x.origin])).toEqual([['CSV_ENCODING', 'in.csv:3']]);
  });

  it('rejects a truncated multi-byte character at the end of the file', async () => {
    const bytes = Buffer.concat([Buffer.from('a\n山\n'), Buffer.from('田').subarray(0, 2)]);
    const out = await parse(bytes);
    expect(recs(out).map((r) => r.data.a)).toEqual(['山']);
    expect(drops(out).map((x) => [x.code, x.origin])).toEqual([['CSV_ENCODING', 'in.csv:3']]);
  });

  it('fails with a clear message when the header row is not valid in the encoding (wrong `encoding`)', async () => {
    const sjis = iconv.encode('社員番号,氏名\n1,山田\n', 'cp932');
    await expect(parse(sjis)).rejects.toThrow(/header row has bytes that are not valid utf-8; is `encoding` right\?/);
  });

  it('fails on empty or duplicate header names, naming them (ConfigError)', async () => {
    await expect(parse('id,,name\n1,2,3\n')).rejects.toThrow(/header column 2 is empty/);
    await expect(parse('id,name,id\n1,2,3\n')).rejects.toThrow(/header "id" appears twice \(columns 1 and 3\)/);
    await expect(parse('id,name,id\n1,2,3\n')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('csv source: encodings', () => {
  const text = '社員番号,氏名,カナ,会社\r\n001,髙橋 ①郎,ﾀｶﾊｼ ｲﾁﾛｳ,㈱サンプル\r\n002,"渡邊, 花子","ﾜﾀﾅﾍﾞ\r\nﾊﾅｺ",Ｎｅｃ 纊褜\r\n003,齋藤,ｻｲﾄｳ,―～∥－￢\r\n';
  const expected = [
    { data: { 社員番号: '001', 氏名: '髙橋 ①郎', カナ: 'ﾀｶﾊｼ ｲﾁﾛｳ', 会社: '㈱サンプル' }, origin: 'in.csv:2' },
    { data: { 社員番号: '002', 氏名: '渡邊, 花子', カナ: 'ﾜﾀﾅﾍﾞ\r\nﾊﾅｺ', 会社: 'Ｎｅｃ 纊褜' }, origin: 'in.csv:3' },
    { data: { 社員番号: '003', 氏名: '齋藤', カナ: 'ｻｲﾄｳ', 会社: '―～∥－￢' }, origin: 'in.csv:5' },
  ];

  it('reads Shift_JIS / CP932 (①, ㈱, half-width kana, NEC/IBM kanji) under either name', async () => {
    const bytes = iconv.encode(text, 'cp932');
    expect(iconv.decode(bytes, 'cp932')).toBe(text); // the test data really is CP932
    expect(await parse(bytes, { encoding: 'shift_jis' })).toEqual(expected);
    expect(await parse(bytes, { encoding: 'cp932' })).toEqual(expected);
    expect(await parse(bytes, { encoding: 'Shift-JIS' })).toEqual(expected);
  });

  it('reads EUC-JP', async () => {
    const simple = '氏名,カナ\n山田,ﾔﾏﾀﾞ\n';
    expect(recs(await parse(iconv.encode(simple, 'euc-jp'), { encoding: 'euc-jp' }))[0].data).toEqual({ 氏名: '山田', カナ: 'ﾔﾏﾀﾞ' });
  });

  it('rejects a row with bytes CP932 cannot map (CSV_ENCODING)', async () => {
    const bytes = Buffer.concat([iconv.encode('a,b\n1,山\n2,', 'cp932'), Buffer.from([0x85, 0x40]), iconv.encode('\n3,x\n', 'cp932')]);
    const out = await parse(bytes, { encoding: 'cp932' });
    expect(recs(out).map((r) => r.origin)).toEqual(['in.csv:2', 'in.csv:4']);
    expect(drops(out).map((x) => [x.code, x.origin])).toEqual([['CSV_ENCODING', 'in.csv:3']]);
  });

  it('gives identical output for input split at every chunk size (UTF-8 with BOM, and CP932)', async () => {
    const corpus = '\uFEFFid,name,note\r\n1,山田,"a,b"\r\n\r\n2,"田中\r\n太郎","say ""hi"""\n3,x\n4,y,z"q\r5,"p"x,r\r\n\n6,"開いたまま,x\n7,a,b\n';
    const utf8 = Buffer.from(corpus);
    const ref = await parse(utf8);
    expect(recs(ref).map((r) => r.origin)).toEqual(['in.csv:2', 'in.csv:4', 'in.csv:7', 'in.csv:11']);
    expect(drops(ref).map((d) => [d.code, d.origin])).toEqual([['CSV_RAGGED_ROW', 'in.csv:6'], ['CSV_TEXT_AFTER_QUOTE', 'in.csv:8'], ['CSV_UNTERMINATED_QUOTE', 'in.csv:10']]);
    for (const [n, chunks] of splits(utf8)) expect(await collect(chunks), `chunk size ${n}`).toEqual(ref);

    const sjis = iconv.encode(text, 'cp932');
    for (const [n, chunks] of splits(sjis)) expect(await collect(chunks, { encoding: 'cp932' }), `chunk size ${n}`).toEqual(expected);
    const skipped = await parse(Buffer.from('title\r\nmore "title\r\na,b\r\n1,2\r\n'), { skipLines: 2 });
    for (const [n, chunks] of splits(Buffer.from('title\r\nmore "title\r\na,b\r\n1,2\r\n'))) {
      expect(await collect(chunks, { skipLines: 2 }), `chunk size ${n}`).toEqual(skipped);
    }
  });

  it('a read larger than the 64 KiB decoding pieces gives what small reads give: characters and rows across piece edges, bad bytes at their lines', async () => {
    // ~400 KB of 1-, 2-, 3- and 4-byte characters, so that piece edges fall inside characters, with
    // a few invalid bytes and quoted fields spanning lines.
    const lines = ['id,name,note'];
    for (let i = 1; i <= 6000; i++) lines.push(`${i},山田𠮷ü${'あ'.repeat(i % 17)},"note ${i}\n続き é"`);
    const good = Buffer.from(lines.join('\n') + '\n');
    const bytes = Buffer.concat([good.subarray(0, 100_000), Buffer.from([0xff]), good.subarray(100_000, 250_001), Buffer.from([0xc3]), good.subarray(250_001)]);
    const whole = await collect([bytes]);
    const small = await collect(Array.from({ length: Math.ceil(bytes.length / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096)));
    expect(whole).toEqual(small);
    expect(recs(whole)).toHaveLength(6000 - drops(whole).length);
    expect(drops(whole).map((d) => d.code)).toEqual(['CSV_ENCODING', 'CSV_ENCODING']);
    expect(recs(whole).at(-1)!.data).toEqual({ id: '6000', name: `山田𠮷ü${'あ'.repeat(6000 % 17)}`, note: 'note 6000\n続き é' });
  });

  it('emits each row as soon as the chunk that completes it arrives (no hidden buffering)', async () => {
    const chunks = ['a,b\n1,"x', '\ny"\n3,4\n', '5,6\n', '7,"8"\n', '9,10\n'].map((c) => Buffer.from(c));
    let pulled = 0;
    const counted = function* () { for (const c of chunks) { pulled++; yield c; } };
    const seenAt: Record<string, number> = {};
    for await (const b of csvRecords(counted(), { ...defaults, batchSize: 1 }, 'in.csv')) {
      for (const r of recs(b)) seenAt[String(r.data.a)] = pulled;
    }
    expect(seenAt).toEqual({ 1: 2, 3: 2, 5: 3, 7: 4, 9: 5 });
  });

  it('property: rows written by fast-csv read back as the same rows, at any chunking', async () => {
    const cell = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[a-z",\r\n 山田①ｱ㈱\t]{0,12}$/),
      fc.constantFrom('', '"', '""', ',', '\r\n', '\n', '\r', ' 髙橋 ', 'a"b'),
    );
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 2, max: 5 }).chain((w) => fc.tuple(fc.constant(w), fc.array(fc.array(cell, { minLength: w, maxLength: w }), { maxLength: 8 }))),
      fc.integer({ min: 1, max: 64 }),
      async ([w, rows], chunk) => {
        const header = Array.from({ length: w }, (_, i) => `c${i}`);
        const text = await writeToString([header, ...rows]);
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
        const out = await collect(chunks);
        expect(drops(out)).toEqual([]);
        expect(recs(out).map((r) => header.map((h) => r.data[h]))).toEqual(rows);
      },
    ), { numRuns: 300 });
  });
});

describe('csv source: the component', () => {
  it('is registered as type csv', () => {
    expect(sources.map((s) => s.type)).toContain('csv');
  });

  it('streams a file in batches of batch_size, origins relative to the path as configured', async () => {
    const lines = ['id,name'];
    for (let i = 1; i <= 2500; i++) lines.push(`${i},"名前${i}\n二行目"`);
    fs.mkdirSync(path.join(tmp, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'sub', 'big.csv'), lines.join('\r\n') + '\r\n');
    const batches = await readSource({ path: 'sub/big.csv' }, 1000);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    const last = batches[2][499] as Rec;
    expect(last).toEqual({ data: { id: '2500', name: '名前2500\n二行目' }, origin: 'sub/big.csv:5000' });
  });

  it('reads a CP932 file given as shift_jis', async () => {
    fs.writeFileSync(path.join(tmp, 'sjis.csv'), iconv.encode('氏名,会社\r\n山田,㈱①\r\n', 'cp932'));
    const [batch] = await readSource({ path: 'sjis.csv', encoding: 'shift_jis' });
    expect(batch).toEqual([{ data: { 氏名: '山田', 会社: '㈱①' }, origin: 'sjis.csv:2' }]);
  });

  it('fails with SOURCE_IO naming the path for a missing file', async () => {
    const err = await readSource({ path: 'nope/missing.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenkeiError);
    expect(err).toMatchObject({ code: 'SOURCE_IO' });
    expect((err as Error).message).toBe('cannot open nope/missing.csv: no such file');
  });

  it('fails with SOURCE_IO for an empty file that should have a header; an empty file without header is zero records', async () => {
    fs.writeFileSync(path.join(tmp, 'empty.csv'), '');
    await expect(readSource({ path: 'empty.csv' })).rejects.toMatchObject({ code: 'SOURCE_IO', message: 'empty.csv: the file is empty (expected a header row)' });
    expect(await readSource({ path: 'empty.csv', header: false, columns: ['a'] })).toEqual([]);
  });

  it('validates options: columns required without header, one-character delimiter, known encoding, no unknown keys', () => {
    const bad = (cfg: Record<string, unknown>) => csvSource.schema.safeParse({ type: 'csv', path: 'x.csv', ...cfg });
    expect(bad({ header: false }).error?.issues[0].path).toEqual(['columns']);
    expect(bad({ delimiter: ';;' }).success).toBe(false);
    expect(bad({ delimiter: '"' }).success).toBe(false);
    expect(bad({ encoding: 'klingon' }).success).toBe(false);
    expect(bad({ columns: ['a', 'a'] }).success).toBe(false);
    expect(bad({ sep: ',' }).success).toBe(false);
    expect(bad({}).data).toMatchObject({ encoding: 'utf-8', delimiter: ',', quote: '"', header: true, skip_lines: 0, trim: false });
    expect(bad({}).data?.empty_as_null).toBeUndefined();
  });

  it('stops reading when the consumer stops pulling (close releases the file)', async () => {
    const lines = ['id'];
    for (let i = 0; i < 50_000; i++) lines.push(String(i));
    fs.writeFileSync(path.join(tmp, 'long.csv'), lines.join('\n'));
    const options = csvSource.schema.parse({ type: 'csv', path: 'long.csv' });
    const src = csvSource.create(options, makeCtx({ baseDir: tmp, options: { batch_size: 100, concurrency: 1 } }));
    let seen = 0;
    for await (const b of src.read()) { seen += b.length; if (seen >= 200) break; }
    await src.close?.();
    expect(seen).toBe(200);
  });
});
