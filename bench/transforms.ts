/**
 * Transform benchmarks (numbers only, never pass/fail):
 * 1. throughput of the typical employee chain normalize → map → validate → dedupe over generated
 *    records (mixed input formats: full-width digits, era dates, hiragana readings, upper-case emails),
 *    with dedupe keep-first (streaming) and reject-all (holds and spills to disk, M-E9);
 * 2. peak memory of dedupe (reject-all: spilled by key partition; keep-first: one Set entry per key)
 *    and diff (target index) at 100k vs 1M records, each run in a child process
 *    whose peak RSS is read from process.resourceUsage() (so one run's heap does not pollute the next).
 *
 *   node bin/run-ts.js bench/transforms.ts [--rows 1000000] [--mem-rows 100000,1000000]
 */
import '../config/registry.ts'; // first: loads the registries in the order their import cycle needs
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Drop, type Rec, type Row, type Stage } from '../engine/types.ts';
import { normalizeStage } from '../transforms/normalize.ts';
import { mapStage } from '../transforms/map.ts';
import { validateStage } from '../transforms/validate.ts';
import { dedupe, dedupeStage } from '../transforms/dedupe.ts';
import { diff, diffStage } from '../transforms/diff.ts';
import { isEntry } from './entry.ts';

const LAST = [['佐藤', 'サトウ'], ['鈴木', 'すずき'], ['高橋', 'タカハシ'], ['田中', 'ﾀﾅｶ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['山本', 'やまもと'], ['中村', 'ナカムラ']];
const FIRST = [['太郎', 'タロウ'], ['花子', 'はなこ'], ['翔太', 'ショウタ'], ['陽菜', 'ヒナ'], ['大輔', 'ダイスケ'], ['美咲', 'みさき']];
const BIRTH = ['1985-04-01', '1990/7/15', '19920301', '平成3年5月20日', 'S60.1.2', '１９８８－０２－２９'.replace(/－/g, '-'), '2000-12-31'];
const GENDER = ['男性', '女性', 'male', 'female', '1', '2'];
const TYPES = ['正社員', '契約社員', 'アルバイト・パート', '派遣社員', '業務委託', '役員', '正社員（地域限定）'];

/** Employee i: deterministic, ~12 fields; email unique unless `dupEvery` makes every n-th a repeat. */
export function employee(i: number, dupEvery = 0): Row {
  const l = LAST[i % LAST.length], f = FIRST[(i >> 3) % FIRST.length];
  const e = dupEvery && i % dupEvery === 0 && i > 0 ? i - 1 : i;
  return {
    emp_code: `E${i}`,
    last_name: i % 11 === 0 ? `\u3000${l[0]} ` : l[0], first_name: f[0],
    last_name_yomi: l[1], first_name_yomi: f[1],
    email: e % 5 === 0 ? `User${e}@Example.CO.JP` : `user${e}@example.co.jp`,
    gender: GENDER[i % GENDER.length], birth_at: BIRTH[i % BIRTH.length], entered_at: i % 2 ? '2015/4/1' : 'R2.4.1',
    business_last_name: i % 13 === 0 ? '山田' : null,
    employment_type: { name: TYPES[i % TYPES.length] },
    departments: [null, { code: `D${i % 50}` }],
  };
}

function chain(policy: 'keep-first' | 'reject-all'): Stage[] {
  return [
    normalizeStage({ last_name: 'text', first_name: 'text', last_name_yomi: 'kana', first_name_yomi: 'kana', email: 'email', gender: 'gender', birth_at: 'date', entered_at: 'date' }),
    mapStage({
      社員番号: { from: 'emp_code' }, 姓: { first_non_empty: ['business_last_name', 'last_name'] }, 名: { from: 'first_name' },
      姓カナ: { from: 'last_name_yomi' }, 名カナ: { from: 'first_name_yomi' }, メールアドレス: { from: 'email' }, 性別: { from: 'gender' },
      生年月日: { from: 'birth_at' }, 入社日: { from: 'entered_at' }, 所属部署: { first_of: 'departments', field: 'code' },
      雇用形態: { lookup: 'employment_type.name', table: { 正社員: '正社員', 契約社員: '契約社員', 派遣社員: '派遣社員', 'アルバイト・パート': 'パート・アルバイト', 業務委託: '業務委託', 役員: '役員（任用契約）' }, default: 'その他' },
    }, false),
    validateStage([
      { fields: ['姓', '名'], check: 'required', code: 'MISSING_NAME' },
      { fields: ['姓カナ', '名カナ'], check: 'required', code: 'MISSING_KANA' },
      { fields: ['メールアドレス'], check: 'required', code: 'MISSING_EMAIL' },
      { fields: ['メールアドレス'], check: 'email', code: 'INVALID_EMAIL' },
      { fields: ['姓カナ', '名カナ'], check: 'katakana', code: 'INVALID_KANA' },
    ], async () => new Set()),
    dedupeStage(dedupe.schema.parse({ type: 'dedupe', key: ['メールアドレス'], policy, code: 'DUPLICATE_EMAIL' })),
  ];
}

/** Pushes records through stages (1→1/1→0 stages; arrays handled), then flushes; returns outcome counts. */
async function drive(stages: Stage[], rows: number, make: (i: number) => Row): Promise<{ out: number; drops: number }> {
  let out = 0, drops = 0;
  const pass = (from: number, item: Rec | Drop) => {
    let cur: Rec | Drop | null = item;
    for (let s = from; s < stages.length && cur && !(cur instanceof Drop); s++) {
      const o = stages[s].process(cur) as Rec | Drop | Array<Rec | Drop> | null;
      if (Array.isArray(o)) { for (const x of o) pass(s + 1, x); return; }
      cur = o;
    }
    if (cur instanceof Drop) drops++; else if (cur) out++;
  };
  for (const s of stages) await s.open?.();
  for (let i = 0; i < rows; i++) pass(0, { data: make(i), origin: `gen:${i}` });
  for (let s = 0; s < stages.length; s++) {
    const f = stages[s].flush?.();
    if (!f) continue;
    if (Symbol.asyncIterator in Object(f)) { for await (const b of f as AsyncIterable<Array<Rec | Drop>>) for (const x of b) pass(s + 1, x); }
    else for (const x of await (f as Array<Rec | Drop>)) pass(s + 1, x);
  }
  for (const s of stages) await s.close?.();
  return { out, drops };
}

async function child(kind: string, rows: number): Promise<void> {
  const t0 = performance.now();
  let res: { out: number; drops: number };
  if (kind === 'dedupe' || kind === 'dedupe-first') {
    const policy = kind === 'dedupe' ? 'reject-all' : 'keep-first';
    res = await drive([dedupeStage(dedupe.schema.parse({ type: 'dedupe', key: ['email'], policy, code: 'DUPLICATE_EMAIL' }))], rows, (i) => employee(i, 100));
  } else if (kind === 'diff') {
    // Target: rows records; source: 90% of them (1 in 10 changed) + 10% new → 10% of the target missing.
    const fields = ['last_name', 'first_name', 'email', 'gender', 'birth_at', 'entered_at'];
    const o = diff.schema.parse({ type: 'diff', key: ['emp_code'], fields, target: { type: 'json', path: 'unused.json' } }) as Record<string, unknown>;
    delete o.target; delete o.type;
    const stage = diffStage(o as Parameters<typeof diffStage>[0], async (each) => { for (let i = 0; i < rows; i++) each({ data: employee(i), origin: `target:${i}` }); return 0; }, { logger: pino({ level: 'silent' }) });
    res = await drive([stage], rows, (i) => { const r = employee(i + Math.floor(rows / 10)); if (i % 10 === 0) r.last_name = '変更'; return r; });
  } else {
    res = await drive([], rows, (i) => employee(i));
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ kind, rows, ...res, seconds, max_rss_mb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

export interface TransformBenchResult {
  rows: number;
  generate_per_s: number;
  chain: Array<{ policy: string; seconds: number; cpu_seconds: number; records_per_s: number; records_per_cpu_s: number; out: number; drops: number }>;
  memory: Array<{ kind: string; rows: number; seconds: number; max_rss_mb: number }>;
}

export async function benchTransforms(opts: { rows?: number; memRows?: number[]; log?: (line: string) => void } = {}): Promise<TransformBenchResult> {
  // The machine is shared: CPU time per record is reported next to wall time, and the load average.
  const rows = opts.rows ?? 1_000_000, memRows = opts.memRows ?? [100_000, 1_000_000];
  const log = opts.log ?? ((l: string) => console.log(l));
  let t = performance.now();
  let sink = 0;
  for (let i = 0; i < rows; i++) sink += Object.keys(employee(i, 100)).length;
  const gen = (performance.now() - t) / 1000;
  log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  log(`generate only: ${rows} records in ${gen.toFixed(2)} s (${Math.round(rows / gen)} records/s)${sink ? '' : ''}`);
  const result: TransformBenchResult = { rows, generate_per_s: Math.round(rows / gen), chain: [], memory: [] };
  for (const policy of ['keep-first', 'reject-all'] as const) {
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const r = await drive(chain(policy), rows, (i) => employee(i, 100));
    const s = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    result.chain.push({ policy, seconds: s, cpu_seconds: cpuS, records_per_s: Math.round(rows / s), records_per_cpu_s: Math.round(rows / cpuS), ...r });
    log(`normalize+map+validate+dedupe(${policy}): ${rows} records in ${s.toFixed(2)} s wall = ${Math.round(rows / s)} records/s; ${cpuS.toFixed(2)} s CPU = ${Math.round(rows / cpuS)} records/CPU-s (incl. generation; out ${r.out}, dropped ${r.drops})`);
  }
  const self = fileURLToPath(import.meta.url);
  const runTs = path.join(path.dirname(self), '..', 'bin', 'run-ts.js');
  for (const kind of ['baseline', 'dedupe', 'dedupe-first', 'diff']) {
    for (const n of memRows) {
      const line = execFileSync(process.execPath, [runTs, self, '--child', kind, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop()!;
      const m = JSON.parse(line) as { kind: string; rows: number; seconds: number; max_rss_mb: number };
      result.memory.push({ kind: m.kind, rows: m.rows, seconds: m.seconds, max_rss_mb: m.max_rss_mb });
      log(`${kind.padEnd(12)} ${String(n).padStart(8)} records: peak RSS ${m.max_rss_mb.toFixed(0)} MB, ${m.seconds.toFixed(2)} s`);
    }
  }
  return result;
}


if (isEntry(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  if (args[0] === '--child') await child(args[1], Number(args[2]));
  else await benchTransforms({ rows: Number(arg('--rows') ?? 1_000_000), memRows: arg('--mem-rows')?.split(',').map(Number) });
}
