import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { jsonArrayRecords } from '../../sources/json-array.ts';
import { ndjsonRecords } from '../../sources/json-ndjson.ts';
import { jsonSource } from '../../sources/json.ts';
import { sources } from '../../sources/index.ts';
import { makeCtx } from '../../engine/context.ts';
import { Drop, type Rec } from '../../engine/types.ts';
import { RenkeiError } from '../../engine/errors.ts';

type Item = Rec | Drop;
const base = { encoding: 'utf-8', batchSize: 1000 };

async function drain(gen: AsyncGenerator<Item[]>): Promise<Item[]> {
  const out: Item[] = [];
  for await (const b of gen) out.push(...b);
  return out;
}
const arrayOf = (chunks: Iterable<Uint8Array>, o: { itemsPath?: string; encoding?: string } = {}) =>
  drain(jsonArrayRecords(chunks, { ...base, ...o }, 'in.json'));
const ndjsonOf = (chunks: Iterable<Uint8Array>, o: { encoding?: string } = {}) =>
  drain(ndjsonRecords(chunks, { ...base, ...o }, 'in.ndjson'));
const buf = (s: string) => [Buffer.from(s)];

function* splits(bytes: Buffer): Generator<[number, Buffer[]]> {
  for (let n = 1; n <= bytes.length; n++) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += n) chunks.push(bytes.subarray(i, i + n));
    yield [n, chunks];
  }
}

const recs = (items: Item[]) => items.filter((x): x is Rec => !(x instanceof Drop));
const drops = (items: Item[]) => items.filter((x): x is Drop => x instanceof Drop);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-json-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function readSource(cfg: Record<string, unknown>, batchSize = 1000): Promise<Item[][]> {
  const options = jsonSource.schema.parse({ type: 'json', ...cfg });
  const src = jsonSource.create(options, makeCtx({ baseDir: tmp, options: { batch_size: batchSize, concurrency: 1 } }));
  const batches: Item[][] = [];
  for await (const b of src.read()) batches.push(b);
  return batches;
}

