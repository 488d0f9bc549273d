/**
 * Deterministic attendance export, as a time-clock system hands it over: Shift_JIS (CP932) CSV with
 * Japanese headers, dates in mixed formats (2026/04/01, 20260401, 令和8年4月1日), clock times past
 * midnight for night shifts (25:30), some full-width digits, and a few deliberately bad rows
 * (impossible dates, a ragged row, a missing employee code) so the error path is exercised.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import iconv from 'iconv-lite';
import { createRng } from './generate/prng.ts';
import { FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES } from './generate/names.ts';

export const ATTENDANCE_HEADER = ['従業員コード', '氏名', '日付', '出勤時刻', '退勤時刻', '休憩(分)', '所属'];

export interface AttendanceOptions {
  rows: number;
  seed?: string | number;
  /** 'cp932' (Shift_JIS as Windows writes it) or 'utf-8'. */
  encoding?: 'cp932' | 'utf-8';
  /** One bad row every `badEvery` rows (default 20,000; 0 = none). */
  badEvery?: number;
}

const DIVISIONS = ['営業部', '開発部', '人事部', '物流センター', 'カスタマーサクセス部', '製造部,第一工場', '情報システム部'];
const FW = '０１２３４５６７８９';
const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => FW[Number(d)]);
const pad = (n: number) => (n < 10 ? '0' + n : String(n));
const hhmm = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Yields CSV lines (without line ends). Row i is the same for a given seed whatever `rows` is. */
export function* attendanceLines(o: AttendanceOptions): Generator<string> {
  const rng = createRng(o.seed ?? 42);
  const badEvery = o.badEvery ?? 20_000;
  const employees = Math.max(1, Math.min(5000, Math.ceil(o.rows / 100)));
  const people = Array.from({ length: employees }, (_, i) => {
    const [ln] = rng.pick(LAST_NAMES);
    const [fn] = rng.pick(rng.chance(0.5) ? FIRST_NAMES_MALE : FIRST_NAMES_FEMALE);
    return { code: `E${String(i + 1).padStart(5, '0')}`, name: `${ln} ${fn}`, division: rng.pick(DIVISIONS), night: rng.chance(0.1) };
  });
  yield ATTENDANCE_HEADER.join(',');
  const start = Date.UTC(2026, 3, 1);
  for (let i = 0; i < o.rows; i++) {
    const p = people[i % employees];
    const day = new Date(start + Math.floor(i / employees) * 86_400_000);
    const y = day.getUTCFullYear(), m = day.getUTCMonth() + 1, d = day.getUTCDate();
    const r = rng.next();
    let date = r < 0.7 ? `${y}/${pad(m)}/${pad(d)}` : r < 0.85 ? `${y}${pad(m)}${pad(d)}` : r < 0.95 ? `令和${y - 2018}年${m}月${d}日` : `${y}-${pad(m)}-${pad(d)}`;
    const inMin = p.night ? rng.int(20 * 60, 22 * 60) : rng.int(8 * 60, 10 * 60);
    const outMin = inMin + rng.int(7 * 60, 10 * 60);
    let clockIn = hhmm(inMin);
    let clockOut = hhmm(outMin);
    if (rng.chance(0.03)) clockIn = fullWidth(clockIn);
    let code = p.code;
    let cells = [code, p.name, date, clockIn, clockOut, String(rng.pick([45, 60, 60, 60, 90])), p.division];
    if (badEvery > 0 && i % badEvery === badEvery - 1) {
      switch (Math.floor(i / badEvery) % 4) {
        case 0: date = `${y}/13/45`; cells[2] = date; break;
        case 1: cells = cells.slice(0, 5); break; // ragged row
        case 2: code = ''; cells[0] = code; break;
        default: cells[3] = '9:75'; break;
      }
    }
    yield cells.map(csvCell).join(',');
  }
}

/** Writes the file (CRLF line ends, as Windows exports do) and returns its path. */
export async function writeAttendanceCsv(file: string, o: AttendanceOptions): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  const enc = o.encoding ?? 'cp932';
  let buf: string[] = [];
  const flush = async () => {
    const text = buf.join('\r\n') + '\r\n';
    buf = [];
    if (!out.write(enc === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'cp932'))) await once(out, 'drain');
  };
  for (const line of attendanceLines(o)) {
    buf.push(line);
    if (buf.length >= 2000) await flush();
  }
  if (buf.length) await flush();
  out.end();
  await once(out, 'finish');
  return file;
}
