import { describe, expect, it } from 'vitest';
import { validate, validateStage, type ValidateRule } from '../../../transforms/validate.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import { ConfigError } from '../../../engine/errors.ts';

const parse = (rules: unknown[]) => validate.schema.parse({ type: 'validate', rules }).rules as ValidateRule[];
const stage = (rules: unknown[], sets: Record<string, string[]> = {}) =>
  validateStage(parse(rules), async (r) => new Set(sets[r.source_field] ?? []));

describe('validate', () => {
  it('M-E7: missing name, kana or email each reject with their own code', async () => {
    const s = stage([
      { fields: ['last_name', 'first_name'], check: 'required', code: 'MISSING_NAME' },
      { fields: ['last_name_yomi', 'first_name_yomi'], check: 'required', code: 'MISSING_KANA' },
      { fields: ['email'], check: 'required', code: 'MISSING_EMAIL' },
    ]);
    const ok = { last_name: '山田', first_name: '太郎', last_name_yomi: 'ヤマダ', first_name_yomi: 'タロウ', email: 'a@b.jp' };
    const { out, drops } = await runStage(s, [ok, { ...ok, first_name: '' }, { ...ok, last_name_yomi: null }, { ...ok, email: undefined }]);
    expect(out).toHaveLength(1);
    expect(drops.map((d) => [d.code, d.field])).toEqual([['MISSING_NAME', 'first_name'], ['MISSING_KANA', 'last_name_yomi'], ['MISSING_EMAIL', 'email']]);
  });
  it('formats: email, ISO date, katakana; blanks pass unless required', async () => {
    const s = stage([{ fields: ['email'], check: 'email' }, { fields: ['birth_at'], check: 'date' }, { fields: ['yomi'], check: 'katakana' }]);
    const { out, drops } = await runStage(s, [
      { email: 'a@b.co.jp', birth_at: '2000-02-29', yomi: 'ヤマダ タロウ' },
      { email: '', birth_at: null, yomi: '' },
      { email: 'a@b', birth_at: '2000-01-01', yomi: 'ヤマダ' },
      { email: 'a@b.jp', birth_at: '2001-02-29', yomi: 'ヤマダ' },
      { email: 'a@b.jp', birth_at: '2001-02-28', yomi: 'やまだ' },
    ]);
    expect(out).toHaveLength(2);
    expect(drops.map((d) => d.code)).toEqual(['INVALID_EMAIL', 'INVALID_DATE', 'INVALID_KANA']);
    expect(drops[0].message).toContain('"a@b"');
  });
  it('pattern, in, length and range checks', async () => {
    const s = stage([
      { fields: ['code'], check: 'pattern', pattern: '^E\\d{3}$' },
      { fields: ['kind'], check: 'in', values: ['a', 'b'] },
      { fields: ['name'], check: 'length', max: 3 },
      { fields: ['age'], check: 'range', min: 15, max: 100 },
    ]);
    const { out, drops } = await runStage(s, [
      { code: 'E001', kind: 'a', name: '山田太', age: 30 },
      { code: 'X001', kind: 'a', name: 'x', age: 30 },
      { code: 'E001', kind: 'c', name: 'x', age: 30 },
      { code: 'E001', kind: 'b', name: '山田太郎', age: 30 },
      { code: 'E001', kind: 'b', name: 'x', age: '14' },
    ]);
    expect(out).toHaveLength(1);
    expect(drops.map((d) => d.code)).toEqual(['INVALID_FORMAT', 'NOT_ALLOWED', 'INVALID_LENGTH', 'OUT_OF_RANGE']);
  });
  it('per-field zod checks from a JSON Schema fragment; an unusable fragment is a config error', async () => {
    const s = stage([{ fields: ['age'], check: 'schema', schema: { type: 'integer', minimum: 15 } }, { fields: ['code'], check: 'schema', schema: { type: 'string', pattern: '^E\\d{3}$' }, code: 'BAD_CODE' }]);
    const { out, drops } = await runStage(s, [{ age: 30, code: 'E001' }, { age: 14, code: 'E001' }, { age: 30, code: 'E1' }, { age: '30', code: 'E001' }]);
    expect(out).toHaveLength(1);
    expect(drops.map((d) => [d.code, d.field])).toEqual([['INVALID_VALUE', 'age'], ['BAD_CODE', 'code'], ['INVALID_VALUE', 'age']]);
    expect(() => stage([{ fields: ['a'], check: 'schema', schema: { type: 'bogus' } }])).toThrow(ConfigError);
  });
  it('M-E8: a department that does not exist in the target is rejected; a blank department is allowed', async () => {
    const s = stage([{ fields: ['dept'], check: 'in_source', source: { type: 'csv', path: 'x' }, source_field: 'code', code: 'UNKNOWN_DEPARTMENT' }], { code: ['A001', 'A002'] });
    const { out, drops } = await runStage(s, [{ dept: 'A001' }, { dept: '' }, { dept: 'A004' }]);
    expect(out.map((r) => r.data.dept)).toEqual(['A001', '']);
    expect(drops.map((d) => [d.code, d.field])).toEqual([['UNKNOWN_DEPARTMENT', 'dept']]);
    expect(drops[0].message).toContain('A004');
  });
  it('codes must look like rule codes; unknown checks are config errors', () => {
    expect(() => parse([{ fields: ['a'], check: 'required', code: 'missing name' }])).toThrow();
    expect(() => parse([{ fields: ['a'], check: 'uppercase' }])).toThrow();
  });
});
