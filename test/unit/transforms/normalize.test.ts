import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalize, normalizeStage, NORMAL_FORMS, type NormalForm } from '../../../transforms/normalize.ts';
import { runStage } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import { parseDate, parseTime } from '../../../transforms/lib/dates.ts';
import { cleanText, toKanaReading } from '../../../transforms/lib/japanese.ts';

const stage = (fields: Record<string, NormalForm>) =>
  normalize.create(normalize.schema.parse({ type: 'normalize', fields }), makeCtx());

describe('normalize: dates', () => {
  it.each([
    ['2024-04-01', '2024-04-01'], ['2024/4/1', '2024-04-01'], ['2024.04.01', '2024-04-01'],
    ['20240401', '2024-04-01'], ['２０２４／４／１', '2024-04-01'], ['2024年4月1日', '2024-04-01'],
    ['令和6年4月1日', '2024-04-01'], ['令和元年5月1日', '2019-05-01'], ['R6.4.1', '2024-04-01'],
    ['R元.5.1', '2019-05-01'], ['平成31年4月30日', '2019-04-30'], ['H31/4/30', '2019-04-30'],
    ['昭和64年1月7日', '1989-01-07'], ['S50.12.3', '1975-12-03'], ['令和 6年 4月 1日', '2024-04-01'],
    ['2024-03-31T15:30:00Z', '2024-04-01'], ['2024-04-01T08:00:00+09:00', '2024-04-01'],
  ])('reads %s as %s', (input, iso) => {
    expect(parseDate(input)).toBe(iso);
  });

  it.each(['2024-02-30', '2023/2/29', '平成31年5月1日', '昭和64年1月8日', '令和元年4月30日', 'R0.1.1', '2024-13-01', 'yesterday', '24/4/1'])(
    'rejects %s', (input) => {
      expect(parseDate(input)).toBeNull();
    },
  );

  it('a date that cannot be read rejects the record naming field and value', async () => {
    const { out, drops } = await runStage(stage({ birth_at: 'date' }), [{ birth_at: '2024/02/30', id: 1 }]);
    expect(out).toEqual([]);
    expect(drops[0].code).toBe('INVALID_DATE');
    expect(drops[0].field).toBe('birth_at');
    expect(drops[0].message).toContain('birth_at');
    expect(drops[0].message).toContain('2024/02/30');
  });
});

