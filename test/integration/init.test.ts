/**
 * `renkei init` (issue 13 item 3): from a CSV never seen before to a loaded table with `init`,
 * `validate`, `preview` and `run` only — the generated pipeline is used exactly as written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { runMain } from '../helpers/cli.ts';
import { freshDb, type TestDb } from '../helpers/db.ts';

let tdb: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;

const STAFF = '\uFEFF' + [
  '社員番号,氏名,フリガナ,メールアドレス,性別,入社日,基本給',
  '000101,山田 太郎,やまだ たろう, Taro.Yamada@Example.co.jp ,男,2024/4/1,"300,000"',
  '000102,鈴木　花子,スズキ ハナコ,hanako@example.jp,女,令和6年4月1日,280000',
  '000103,ＡＢＣ 佐藤,ｻﾄｳ,sato@example.jp,男性,2023-10-01,',
].join('\r\n') + '\r\n';

const ATTENDANCE = [
  ['社員番号', 'フリガナ', 'メール', '勤務日', '出勤時刻', '退勤時刻', '備考'],
  ['E0001', 'ヤマダ タロウ', 'taro@example.jp', '2024/04/01', '9:00', '25:30', '夜勤'],
  ['E0002', 'スズキ ハナコ', 'hanako@example.jp', '令和6年4月1日', '8:30', '17:30', ''],
  ['E0001', 'ヤマダ タロウ', 'taro@example.jp', '2024-04-02', '9:00', '18:00', '①通常'],
  ['E0003', 'サトウ', 'sato@example.jp', 'R6.4.2', '22:00', '翌6:00', '髙橋さん代理'],
].map((r) => r.join('\t')).join('\n') + '\n';

beforeAll(async () => {
  tdb = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-init-'));
  env = { DATABASE_URL: tdb.url, RENKEI_HOME: path.join(dir, 'home'), HOME: dir };
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'staff.csv'), STAFF);
  fs.writeFileSync(path.join(dir, 'data', '勤怠.csv'), iconv.encode(ATTENDANCE, 'cp932'));
});

const jsonLines = (s: string): Array<{ outcome: string; origin: string; record: Record<string, unknown> }> => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const rows = async (sql: string) => (await tdb.pool.query(sql)).rows;

/** The pipeline as written validates, previews and runs; returns the preview's JSON lines. */
async function validatePreviewRun(file: string, cwd = dir): Promise<ReturnType<typeof jsonLines>> {
  const v = await runMain(['validate', file], env, cwd);
  expect(v.code, v.stderr + v.stdout).toBe(0);
  const p = await runMain(['preview', file], env, cwd);
  expect(p.code, p.stderr).toBe(0);
  const r = await runMain(['run', file, '--no-progress'], env, cwd);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return jsonLines(p.stdout);
}

