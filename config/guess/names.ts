/**
 * Column and table names for a guessed pipeline. The decision: ASCII snake_case names in the table
 * (`employee_code`, not `社員番号`), the original header kept beside each one as a comment.
 * PostgreSQL accepts Japanese identifiers, but only quoted in every query someone writes later, in
 * psql, BI tools and ORMs, typed through an IME, at 3 bytes a character against the 63-byte limit.
 * A header is translated when it is made entirely of known HR words (社員 + 番号 → employee_number,
 * 入社日 → hire_date); one that is not gets `column_N`, to be renamed by hand.
 */

/** Whole headers with a settled English name (checked before word-by-word translation). */
const HEADERS: Record<string, string> = {
  社員番号: 'employee_code', 従業員番号: 'employee_code', 社員コード: 'employee_code', 従業員コード: 'employee_code', 社員id: 'employee_id',
  氏名: 'name', 名前: 'name', 姓名: 'name', 姓: 'last_name', 名: 'first_name', 氏: 'last_name',
  フリガナ: 'name_kana', ふりがな: 'name_kana', 氏名カナ: 'name_kana', 氏名フリガナ: 'name_kana', カナ: 'name_kana', 読み: 'name_kana', よみ: 'name_kana',
  セイ: 'last_name_kana', メイ: 'first_name_kana', 姓カナ: 'last_name_kana', 名カナ: 'first_name_kana', 姓フリガナ: 'last_name_kana', 名フリガナ: 'first_name_kana',
  メールアドレス: 'email', メール: 'email', eメール: 'email', 性別: 'gender', 生年月日: 'birth_date', 誕生日: 'birth_date',
  入社日: 'hire_date', 入社年月日: 'hire_date', 退職日: 'resign_date', 退職年月日: 'resign_date',
  部署: 'department', 部署名: 'department_name', 部署コード: 'department_code', 部門: 'department', 所属: 'division', 役職: 'position',
  雇用形態: 'employment_type', 雇用区分: 'employment_type', 勤務日: 'work_date', 出勤日: 'work_date', 日付: 'date', 年月日: 'date',
  出勤: 'clock_in', 出勤時刻: 'clock_in', 退勤: 'clock_out', 退勤時刻: 'clock_out', 始業: 'clock_in', 終業: 'clock_out',
  休憩: 'break', 休憩時間: 'break_time', 労働時間: 'work_time', 残業時間: 'overtime', 備考: 'note', 電話番号: 'phone', 住所: 'address', 郵便番号: 'postal_code',
};

/** Words a header may be made of, longest first when matching. */
const WORDS: Record<string, string> = {
  社員: 'employee', 従業員: 'employee', 番号: 'number', コード: 'code', 氏名: 'name', 名前: 'name', 名称: 'name', 名: 'name',
  フリガナ: 'kana', カナ: 'kana', 読み: 'kana', メール: 'email', アドレス: 'address', 性別: 'gender',
  生年月日: 'birth_date', 入社: 'hire', 退職: 'resign', 日付: 'date', 年月日: 'date', 日時: 'at', 日: 'date', 時刻: 'time', 時間: 'time',
  部署: 'department', 部門: 'department', 所属: 'division', 役職: 'position', 雇用: 'employment', 形態: 'type', 区分: 'type', 種別: 'kind',
  勤務: 'work', 労働: 'work', 出勤: 'clock_in', 退勤: 'clock_out', 休憩: 'break', 残業: 'overtime', 深夜: 'night', 休日: 'holiday', 有給: 'paid_leave',
  開始: 'start', 終了: 'end', 更新: 'updated', 作成: 'created', 登録: 'registered', 金額: 'amount', 給与: 'salary', 基本給: 'base_salary', 手当: 'allowance',
  年齢: 'age', 状態: 'status', 在籍: 'enrollment', 電話: 'phone', 住所: 'address', 郵便: 'postal', 備考: 'note', 事業所: 'office', 会社: 'company',
  年: 'year', 月: 'month', 数: 'count', 回数: 'count', 分: 'minutes', 合計: 'total', 予定: 'planned', 実績: 'actual', 有効: 'active',
};
const WORD_KEYS = Object.keys(WORDS).sort((a, b) => b.length - a.length);
const SEPARATORS = /[\s_\-・/／（）()[\]【】「」:：.,、。]/;

/** snake_case of ASCII text: camelCase split, runs of other characters → `_`. */
export function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** An English snake_case name for a header, or undefined when a part of it is not a known word. */
export function translateHeader(header: string): string | undefined {
  const h = header.normalize('NFKC').trim();
  const whole = HEADERS[h] ?? HEADERS[h.toLowerCase()];
  if (whole) return whole;
  const parts: string[] = [];
  for (let i = 0; i < h.length;) {
    if (SEPARATORS.test(h[i])) { i++; continue; }
    const ascii = /^[A-Za-z0-9]+/.exec(h.slice(i));
    if (ascii) { parts.push(snake(ascii[0])); i += ascii[0].length; continue; }
    const w = WORD_KEYS.find((k) => h.startsWith(k, i));
    if (!w) return undefined;
    parts.push(WORDS[w]);
    i += w.length;
  }
  const name = parts.filter(Boolean).join('_');
  return name || undefined;
}

/** A valid, unreserved-looking column name: starts with a letter, at most 63 bytes. */
function identifier(s: string, index: number): string {
  const n = s.slice(0, 63);
  return /^[a-z]/.test(n) ? n : n ? `c_${n}`.slice(0, 63) : `column_${index + 1}`;
}

/**
 * Column names for the headers (`undefined` headers: a file without a header row), unique, each
 * with the header it came from. Unknown Japanese headers become `column_N`.
 */
export function columnNames(headers: Array<string | undefined>): string[] {
  const used = new Set<string>();
  return headers.map((h, i) => {
    const base = h === undefined ? `column_${i + 1}` : identifier(translateHeader(h) ?? '', i);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}

/** A table name from the file name (`社員一覧.csv` → `csv_import` when no word of it is known). */
export function tableName(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '');
  const t = translateHeader(stem) ?? snake(stem);
  return t && /^[a-z]/.test(t) ? t.slice(0, 63) : 'csv_import';
}
