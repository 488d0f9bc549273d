import { describe, it, expect } from 'vitest';
import { renderPlanSummary, renderPlanTable } from '../../sync/review/terminal.ts';
import { displayWidth, truncate, valueText } from '../../sync/review/format.ts';
import type { Candidate, Plan } from '../../sync/plan.ts';

function plan(candidates: Candidate[]): Plan {
  const counts = { new: 0, changed: 0, unchanged: 0, rejected: 0, excluded: 0, missing: 0, filtered: 3 };
  for (const c of candidates) counts[c.status]++;
  return {
    version: 1, plan_id: 'P1', pipeline: 'smarthr-to-kot', direction: 'SmartHR → KING OF TIME',
    config_hash: 'abcdef0123456789abcdef', created_at: '2026-04-01T09:00:00.000Z', reference_date: '2026-04-01',
    target_fingerprint: 'ff', pipeline_file: '/srv/p.yaml', overrides: [], target_records: 5, source_records: 8, counts, candidates,
  };
}

const PLAN = plan([
  { key: 'E001', status: 'new', origin: 'smarthr:1:0', record: { last_name: '山田' } },
  { key: 'E002', status: 'changed', origin: 'smarthr:1:1', changes: [
    { field: 'last_name', old: '佐藤', new: '加藤' },
    { field: 'email', old: null, new: 'jiro@example.jp' },
    { field: 'tags', old: ['a'], new: { b: 1 } },
  ] },
  { key: 'E003', status: 'unchanged', origin: 'smarthr:1:2' },
  { key: 'E004', status: 'rejected', origin: 'smarthr:1:3', code: 'MISSING_KANA', message: 'kana is required', stage: 'validate' },
  { key: 'E005', status: 'missing' },
]);

describe('renderPlanSummary', () => {
  it('K5: names the plan and counts every status', () => {
    const s = renderPlanSummary(PLAN);
    expect(s).toContain('pipeline smarthr-to-kot');
    expect(s).toContain('SmartHR → KING OF TIME');
    expect(s).toContain('reference date 2026-04-01');
    expect(s).toContain('config abcdef012345');
    expect(s).toContain('new 1  changed 1  unchanged 1  rejected 1  missing 1  (5 candidates, 3 filtered out)');
    expect(s).not.toContain('\x1b[');
  });
});

describe('renderPlanTable', () => {
  it('K5: one block per candidate, every changed field as old → new, rejected code + message', () => {
    const out = renderPlanTable(PLAN, { color: false });
    const lines = out.split('\n');
    expect(lines).toContain('NEW        E001  smarthr:1:0');
    expect(lines).toContain('CHANGED    E002  smarthr:1:1');
    expect(lines).toContain('    last_name: 佐藤 → 加藤');
    expect(lines).toContain('    email: (blank) → jiro@example.jp');
    expect(lines).toContain('    tags: ["a"] → {"b":1}');
    expect(lines).toContain('UNCHANGED  E003  smarthr:1:2');
    expect(lines).toContain('REJECTED   E004  smarthr:1:3');
    expect(lines).toContain('    MISSING_KANA [validate]: kana is required');
    expect(lines).toContain('MISSING    E005');
    expect(out).not.toContain('\x1b[');
  });

  it('K5: colour strikes old values through in red and shows new values in green', () => {
    const out = renderPlanTable(PLAN, { color: true });
    expect(out).toContain('    last_name: \x1b[9;31m佐藤\x1b[0m → \x1b[32m加藤\x1b[0m');
    expect(out).toContain('\x1b[1;33mCHANGED  \x1b[0m');
    expect(out).toContain('\x1b[1;31mREJECTED \x1b[0m');
  });

  it('K5: filters by status and limits long lists with a pointer to the full plan', () => {
    const out = renderPlanTable(PLAN, { color: false, statuses: ['new', 'changed', 'rejected'], limit: 2 });
    expect(out).toContain('E001');
    expect(out).toContain('E002');
    expect(out).not.toMatch(/E00[345]/);
    expect(out).toContain('… and 1 more (see the HTML review page or --out plan.json)');
    expect(renderPlanTable(PLAN, { color: false, statuses: ['new'], limit: 5 })).not.toContain('more');
    expect(renderPlanTable(plan([]), { color: false })).toContain('(no candidates with the chosen statuses)');
  });

  it('a label follows the key (control characters made visible); blank-key target records are a ⚠ line of the summary', () => {
    const p = { ...plan([
      { key: 'E001', status: 'changed', label: '山田 太郎\x1b[2J 営業部', origin: 'f:2', changes: [{ field: 'email', old: 'a', new: 'b' }] },
      { key: 'E002', status: 'new', origin: 'f:3' },
    ]), target_blank_keys: { count: 2, records: [] } };
    const lines = renderPlanTable(p, { color: false }).split('\n');
    expect(lines).toContain('CHANGED    E001  山田 太郎\\u001b[2J 営業部  f:2');
    expect(lines).toContain('NEW        E002  f:3');
    expect(lines[3]).toBe('⚠ 2 target record(s) have a blank key: not compared, never updated (listed on the review page and in the plan)');
    expect(renderPlanSummary(PLAN)).not.toContain('blank key');
  });

  it('user data cannot send terminal escapes or break lines', () => {
    const p = plan([{ key: 'E\x1b[2J9', status: 'changed', changes: [{ field: 'note', old: 'a\nb', new: '\x1b]0;pwned\x07' }] }]);
    const out = renderPlanTable(p, { color: false });
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\x07');
    expect(out).toContain('E\\u001b[2J9');
    expect(out).toContain('    note: a\\nb → \\u001b]0;pwned\\u0007');
  });

  it('aligns keys by display width (CJK counts two columns) and cuts long values', () => {
    const p = plan([
      { key: '社員1', status: 'unchanged', origin: 'o1' },
      { key: 'ABCDEFG', status: 'unchanged', origin: 'o2' },
      { key: 'X', status: 'changed', changes: [{ field: 'memo', old: 'あ'.repeat(100), new: 'b' }] },
    ]);
    const lines = renderPlanTable(p, { color: false }).split('\n');
    expect(lines).toContain('UNCHANGED  社員1    o1');
    expect(lines).toContain('UNCHANGED  ABCDEFG  o2');
    const memo = lines.find((l) => l.startsWith('    memo: '))!;
    expect(memo).toContain('…');
    expect(displayWidth(memo)).toBeLessThan(100);
  });
});

describe('value formatting', () => {
  it('strings as-is, blanks marked, objects as JSON', () => {
    expect(valueText('山田')).toBe('山田');
    expect(valueText(null)).toBeNull();
    expect(valueText(undefined)).toBeNull();
    expect(valueText('')).toBe('""');
    expect(valueText(0)).toBe('0');
    expect(valueText(false)).toBe('false');
    expect(valueText({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(valueText(10n)).toBe('10');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('あいう', 4)).toBe('あ…');
    expect(displayWidth('ｱア')).toBe(3);
  });
});
