import { describe, expect, it } from 'vitest';
import { map, mapStage } from '../../../transforms/map.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';

const stage = (opts: Record<string, unknown>) => map.create(map.schema.parse({ type: 'map', ...opts }), makeCtx());

const EMPLOYMENT = { 正社員: '正社員', 契約社員: '契約社員', 派遣社員: '派遣社員', 'アルバイト・パート': 'パート・アルバイト', 業務委託: '業務委託', 役員: '役員（任用契約）' };

describe('map', () => {
  it('M-E1: renames fields and outputs only the mapped ones by default', async () => {
    const { out } = await runStage(stage({ fields: { 姓: { from: 'last_name' }, 社員番号: { from: 'emp_code' } } }), [{ last_name: '山田', emp_code: 'E1', secret: 'x' }]);
    expect(out[0].data).toEqual({ 姓: '山田', 社員番号: 'E1' });
  });
  it('keep: true keeps unmapped input fields, mapped fields win', async () => {
    const { out } = await runStage(stage({ keep: true, fields: { a: { from: 'b' } } }), [{ a: 1, b: 2, c: 3 }]);
    expect(out[0].data).toEqual({ a: 2, b: 2, c: 3 });
  });
  it('keep: true copies the record as it is (key order, a "__proto__" field as data, the input not changed), rules read the input, a failed lookup leaves the record as it came', async () => {
    const rec = JSON.parse('{"emp":"E1","__proto__":"p","type":"正社員","name":"山田"}');
    const s = stage({ keep: true, fields: { name: { from: 'emp' }, kind: { lookup: 'type', table: EMPLOYMENT } } });
    const { out, drops } = await runStage(s, [rec, { emp: 'E2', type: '不明', name: '佐藤' }]);
    expect(Object.keys(out[0].data)).toEqual(['emp', '__proto__', 'type', 'name', 'kind']);
    expect(Object.getPrototypeOf(out[0].data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out[0].data, '__proto__')?.value).toBe('p');
    expect(out[0].data).toMatchObject({ emp: 'E1', type: '正社員', name: 'E1', kind: '正社員' });
    expect(rec.name).toBe('山田');
    expect(drops.map((d) => [d.code, d.data])).toEqual([['UNMAPPED_VALUE', { emp: 'E2', type: '不明', name: '佐藤' }]]);
  });
  it('copy with default and constants', async () => {
    const { out } = await runStage(stage({ fields: { pos: { from: 'position', default: '一般' }, src: { const: 'smarthr' } } }), [{ position: '' }, { position: '部長' }]);
    expect(out.map((r) => r.data)).toEqual([{ pos: '一般', src: 'smarthr' }, { pos: '部長', src: 'smarthr' }]);
  });
  it('M-E2: business name is used before the legal name when registered', async () => {
    const s = stage({ fields: { 姓: { first_non_empty: ['business_last_name', 'last_name'] } } });
    const { out } = await runStage(s, [{ business_last_name: '佐藤', last_name: '山田' }, { business_last_name: null, last_name: '山田' }, { business_last_name: '　', last_name: '田中' }]);
    expect(out.map((r) => r.data.姓)).toEqual(['佐藤', '山田', '田中']);
  });
  it('M-E3: only the first department (skipping null items) and its code are used', async () => {
    const s = stage({ fields: { 所属部署: { first_of: 'departments', field: 'code' }, 役職: { first_of: 'positions', field: 'name' } } });
    const { out } = await runStage(s, [
      { departments: [null, { code: 'A001' }, { code: 'A002' }], positions: [{ name: '課長' }, { name: '部長' }] },
      { departments: [], positions: null },
    ]);
    expect(out.map((r) => r.data)).toEqual([{ 所属部署: 'A001', 役職: '課長' }, { 所属部署: null, 役職: null }]);
  });
  it('M-E4: employment types map by exact name; any other name becomes その他', async () => {
    const s = stage({ fields: { 雇用形態: { lookup: 'employment_type.name', table: EMPLOYMENT, default: 'その他' } } });
    const names = ['正社員', '契約社員', '派遣社員', 'アルバイト・パート', '業務委託', '役員', '正社員（地域限定）', 'パート'];
    const { out } = await runStage(s, names.map((name) => ({ employment_type: { name } })));
    expect(out.map((r) => r.data.雇用形態)).toEqual(['正社員', '契約社員', '派遣社員', 'パート・アルバイト', '業務委託', '役員（任用契約）', 'その他', 'その他']);
  });
  it('a lookup without default rejects unknown values naming field and value', async () => {
    const { drops } = await runStage(stage({ fields: { g: { lookup: 'gender', table: { male: 'M' } } } }), [{ gender: 'x' }]);
    expect(drops[0].code).toBe('UNMAPPED_VALUE');
    expect(drops[0].message).toContain('"x"');
    expect(drops[0].data).toEqual({ gender: 'x' });
  });
  it('M-E5: the resigned flag is set only when emp_status is retired', async () => {
    const s = stage({ fields: { 退職者フラグ: { equals: ['emp_status', 'retired'] } } });
    const { out } = await runStage(s, [{ emp_status: 'retired' }, { emp_status: 'employed' }, { emp_status: 'absent' }, {}]);
    expect(out.map((r) => r.data.退職者フラグ)).toEqual([true, false, false, false]);
  });
  it('string templates with dot paths; an all-blank template is null', async () => {
    const s = stage({ fields: { name: { template: '{last_name} {first_name}' }, where: { template: '{a.b}-{c}' } } });
    const { out } = await runStage(s, [{ last_name: '山田', first_name: '太郎', a: { b: 1 }, c: 2 }, { last_name: '山田' }]);
    expect(out.map((r) => r.data)).toEqual([{ name: '山田 太郎', where: '1-2' }, { name: '山田', where: null }]);
  });
  it('any output field name is safe: quotes, backslashes, template syntax, __proto__', async () => {
    const odd = ['a"b', 'c\\d', '${x}', '}) ; throw 1; ({', '__proto__', '\u2028'];
    // Built directly: zod's record parsing does not carry a "__proto__" key over.
    const { out } = await runStage(mapStage(Object.fromEntries(odd.map((n, i) => [n, { const: i }])), false), [{}]);
    expect(Object.keys(out[0].data)).toEqual(odd);
    expect(odd.map((n) => Object.getOwnPropertyDescriptor(out[0].data, n)?.value)).toEqual([0, 1, 2, 3, 4, 5]);
    const plain = await runStage(stage({ fields: Object.fromEntries(odd.slice(0, 4).map((n, i) => [n, { const: i }])) }), [{}]);
    expect(plain.out[0].data).toEqual({ 'a"b': 0, 'c\\d': 1, '${x}': 2, '}) ; throw 1; ({': 3 });
    expect(Object.getPrototypeOf(plain.out[0].data)).toBe(Object.prototype);
  });
  it('one shape per rule: unknown rule keys are config errors', () => {
    expect(() => map.schema.parse({ type: 'map', fields: { a: { from: 'b', code: 1 } } })).toThrow();
    expect(() => map.schema.parse({ type: 'map', fields: { a: 'b' } })).toThrow();
  });
});
