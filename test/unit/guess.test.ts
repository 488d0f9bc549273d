/**
 * `renkei init --from` guesses (issue 13 item 3), arrays of sample strings in, guesses out:
 * encoding, delimiter, header, column kinds, key, pattern and names.
 */
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { guessDialect, guessEncoding } from '../../config/guess/sample.ts';
import { guessColumn, guessHeader, guessKey, guessPattern } from '../../config/guess/columns.ts';
import { columnNames, tableName, translateHeader } from '../../config/guess/names.ts';
import { guessFromRows } from '../../config/guess/csv.ts';

const kind = (header: string, values: string[]) => guessColumn(header, values).kind;

describe('encoding', () => {
  const text = '社員番号,氏名,フリガナ\n0001,山田 太郎,ヤマダ タロウ\n0002,髙橋 ①子,タカハシ\n';
  it('UTF-8 with and without a BOM; plain ASCII is UTF-8', () => {
    expect(guessEncoding(Buffer.from('\uFEFF' + text))).toEqual({ encoding: 'utf-8', bom: true });
    expect(guessEncoding(Buffer.from(text))).toEqual({ encoding: 'utf-8', bom: false });
    expect(guessEncoding(Buffer.from('a,b\n1,2\n'))).toEqual({ encoding: 'utf-8', bom: false });
  });
  it('bytes that are not UTF-8 but read cleanly as CP932 are shift_jis (NEC extensions such as ① and 髙 included)', () => {
    expect(guessEncoding(iconv.encode(text, 'cp932'))).toEqual({ encoding: 'shift_jis', bom: false });
  });
  it('EUC-JP is told apart from Shift_JIS', () => {
    expect(guessEncoding(iconv.encode('氏名,部署\n山田 太郎,営業部\n鈴木 花子,総務部\n', 'euc-jp')).encoding).toBe('euc-jp');
  });
  it('bytes no candidate reads cleanly: the least bad guess, with a doubt', () => {
    const g = guessEncoding(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x80, 0xff, 0xfe, 0x0a]));
    expect(g.doubt).toMatch(/no encoding reads the sample cleanly/);
  });
});

describe('dialect', () => {
  it('picks the delimiter that splits rows evenly: tab over the commas inside values, ; and |', () => {
    expect(guessDialect('a\tb\tc\n1,000\t2\t3\n4\t5,5\t6\n').delimiter).toBe('\t');
    expect(guessDialect('a;b\n1;2\n').delimiter).toBe(';');
    expect(guessDialect('a|b|c\n1|2|3\n').delimiter).toBe('|');
    expect(guessDialect('a,b\n"x,y",2\n').delimiter).toBe(',');
    expect(guessDialect('a,b\n"x,y",2\n').rows).toEqual([['a', 'b'], ['x,y', '2']]);
  });
  it("quote is ' only when fields are wrapped in ' and never in \"", () => {
    expect(guessDialect("a,b\n'x,y',2\n").quote).toBe("'");
    expect(guessDialect('a,b\n"it\'s",2\n').quote).toBe('"');
  });
});

describe('column kinds', () => {
  it('numbers: integer (grouped and full-width too), bigint beyond int4, numeric; digits with leading zeros or under an id header are text', () => {
    expect(guessColumn('給与', ['300,000', '２８００００', '']).sqlType).toBe('integer');
    expect(guessColumn('n', ['1', '3000000000']).sqlType).toBe('bigint');
    expect(kind('rate', ['1.5', '2', '-0.25'])).toBe('numeric');
    expect(kind('x', ['007', '010'])).toBe('text');
    expect(kind('社員番号', ['101', '102'])).toBe('text');
  });
  it('dates in Japanese and Western forms, YYYYMMDD only under a date header; timestamps with and without offset', () => {
    expect(guessColumn('入社日', ['2024/4/1', '令和6年4月1日', '2024-04-01', 'R6.4.2', '']).normalize).toBe('date');
    expect(kind('入社日', ['20240401', '20231001'])).toBe('date');
    expect(kind('amount', ['20240401', '20231001'])).toBe('integer');
    expect(kind('at', ['2024-04-01 09:00:00', '2024/04/02 10:30'])).toBe('timestamp');
    expect(kind('at', ['2024-04-01T09:00:00+09:00', '2024-04-01T00:00:00Z'])).toBe('timestamptz');
    expect(kind('d', ['2024/4/1', 'someday'])).toBe('text');
  });
  it('clock times past midnight are times, loaded as minutes (integer)', () => {
    const g = guessColumn('退勤', ['18:00', '25:30', '翌1:30', '8時30分']);
    expect([g.kind, g.sqlType, g.normalize]).toEqual(['time', 'integer', 'time']);
    expect(kind('x', ['48:30'])).toBe('text');
  });
  it('booleans, emails, genders (1/2 only under a gender header), kana by header or by content, Japanese text', () => {
    expect(kind('active', ['true', 'FALSE', 'yes'])).toBe('boolean');
    expect(guessColumn('メール', [' Taro@Example.JP', 'b@c.co.jp']).normalize).toBe('email');
    expect(kind('性別', ['男', '女性', '1', '2'])).toBe('gender');
    expect(kind('sex', ['M', 'F'])).toBe('gender');
    expect(kind('区分', ['1', '2'])).toBe('integer');
    expect(kind('フリガナ', ['やまだ たろう', 'ｽｽﾞｷ'])).toBe('kana');
    expect(kind('reading', ['ヤマダ', 'スズキ'])).toBe('kana');
    expect(guessColumn('氏名', ['山田 太郎', 'ＡＢＣ']).normalize).toBe('text');
    expect(guessColumn('code', ['abc', 'def']).normalize).toBeUndefined();
  });
  it('nullability: blanks are counted; an all-blank column is text', () => {
    expect(guessColumn('x', ['1', '', '  ', '3'])).toMatchObject({ kind: 'integer', blanks: 2, count: 4, distinct: 2 });
    expect(kind('x', ['', ''])).toBe('text');
  });
});