describe('normalize: times', () => {
  it.each([
    ['8:30', 510], ['08:30', 510], ['08:30:45', 510], ['25:30', 1530], ['翌1:30', 1530], ['２５：３０', 1530],
    ['8時30分', 510], ['9時', 540], ['0:00', 0], ['47:59', 2879],
  ])('reads %s as %i minutes', (input, minutes) => {
    expect(parseTime(input)).toBe(minutes);
  });
  it('every H:MM / HH:MM from 0:00 to 47:59 reads as minutes, with or without full-width digits', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 49 }), fc.integer({ min: 0, max: 69 }), fc.boolean(), fc.boolean(), (h, m, two, wide) => {
      let text = `${two && h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
      if (wide) text = text.replace(/[0-9:]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
      expect(parseTime(text)).toBe(h <= 47 && m <= 59 ? h * 60 + m : null);
    }), { numRuns: 500 });
  });
  it.each(['8:60', '48:00', '8.30', 'noon', '-1:00', '8:5a', ' :30'])('rejects %s', (input) => {
    expect(parseTime(input)).toBeNull();
  });
});

describe('normalize: text, kana, email, gender', () => {
  it('full-width letters and digits become half-width, half-width kana full-width, spaces collapse', async () => {
    const { out } = await runStage(stage({ name: 'text', code: 'text' }), [{ name: '\u3000ﾐｷﾜﾒ\u3000\u3000ﾀﾛｳ ', code: 'ＡＢ１２３' }]);
    expect(out[0].data).toEqual({ name: 'ミキワメ タロウ', code: 'AB123' });
  });
  it('voiced half-width kana compose (ｶﾞ → ガ) and meaning-bearing compatibility characters stay', () => {
    expect(cleanText('ｶﾞｯｺｳ')).toBe('ガッコウ');
    expect(cleanText('㈱ミキワメ①')).toBe('㈱ミキワメ①');
  });
  it('kana readings: hiragana accepted and turned into katakana; non-kana rejected', async () => {
    const { out, drops } = await runStage(stage({ yomi: 'kana' }), [{ yomi: 'みきわめ　たろう' }, { yomi: '山田' }]);
    expect(out[0].data.yomi).toBe('ミキワメ タロウ');
    expect(drops[0].code).toBe('INVALID_KANA');
    expect(drops[0].message).toContain('山田');
    expect(toKanaReading('ｳﾞｧｲｵﾘﾝ')).toBe('ヴァイオリン');
  });
  it('emails trimmed and lower-cased', async () => {
    const { out } = await runStage(stage({ email: 'email' }), [{ email: ' Taro@Example.COM　' }]);
    expect(out[0].data.email).toBe('taro@example.com');
  });
  it('genders map to one vocabulary', async () => {
    const rows = ['男性', '女性', 'male', 'Female', '1', '2', '男', 'F', '未選択'].map((g) => ({ g }));
    const { out } = await runStage(stage({ g: 'gender' }), rows);
    expect(out.map((r) => r.data.g)).toEqual(['male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', null]);
    const bad = await runStage(stage({ g: 'gender' }), [{ g: 'その他' }]);
    expect(bad.drops[0].code).toBe('INVALID_GENDER');
  });
  it('blank values become null, never a failure; absent fields stay absent', async () => {
    const { out } = await runStage(stage({ a: 'date', b: 'text', c: 'time' }), [{ a: '', b: '\u3000' }]);
    expect(out[0].data).toEqual({ a: null, b: null });
  });
  it('a rejected record carries its input as it came, not half-normalized', async () => {
    const { drops } = await runStage(stage({ name: 'text', at: 'date' }), [{ name: 'ＡＢ', at: 'x' }]);
    expect(drops[0].data).toEqual({ name: 'ＡＢ', at: 'x' });
  });
  it('integers: full-width digits and thousands separators', async () => {
    const { out, drops } = await runStage(stage({ n: 'integer' }), [{ n: '１,２００' }, { n: 12 }, { n: '1.5' }]);
    expect(out.map((r) => r.data.n)).toEqual([1200, 12]);
    expect(drops[0].code).toBe('INVALID_INTEGER');
  });
  it('field names with quotes, backslashes and code-like text are plain field names', async () => {
    const { out, drops } = await runStage(stage({ 'a"b': 'text', 'c\\d': 'date', '}); throw 1; ({': 'email' }), [
      { 'a"b': ' ＡＢ ', 'c\\d': 'R6.4.1', '}); throw 1; ({': 'X@Y.JP' }, { 'a"b': 'x', 'c\\d': 'bad' },
    ]);
    expect(out[0].data).toEqual({ 'a"b': 'AB', 'c\\d': '2024-04-01', '}); throw 1; ({': 'x@y.jp' });
    expect([drops[0].field, drops[0].data]).toEqual(['c\\d', { 'a"b': 'x', 'c\\d': 'bad' }]);
  });
  it('unknown option keys and forms are config errors', () => {
    expect(() => normalize.schema.parse({ type: 'normalize', fields: { a: 'nfkc' } })).toThrow();
    expect(() => normalize.schema.parse({ type: 'normalize', fields: {}, extra: 1 })).toThrow();
  });
});

describe('normalize: properties', () => {
  it('dates in every numeric form read as the calendar says (valid days only)', () => {
    fc.assert(fc.property(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.constantFrom('-', '/', '.', ''), (y, m, d, sep) => {
      const t = new Date(Date.UTC(y, m - 1, d));
      const valid = m >= 1 && m <= 12 && d >= 1 && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
      const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const text = sep ? `${y}${sep}${m}${sep}${d}` : `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
      expect(parseDate(text)).toBe(valid ? iso : null);
      expect(parseDate(text.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)))).toBe(valid ? iso : null);
    }), { numRuns: 500 });
  });

  const jp = fc.constantFrom(...'ＡＢＣ１２３ｱｲｳｶﾞﾊﾟｰ　 あいうがぱアイウガパ山田㈱①@.-:/年月日令和平成R元'.split(''));
  const value = fc.oneof(
    fc.string({ unit: jp, maxLength: 12 }),
    fc.constantFrom('25:30', '8時30分', 'R6.4.1', '平成31年4月30日', '２０２４０４０１', '男性', 'female', '', null),
    fc.integer({ min: 0, max: 3000 }),
  );
  it('normalize is idempotent: a second pass changes nothing and rejects nothing', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...NORMAL_FORMS), fc.array(value, { maxLength: 20 }), async (form, values) => {
      const s = normalizeStage({ v: form });
      const first = await runStage(s, values.map((v) => ({ v })));
      const again = await runStage(s, first.out.map((r) => ({ v: r.data.v })));
      expect(again.drops).toEqual([]);
      expect(again.out.map((r) => r.data.v)).toEqual(first.out.map((r) => r.data.v));
    }), { numRuns: 300 });
  });
});