describe('json source: array', () => {
  it('reads a top-level array of objects, origin path:[index]', async () => {
    const out = await arrayOf(buf('[{"id": 1, "name": "山田"}, {"id": 2, "tags": ["a"], "x": {"y": null}}]'));
    expect(out).toEqual([
      { data: { id: 1, name: '山田' }, origin: 'in.json:[0]' },
      { data: { id: 2, tags: ['a'], x: { y: null } }, origin: 'in.json:[1]' },
    ]);
  });

  it('reads an array nested under items_path', async () => {
    const text = '{"meta": {"count": 2, "items": [{"no": 0}]}, "data": {"total": 2, "items": [{"id": "a"}, {"id": "b"}]}, "after": [1]}';
    const out = await arrayOf(buf(text), { itemsPath: 'data.items' });
    expect(out).toEqual([
      { data: { id: 'a' }, origin: 'in.json:data.items[0]' },
      { data: { id: 'b' }, origin: 'in.json:data.items[1]' },
    ]);
  });

  it('rejects a non-object element (JSON_NOT_OBJECT) and keeps the rest', async () => {
    const out = await arrayOf(buf('[{"id": 1}, 42, null, [1], {"id": 2}]'));
    expect(recs(out).map((r) => r.origin)).toEqual(['in.json:[0]', 'in.json:[4]']);
    expect(drops(out).map((d) => [d.kind, d.code, d.origin, d.data])).toEqual([
      ['rejected', 'JSON_NOT_OBJECT', 'in.json:[1]', '42'],
      ['rejected', 'JSON_NOT_OBJECT', 'in.json:[2]', 'null'],
      ['rejected', 'JSON_NOT_OBJECT', 'in.json:[3]', '[1]'],
    ]);
    expect(drops(out)[0].message).toBe('element [1]: expected an object, got number');
  });

  it('fails with SOURCE_IO naming file and line on a syntax error, after yielding the records before it', async () => {
    const lines = ['[', ...Array.from({ length: 5 }, (_, i) => `  {"id": ${i}},`), '  {"id": 5 "oops": 1},', '  {"id": 6}', ']'];
    const seen: Item[] = [];
    const gen = jsonArrayRecords(buf(lines.join('\n')), { ...base, batchSize: 2 }, 'in.json');
    const err = await (async () => { for await (const b of gen) seen.push(...b); })().catch((e: unknown) => e);
    expect(recs(seen).map((r) => r.data.id)).toEqual([0, 1, 2, 3, 4]);
    expect(err).toBeInstanceOf(RenkeiError);
    expect(err).toMatchObject({ code: 'SOURCE_IO' });
    expect((err as Error).message).toMatch(/^in\.json: invalid JSON at line 7: .*\(5 elements read before it\)$/);
  });

  it('fails with SOURCE_IO when the file ends inside the array', async () => {
    await expect(arrayOf(buf('[{"id": 1}, {"id": 2}'))).rejects.toMatchObject({ code: 'SOURCE_IO', message: expect.stringMatching(/^in\.json: invalid JSON at the end of the file/) });
  });

  it('fails with SOURCE_IO when the top level is not an array, or items_path finds none', async () => {
    await expect(arrayOf(buf('{"id": 1}'))).rejects.toMatchObject({ code: 'SOURCE_IO' });
    await expect(arrayOf(buf('{"data": {"rows": []}}'), { itemsPath: 'data.items' }))
      .rejects.toMatchObject({ code: 'SOURCE_IO', message: 'in.json: no array found at items_path "data.items"' });
    expect(await arrayOf(buf('{"data": {"items": []}}'), { itemsPath: 'data.items' })).toEqual([]);
  });

  it('rejects an element holding bytes that are not UTF-8 (JSON_ENCODING), keeps a real U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('[\n{"a": "ok"},\n{"a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"},\n{"a": "\uFFFD"}\n]')]);
    const out = await arrayOf([bytes]);
    expect(recs(out).map((r) => [r.data.a, r.origin])).toEqual([['ok', 'in.json:[0]'], ['\uFFFD', 'in.json:[2]']]);
    expect(drops(out).map((d) => [d.code, d.origin])).toEqual([['JSON_ENCODING', 'in.json:[1]']]);
  });

  it('rejects the element holding bad bytes when several elements share its line (JSON_ENCODING), not the first of them', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"a": "ok"}, {"a": "'), Buffer.from([0xff]), Buffer.from('"}, {"a": "y"}, {"a": "x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
    const out = await arrayOf([bytes]);
    expect(recs(out).map((r) => r.origin)).toEqual(['in.json:[0]', 'in.json:[2]']);
    expect(drops(out).map((d) => [d.code, d.origin])).toEqual([['JSON_ENCODING', 'in.json:[1]'], ['JSON_ENCODING', 'in.json:[3]']]);
  });

  it('gives identical output for input split at every chunk size (BOM, multi-byte text, nesting, escapes)', async () => {
    const text = '\uFEFF{"data": {"items": [\r\n {"名前": "髙橋 ①郎", "kana": "ﾀｶﾊｼ", "esc": "a\\"b\\n\\u3042"},\r\n 7,\r\n {"n": -1.5e3, "ok": true, "nest": [{"k": [1, {"z": null}]}]}\r\n]}}';
    const bytes = Buffer.from(text);
    const ref = await arrayOf([bytes], { itemsPath: 'data.items' });
    expect(ref).toEqual([
      { data: { 名前: '髙橋 ①郎', kana: 'ﾀｶﾊｼ', esc: 'a"b\nあ' }, origin: 'in.json:data.items[0]' },
      expect.objectContaining({ code: 'JSON_NOT_OBJECT', origin: 'in.json:data.items[1]' }),
      { data: { n: -1500, ok: true, nest: [{ k: [1, { z: null }] }] }, origin: 'in.json:data.items[2]' },
    ]);
    for (const [n, chunks] of splits(bytes)) expect(await arrayOf(chunks, { itemsPath: 'data.items' }), `chunk size ${n}`).toEqual(ref);
  });
});