describe('header, key, pattern', () => {
  it('a first row of names over typed values is a header; a first row of data is not', () => {
    expect(guessHeader([['id', 'joined'], ['1', '2024-04-01'], ['2', '2024-04-02']])).toBe(true);
    expect(guessHeader([['1', '2024-04-01'], ['2', '2024-04-02']])).toBe(false);
    expect(guessHeader([['name', 'city'], ['山田', '東京'], ['鈴木', '大阪']])).toBe(true);
    expect(guessHeader([['山田', '東京'], ['鈴木', '東京']])).toBe(false);
  });
  it('key: a unique id-like column; else id + date unique together (dates compared as dates); else none', () => {
    const headers = ['社員番号', '勤務日', '備考'];
    const rows = [['E1', '2024/4/1', 'a'], ['E2', '2024/4/1', 'a'], ['E1', '2024-04-02', 'b']];
    const cols = headers.map((h, i) => guessColumn(h, rows.map((r) => r[i])));
    expect(guessKey(headers, cols, rows)).toEqual([0, 1]);
    expect(guessKey(headers, cols, rows.slice(0, 2).map((r, i) => [`E${i}`, ...r.slice(1)]))).toEqual([0]);
    const same = [['E1', '2024/4/1', 'a'], ['E1', '令和6年4月1日', 'b']];
    expect(guessKey(headers, headers.map((h, i) => guessColumn(h, same.map((r) => r[i]))), same)).toBeUndefined();
  });
  it('pattern: one evident shape of identifier, else none', () => {
    expect(guessPattern(['000101', '000102'])).toBe('^[0-9]{6}$');
    expect(guessPattern(['E0001', 'E0102'])).toBe('^E[0-9]{4}$');
    expect(guessPattern(['E0001', 'F0102'])).toBeUndefined();
    expect(guessPattern(['1', '22'])).toBeUndefined();
  });
});

describe('names', () => {
  it('Japanese HR headers become ASCII snake_case; unknown ones column_N; duplicates numbered', () => {
    expect(translateHeader('社員番号')).toBe('employee_code');
    expect(translateHeader('残業時間（深夜）')).toBe('overtime_time_night');
    expect(translateHeader('Employee ID')).toBe('employee_id');
    expect(translateHeader('趣味')).toBeUndefined();
    expect(columnNames(['氏名', '趣味', 'メール', 'メールアドレス', undefined])).toEqual(['name', 'column_2', 'email', 'email_2', 'column_5']);
    expect(tableName('staff-2024.csv')).toBe('staff_2024');
    expect(tableName('社員一覧.csv')).toBe('csv_import');
  });
  it('a whole guess from rows: header, names, kinds, key', () => {
    const g = guessFromRows([['社員番号', 'メールアドレス'], ['0001', 'a@b.jp'], ['0002', '']], {
      file: 'x.csv', encoding: { encoding: 'utf-8', bom: false }, delimiter: ',', quote: '"', complete: true, sampleBytes: 10, table: 'x',
    });
    expect(g.header).toBe(true);
    expect(g.columns.map((c) => [c.name, c.kind, c.blanks])).toEqual([['employee_code', 'text', 0], ['email', 'email', 1]]);
    expect(g.key).toEqual(['employee_code']);
    expect(g.columns[0].pattern).toBe('^[0-9]{4}$');
  });
});

describe('a typo in the sample', () => {
  it('one value in ten may misfit (from 5 values on): the kind stays, the misfit is counted for the run to reject', () => {
    const dates = ['2024/4/1', '令和6年4月1日', '2023-10-01', '2024/13/1', '2024/5/1'];
    expect(guessColumn('入社日', dates)).toMatchObject({ kind: 'date', misfits: 1 });
    expect(guessColumn('入社日', dates, true).kind).toBe('text');
    expect(kind('入社日', dates.slice(0, 4))).toBe('text');
    expect(guessColumn('n', ['1', '2', 'x', '4', '5'])).toMatchObject({ kind: 'integer', sqlType: 'integer', misfits: 1 });
    expect(kind('n', ['1', '2', 'x', 'y', '5'])).toBe('text');
  });
});
