/**
 * Guessing what each column of a CSV sample holds, from its header and its values (arrays of
 * strings in, a guess out): the value kind, the PostgreSQL column type, the `normalize` form that
 * puts it into one shape, and whether it was ever blank. Also: whether the first row is a header,
 * and which column (or column pair) identifies a row.
 */
import { parseDate, parseTime } from '../../transforms/lib/dates.ts';
import { isBlank, narrowNfkc, toKanaReading } from '../../transforms/lib/japanese.ts';

/** What a column holds. `time` is a clock time (25:30 allowed), loaded as minutes since 0:00. */
export type ValueKind = 'integer' | 'numeric' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'time' | 'email' | 'gender' | 'kana' | 'text';

/** The `normalize` forms a guess proposes. */
export type NormalizeForm = 'text' | 'kana' | 'email' | 'date' | 'time' | 'gender' | 'integer';

export interface ColumnGuess {
  kind: ValueKind;
  /** PostgreSQL column type for the sink. */
  sqlType: 'text' | 'integer' | 'bigint' | 'numeric' | 'boolean' | 'date' | 'timestamp' | 'timestamptz';
  normalize?: NormalizeForm;
  /** Blank values among the sampled ones. */
  blanks: number;
  /** Sampled values. */
  count: number;
  /** Distinct non-blank values. */
  distinct: number;
  /** Sampled values that do not fit the kind (at most 1 in 10): the run will reject their records. */
  misfits: number;
  /** Why the kind was chosen (one phrase, for the pipeline's comments). */
  why: string;
}

const INT = /^[+-]?\d+$/;
const INT_GROUPED = /^[+-]?\d{1,3}(,\d{3})+$/;
const DECIMAL = /^[+-]?(\d+\.\d*|\.\d+|\d+)$/;
const BOOL = /^(true|false|t|f|yes|no|on|off)$/i;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const TIMESTAMP = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const TIMESTAMP_TZ = /(Z|[+-]\d{2}(:?\d{2})?)$/;
const CLOCK = /[:時]/;
const COMPACT_DATE = /^\d{8}$/;
const GENDERS = new Set(['男', '女', '男性', '女性', 'male', 'female', 'm', 'f', '未選択', 'no_selected']);
const NON_ASCII = /[^\x20-\x7e]/;

/** Header words that say a column identifies something (an employee number, a code, an id). */
export const ID_HEADER = /(^|[^a-z])(id|code|no|number|num|key)([^a-z]|$)|番号|コード|ＩＤ|ID|ｺｰﾄﾞ/i;
const DATE_HEADER = /日|date|_at$|_on$|day|年月/i;
const GENDER_HEADER = /性別|gender|sex/i;
const KANA_HEADER = /フリガナ|ふりがな|カナ|かな|よみ|読み|yomi|kana|furigana|^セイ$|^メイ$/i;
const EMAIL_HEADER = /mail|メール/i;

const INT4_MAX = 2_147_483_647;

/** The value as the checks read it: safe NFKC (full-width digits → ASCII), trimmed. */
const norm = (v: string): string => narrowNfkc(v).trim();

/**
 * The kind of one column from its header and sampled values. A kind holds only when every non-blank
 * value fits it; the order below decides between kinds that all fit (a code of digits is text,
 * `20240401` is a date only under a date-like header, `1`/`2` a gender only under a gender header).
 * Unless `strict`, one value in ten (at least one, from 5 values on) may misfit: a typo in the sample.
 */