describe('json source: ndjson', () => {
  it('reads one object per line, origin path:line; skips blank lines; accepts CRLF', async () => {
    const out = await ndjsonOf(buf('{"id": 1}\r\n\r\n{"id": 2, "name": "佐藤"}\n   \n{"id": 3}'));
    expect(out).toEqual([
      { data: { id: 1 }, origin: 'in.ndjson:1' },
      { data: { id: 2, name: '佐藤' }, origin: 'in.ndjson:3' },
      { data: { id: 3 }, origin: 'in.ndjson:5' },
    ]);
  });

  it('rejects an invalid line (JSON_INVALID) and a non-object (JSON_NOT_OBJECT) with their lines, reads on', async () => {
    const out = await ndjsonOf(buf('{"id": 1}\n{"id": 2,,}\n[1, 2]\n"text"\n{"id": 5}\n'));
    expect(recs(out).map((r) => r.origin)).toEqual(['in.ndjson:1', 'in.ndjson:5']);
    expect(drops(out).map((d) => [d.code, d.origin, d.data])).toEqual([
      ['JSON_INVALID', 'in.ndjson:2', '{"id": 2,,}'],
      ['JSON_NOT_OBJECT', 'in.ndjson:3', '[1, 2]'],
      ['JSON_NOT_OBJECT', 'in.ndjson:4', '"text"'],
    ]);
    expect(drops(out)[0].message).toMatch(/^line 2: /);
  });

  it('rejects a line with bytes that are not UTF-8 (JSON_ENCODING)', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a": 1}\n{"a": "'), Buffer.from([0xff]), Buffer.from('"}\n{"a": 3}\n')]);
    const out = await ndjsonOf([bytes]);
    expect(recs(out).map((r) => r.data.a)).toEqual([1, 3]);
    expect(drops(out).map((d) => [d.code, d.origin])).toEqual([['JSON_ENCODING', 'in.ndjson:2']]);
  });

  it('gives identical output for input split at every chunk size', async () => {
    const bytes = Buffer.from('\uFEFF{"名": "髙橋①"}\r\n\n{"bad": }\n{"k": "ｱｲｳ"}\n42\n{"last": true}');
    const ref = await ndjsonOf([bytes]);
    expect(ref.map((x) => (x instanceof Drop ? x.code : x.origin))).toEqual(['in.ndjson:1', 'JSON_INVALID', 'in.ndjson:4', 'JSON_NOT_OBJECT', 'in.ndjson:6']);
    for (const [n, chunks] of splits(bytes)) expect(await ndjsonOf(chunks), `chunk size ${n}`).toEqual(ref);
  });
});

describe('json source: the component', () => {
  it('is registered as type json', () => {
    expect(sources.map((s) => s.type)).toContain('json');
  });

  it('reads files in batches of batch_size, in both formats', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ id: i, name: `名前${i}` }));
    fs.writeFileSync(path.join(tmp, 'a.json'), JSON.stringify({ data: { items: rows } }, null, 2));
    fs.writeFileSync(path.join(tmp, 'a.ndjson'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const arr = await readSource({ path: 'a.json', items_path: 'data.items' });
    expect(arr.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(arr[2][499]).toEqual({ data: { id: 2499, name: '名前2499' }, origin: 'a.json:data.items[2499]' });
    const nd = await readSource({ path: 'a.ndjson', format: 'ndjson' });
    expect(nd.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(nd[2][499]).toEqual({ data: { id: 2499, name: '名前2499' }, origin: 'a.ndjson:2500' });
  });

  it('reads CP932 text given as shift_jis', async () => {
    fs.writeFileSync(path.join(tmp, 'sjis.ndjson'), iconv.encode('{"会社": "㈱サンプル", "kana": "ｻﾝﾌﾟﾙ"}\n', 'cp932'));
    const [batch] = await readSource({ path: 'sjis.ndjson', format: 'ndjson', encoding: 'shift_jis' });
    expect(batch).toEqual([{ data: { 会社: '㈱サンプル', kana: 'ｻﾝﾌﾟﾙ' }, origin: 'sjis.ndjson:1' }]);
  });

  it('fails with SOURCE_IO naming the path for a missing file', async () => {
    await expect(readSource({ path: 'missing.json' })).rejects.toMatchObject({ code: 'SOURCE_IO', message: 'cannot open missing.json: no such file' });
  });

  it('validates options', () => {
    const check = (cfg: Record<string, unknown>) => jsonSource.schema.safeParse({ type: 'json', path: 'x.json', ...cfg });
    expect(check({}).data).toMatchObject({ format: 'array', encoding: 'utf-8' });
    expect(check({ format: 'ndjson', items_path: 'a.b' }).success).toBe(false);
    expect(check({ items_path: 'a..b' }).success).toBe(false);
    expect(check({ format: 'xml' }).success).toBe(false);
    expect(check({ pointer: '/a' }).success).toBe(false);
  });
});
