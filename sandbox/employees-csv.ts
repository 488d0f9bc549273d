/**
 * Deterministic employee master export (15 columns, Japanese names, some quoted fields with commas),
 * the shape performance.md measures with: ~150 bytes a row, 1M rows ≈ 150 MB. Used by benchmarks
 * and tests that need volume.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { createRng } from './generate/prng.ts';
import { FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES, ROMAJI } from './generate/names.ts';

export const EMPLOYEE_COLUMNS = [
  'emp_code', 'last_name', 'first_name', 'last_name_yomi', 'first_name_yomi', 'email', 'gender', 'birth_at',
  'entered_at', 'resigned_at', 'department_code', 'department_name', 'position', 'employment_type', 'address',
] as const;

const DEPTS = [['A001', '営業部'], ['A002', '開発部'], ['A003', '人事部'], ['B010', '経理部'], ['B020', '総務部'], ['C100', 'カスタマーサクセス部']];
const POSITIONS = ['部長', '課長', '係長', '主任', '一般', ''];
const TYPES = ['正社員', '契約社員', 'アルバイト・パート', '派遣社員', '業務委託', '役員'];
const PREFS = ['東京都千代田区丸の内1-1-1', '大阪府大阪市北区梅田2-2-2', '神奈川県横浜市西区3-3', '福岡県福岡市中央区天神4-4'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function* employeeLines(rows: number, seed: string | number = 1): Generator<string> {
  const rng = createRng(seed);
  yield EMPLOYEE_COLUMNS.join(',');
  for (let i = 0; i < rows; i++) {
    const [ln, lk] = rng.pick(LAST_NAMES);
    const male = rng.chance(0.5);
    const [fn, fk] = rng.pick(male ? FIRST_NAMES_MALE : FIRST_NAMES_FEMALE);
    const code = `E${pad(i + 1, 7)}`;
    const email = `${ROMAJI[lk] ?? 'user'}.${i + 1}@example.co.jp`;
    const birth = `${rng.int(1960, 2004)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
    const entered = `${rng.int(2000, 2026)}-${pad(rng.int(1, 12))}-01`;
    const resigned = rng.chance(0.1) ? `2026-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}` : '';
    const [dc, dn] = rng.pick(DEPTS);
    const addr = `"${rng.pick(PREFS)}, ${rng.int(1, 30)}階"`;
    yield [code, ln, fn, lk, fk, email, male ? 'male' : 'female', birth, entered, resigned, dc, dn, rng.pick(POSITIONS), rng.pick(TYPES), addr].join(',');
  }
}

/** Writes `rows` employees as UTF-8 CSV (LF) and returns the file path. */
export async function writeEmployeesCsv(file: string, rows: number, seed: string | number = 1): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  let buf: string[] = [];
  for (const line of employeeLines(rows, seed)) {
    buf.push(line);
    if (buf.length >= 5000) {
      if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain');
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return file;
}