describe('renkei init --from', () => {
  it('UTF-8 with BOM, Japanese headers: guesses, writes a pipeline that validates, previews and loads', async () => {
    const r = await runMain(['init', '--from', 'data/staff.csv'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/encoding\s+utf-8 \(with BOM\)/);
    expect(r.stdout).toMatch(/delimiter\s+comma \(,\), quote ", header row/);
    expect(r.stdout).toMatch(/社員番号\s+employee_code\s+text\s+-\s+never/);
    expect(r.stdout).toMatch(/フリガナ\s+name_kana\s+kana → text\s+kana/);
    expect(r.stdout).toMatch(/入社日\s+hire_date\s+date\s+date/);
    expect(r.stdout).toMatch(/基本給\s+base_salary\s+integer\s+integer\s+1\/3/);
    expect(r.stdout).toMatch(/table\s+staff: upsert on employee_code/);
    expect(r.stdout).toMatch(/renkei preview staff\.yaml[\s\S]*renkei run staff\.yaml/);
    const yaml = fs.readFileSync(path.join(dir, 'staff.yaml'), 'utf8');
    expect(yaml).toMatch(/path: data\/staff\.csv/);
    expect(yaml).toMatch(/- employee_code +# 1: 社員番号/);

    const preview = await validatePreviewRun('staff.yaml');
    expect(preview.map((x) => x.outcome)).toEqual(['out', 'out', 'out']);
    expect(await rows('SELECT * FROM staff ORDER BY employee_code')).toEqual([
      { employee_code: '000101', name: '山田 太郎', name_kana: 'ヤマダ タロウ', email: 'taro.yamada@example.co.jp', gender: 'male', hire_date: expect.any(Date), base_salary: 300000 },
      { employee_code: '000102', name: '鈴木 花子', name_kana: 'スズキ ハナコ', email: 'hanako@example.jp', gender: 'female', hire_date: expect.any(Date), base_salary: 280000 },
      { employee_code: '000103', name: 'ABC 佐藤', name_kana: 'サトウ', email: 'sato@example.jp', gender: 'male', hire_date: expect.any(Date), base_salary: null },
    ]);
    expect((await rows(`SELECT hire_date::text AS d FROM staff ORDER BY employee_code`)).map((x) => x.d)).toEqual(['2024-04-01', '2024-04-01', '2023-10-01']);
    // upsert on the guessed key: a second run updates, it does not add copies
    expect((await runMain(['run', 'staff.yaml', '--no-progress'], env, dir)).code).toBe(0);
    expect((await rows('SELECT count(*)::int AS n FROM staff'))[0].n).toBe(3);
  });

  it('Shift_JIS, tab-delimited, mixed date forms, 25:30 and 翌6:00, kana and emails: loads the expected rows', async () => {
    const r = await runMain(['init', '--from', 'data/勤怠.csv', '--out', 'attendance.yaml', '--table', 'attendance'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/encoding\s+shift_jis \(not UTF-8; reads cleanly as CP932\)/);
    expect(r.stdout).toMatch(/delimiter\s+tab, quote ", header row/);
    expect(r.stdout).toMatch(/フリガナ\s+name_kana\s+kana → text\s+kana/);
    expect(r.stdout).toMatch(/メール\s+email\s+email → text\s+email/);
    expect(r.stdout).toMatch(/勤務日\s+work_date\s+date\s+date/);
    expect(r.stdout).toMatch(/退勤時刻\s+clock_out_min\s+time → integer\s+time/);
    expect(r.stdout).toMatch(/備考\s+note\s+text\s+text\s+1\/4/);
    expect(r.stdout).toMatch(/upsert on employee_code \+ work_date/);
    const yaml = fs.readFileSync(path.join(dir, 'attendance.yaml'), 'utf8');
    expect(yaml).toMatch(/encoding: shift_jis/);
    expect(yaml).toMatch(/delimiter: "\\t"/);
    expect(yaml).toMatch(/pattern: "\^E\[0-9\]\{4\}\$"/);

    const preview = await validatePreviewRun('attendance.yaml');
    expect(preview.map((x) => [x.origin, x.record.work_date, x.record.clock_out])).toEqual([
      ['data/勤怠.csv:2', '2024-04-01', 1530], ['data/勤怠.csv:3', '2024-04-01', 1050],
      ['data/勤怠.csv:4', '2024-04-02', 1080], ['data/勤怠.csv:5', '2024-04-02', 1800],
    ]);
    expect(await rows(`SELECT employee_code, name_kana, email, work_date::text, clock_in_min, clock_out_min, note FROM attendance ORDER BY 1, 4`)).toEqual([
      { employee_code: 'E0001', name_kana: 'ヤマダ タロウ', email: 'taro@example.jp', work_date: '2024-04-01', clock_in_min: 540, clock_out_min: 1530, note: '夜勤' },
      { employee_code: 'E0001', name_kana: 'ヤマダ タロウ', email: 'taro@example.jp', work_date: '2024-04-02', clock_in_min: 540, clock_out_min: 1080, note: '①通常' },
      { employee_code: 'E0002', name_kana: 'スズキ ハナコ', email: 'hanako@example.jp', work_date: '2024-04-01', clock_in_min: 510, clock_out_min: 1050, note: null },
      { employee_code: 'E0003', name_kana: 'サトウ', email: 'sato@example.jp', work_date: '2024-04-02', clock_in_min: 1320, clock_out_min: 1800, note: '髙橋さん代理' },
    ]);
  });

  it('never overwrites: an existing output file is refused with exit 2 and left as it was', async () => {
    fs.writeFileSync(path.join(dir, 'mine.yaml'), 'keep me\n');
    const r = await runMain(['init', '--from', 'data/staff.csv', '--out', 'mine.yaml'], env, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mine\.yaml already exists; nothing written/);
    expect(fs.readFileSync(path.join(dir, 'mine.yaml'), 'utf8')).toBe('keep me\n');
    const missing = await runMain(['init', '--from', 'data/nope.csv', '--out', 'nope.yaml'], env, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--from data\/nope\.csv: no such file/);
    expect(fs.existsSync(path.join(dir, 'nope.yaml'))).toBe(false);
  });
});

describe('renkei init (template)', () => {
  it('writes a commented template that validates once its CSV exists, and loads it as is', async () => {
    const sub = path.join(dir, 'tpl');
    fs.mkdirSync(sub);
    const r = await runMain(['init'], env, sub);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote pipeline\.yaml/);
    const yaml = fs.readFileSync(path.join(sub, 'pipeline.yaml'), 'utf8');
    for (const section of ['# source:', '# transforms:', '# normalize:', '# validate:', '# sinks:', '# errors:', '# options:']) expect(yaml).toContain(section);
    const before = await runMain(['validate', 'pipeline.yaml'], env, sub);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/input files not found[\s\S]*employees\.csv does not exist/);
    fs.writeFileSync(path.join(sub, 'employees.csv'), 'employee_code,name,name_kana,email,hire_date\nA1,山田 太郎,やまだ,Taro@Example.jp,2024/4/1\n');
    await validatePreviewRun('pipeline.yaml', sub);
    expect(await rows('SELECT employee_code, name_kana, email, hire_date::text FROM employees')).toEqual([
      { employee_code: 'A1', name_kana: 'ヤマダ', email: 'taro@example.jp', hire_date: '2024-04-01' },
    ]);
    expect((await runMain(['init'], env, sub)).code).toBe(2);
  });
});