export function guessColumn(header: string, values: string[], strict = false): ColumnGuess {
  const present = values.filter((v) => !isBlank(v));
  const base = { blanks: values.length - present.length, count: values.length, distinct: new Set(present).size };
  // A few bad values must not turn a date column into text: they are what the run should reject.
  const allowed = strict || present.length < 5 ? 0 : Math.max(1, Math.floor(present.length / 10));
  let misfits = 0;
  const all = (test: (v: string) => boolean) => {
    if (!present.length) return false;
    let bad = 0;
    for (const v of present) if (!test(v) && ++bad > allowed) return false;
    misfits = bad;
    return true;
  };
  const g = (kind: ValueKind, sqlType: ColumnGuess['sqlType'], why: string, normalize?: NormalizeForm): ColumnGuess =>
    ({ kind, sqlType, why, ...(normalize ? { normalize } : {}), ...base, misfits: kind === 'text' ? 0 : misfits });
  const japanese = present.some((v) => NON_ASCII.test(v));
  const idLike = ID_HEADER.test(header);

  if (!present.length) return g('text', 'text', 'every sampled value is blank');
  if (GENDER_HEADER.test(header) || all((v) => GENDERS.has(norm(v).toLowerCase()))) {
    if (all((v) => GENDERS.has(norm(v).toLowerCase()) || /^[012]$/.test(norm(v)))) return g('gender', 'text', 'gender values (男/女, M/F, 1/2) → male | female', 'gender');
  }
  if (all((v) => INT.test(norm(v)) && norm(v).replace(/^[+-]/, '').length > 1 && norm(v).replace(/^[+-]/, '').startsWith('0')) || (idLike && all((v) => INT.test(norm(v))))) {
    return g('text', 'text', idLike ? 'an identifier made of digits: kept as text (zero padding and letters may come)' : 'digits with leading zeros: kept as text');
  }
  if (DATE_HEADER.test(header) && all((v) => COMPACT_DATE.test(norm(v)) && parseDate(norm(v)) !== null)) return g('date', 'date', 'dates written YYYYMMDD', 'date');
  if (all((v) => INT.test(norm(v)) || INT_GROUPED.test(norm(v)))) {
    const nums = present.map((v) => norm(v)).filter((v) => INT.test(v) || INT_GROUPED.test(v)).map((v) => Number(v.replace(/,/g, '')));
    if (nums.every((n) => Number.isSafeInteger(n))) {
      const big = nums.some((n) => Math.abs(n) > INT4_MAX);
      return g('integer', big ? 'bigint' : 'integer', 'whole numbers', 'integer');
    }
    return g('numeric', 'numeric', 'whole numbers too large for bigint');
  }
  if (all((v) => DECIMAL.test(v.trim()))) return g('numeric', 'numeric', 'decimal numbers');
  if (all((v) => BOOL.test(v.trim()))) return g('boolean', 'boolean', 'true/false values');
  if (all((v) => TIMESTAMP.test(norm(v)))) {
    return present.every((v) => TIMESTAMP_TZ.test(norm(v)))
      ? g('timestamptz', 'timestamptz', 'date and time with an offset')
      : g('timestamp', 'timestamp', 'date and time (no offset: read as written)');
  }
  if (all((v) => parseDate(v) !== null && !INT.test(norm(v)))) {
    const forms = present.some((v) => !/^\d{4}-\d{2}-\d{2}$/.test(v.trim()));
    return g('date', 'date', forms ? 'dates in several forms (2024/4/1, 令和6年4月1日 …) → ISO' : 'ISO dates', 'date');
  }
  if (all((v) => CLOCK.test(norm(v)) && parseTime(v) !== null)) return g('time', 'integer', 'clock times (25:30 = 1:30 the next day) → minutes since 0:00', 'time');
  if (EMAIL_HEADER.test(header) || all((v) => EMAIL.test(norm(v)))) {
    if (all((v) => EMAIL.test(norm(v).toLowerCase()))) return g('email', 'text', 'email addresses → trimmed, lower-cased', 'email');
  }
  if ((KANA_HEADER.test(header) || japanese) && all((v) => toKanaReading(v) !== null)) return g('kana', 'text', 'kana readings → full-width katakana', 'kana');
  if (japanese || present.some((v) => v !== norm(v).replace(/\s+/g, ' '))) return g('text', 'text', 'Japanese text → safe NFKC, spaces tidied', 'text');
  return g('text', 'text', 'text');
}

/**
 * Whether the first row names the columns: no first-row value is blank or repeated, none is a
 * number or a date, and in some column the first value is not of the kind the other rows have (or
 * no value of the first row appears again below it).
 */
export function guessHeader(rows: string[][]): boolean {
  if (rows.length === 0) return false;
  const [first, ...rest] = rows;
  if (first.some((v) => isBlank(v)) || new Set(first).size !== first.length) return false;
  if (first.some((v) => DECIMAL.test(norm(v)) || INT_GROUPED.test(norm(v)) || parseDate(v) !== null || TIMESTAMP.test(norm(v)))) return false;
  if (rest.length === 0) return true;
  for (let i = 0; i < first.length; i++) {
    const below = rest.map((r) => r[i] ?? '');
    if (guessColumn('', below, true).kind !== guessColumn('', [first[i], ...below], true).kind) return true;
  }
  return first.every((v, i) => !rest.some((r) => r[i] === v));
}

/**
 * Columns that identify a row, when the sample shows one: an id-like header (番号, コード, id …)
 * whose values are never blank and never repeat; else such a column with a date column
 * (an attendance row is one employee on one day). Undefined when nothing in the sample is unique.
 */
export function guessKey(headers: string[], columns: ColumnGuess[], rows: string[][]): number[] | undefined {
  if (rows.length < 2) return undefined;
  const unique = (idx: number[]) => {
    const seen = new Set<string>();
    for (const r of rows) {
      if (idx.some((i) => isBlank(r[i]))) return false;
      // Dates compare as dates: 2024/4/1 and 令和6年4月1日 are the same day.
      const k = JSON.stringify(idx.map((i) => (columns[i].kind === 'date' ? parseDate(r[i]) : norm(r[i] ?? ''))));
      if (seen.has(k)) return false;
      seen.add(k);
    }
    return true;
  };
  const ids = headers.map((h, i) => i).filter((i) => ID_HEADER.test(headers[i]) && columns[i].blanks === 0);
  for (const i of ids) if (unique([i])) return [i];
  const dates = columns.map((c, i) => i).filter((i) => columns[i].kind === 'date' && columns[i].blanks === 0);
  for (const i of ids) for (const d of dates) if (unique([i, d])) return [i, d];
  return undefined;
}

/**
 * A `pattern` for an identifier column when every value has one evident shape: the same number of
 * digits (`^[0-9]{6}$`), or one letter prefix and a fixed number of digits (`^E[0-9]{4}$`).
 */
export function guessPattern(values: string[]): string | undefined {
  const present = values.filter((v) => !isBlank(v)).map((v) => v.trim());
  if (present.length < 2) return undefined;
  const shape = /^([A-Za-z]*)(\d+)$/;
  const m = present.map((v) => shape.exec(v));
  if (m.some((x) => !x)) return undefined;
  const prefix = m[0]![1], digits = m[0]![2].length;
  if (!m.every((x) => x![1] === prefix && x![2].length === digits)) return undefined;
  return `^${prefix}[0-9]{${digits}}$`;
}
