import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { diff, diffStage } from '../../../transforms/diff.ts';
import { runStage, recs } from '../../../engine/stage-harness.ts';
import { makeCtx } from '../../../engine/context.ts';
import type { Row } from '../../../engine/types.ts';

const log = { logger: pino({ level: 'silent' }) };
const FIELDS = ['last_name', 'gender', 'birth_at', 'email'];
const stageOver = (target: Row[], o: { key?: string[]; fields?: string[]; target_fields?: Record<string, string>; carry?: string[]; label?: string[] } = {}) => {
  // Options as the schema would give them (defaults applied).
  const { target: _t, type: _y, ...opts } = diff.schema.parse({ type: 'diff', target: { type: 'json', path: 'unused.json' }, key: ['emp_code'], fields: FIELDS, ...o });
  return diffStage(opts, async (each) => { recs(target, 'target').forEach(each); return 0; }, log);
};

const target = () => [
  { emp_code: 'E1', last_name: '山田', gender: 'male', birth_at: '1990-01-01', email: 'y@x.jp' },
  { emp_code: 'E2', last_name: '佐藤', gender: 'female', birth_at: '1985-05-05', email: 's@x.jp' },
  { emp_code: 'E3', last_name: '鈴木', gender: 'male', birth_at: null, email: 'k@x.jp' },
];

describe('diff', () => {
  it('K5: new, changed (every differing field old → new), unchanged; K6: only the compared fields; K1: keyed by employee number', async () => {
    const source = [
      { emp_code: 'E1', last_name: '山田', gender: 'male', birth_at: '1990-01-01', email: 'y@x.jp', other: 'ignored' },
      { emp_code: 'E2', last_name: '高橋', gender: 'female', birth_at: '1985-05-06', email: 's@x.jp' },
      { emp_code: 'E4', last_name: '田中', gender: 'male', birth_at: '2000-01-01', email: 't@x.jp' },
    ];
    const { out, drops } = await runStage(stageOver(target()), source);
    expect(out.map((r) => [r.data.emp_code, r.meta?.status, r.meta?.changes])).toEqual([
      ['E2', 'changed', [{ field: 'last_name', old: '佐藤', new: '高橋' }, { field: 'birth_at', old: '1985-05-05', new: '1985-05-06' }]],
      ['E4', 'new', undefined],
    ]);
    // The target fingerprint lets apply detect a target changed since the plan.
    expect(out[0].meta!.target_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(drops.map((d) => [d.kind, d.code, d.origin])).toEqual([
      ['unchanged', 'UNCHANGED', 'input:1'],
      ['filtered', 'MISSING_IN_SOURCE', 'target:3'],
    ]);
    expect(drops[1].data).toEqual({ emp_code: 'E3', last_name: '鈴木', gender: 'male', birth_at: null, email: 'k@x.jp' });
  });
  it('carry: target fields (e.g. the id to PATCH) ride along on changed records', async () => {
    const t = target().map((r, i) => ({ ...r, id: `uuid-${i}`, secret_field: 'not carried' }));
    const { out } = await runStage(stageOver(t, { carry: ['id'] }), [{ ...target()[1], last_name: '高橋' }]);
    expect(out[0].meta).toMatchObject({ status: 'changed', target: { id: 'uuid-1' } });
    expect(Object.keys(out[0].meta!.target!)).toEqual(['id']);
  });

  it('blank, null and absent compare equal; numbers equal their text', async () => {
    const { out, drops } = await runStage(stageOver([{ emp_code: 1, last_name: '', gender: null, birth_at: '2000-01-01' }]),
      [{ emp_code: '1', last_name: null, birth_at: '2000-01-01', email: '' }]);
    expect(out).toEqual([]);
    expect(drops.map((d) => d.kind)).toEqual(['unchanged']);
  });
  it('target fields can be named differently (KING OF TIME lastName ⇄ SmartHR last_name)', async () => {
    const s = stageOver([{ code: 'E1', lastName: '山田' }], { fields: ['last_name'], target_fields: { emp_code: 'code', last_name: 'lastName' } });
    const { out } = await runStage(s, [{ emp_code: 'E1', last_name: '山本' }]);
    expect(out[0].meta).toMatchObject({ status: 'changed', changes: [{ field: 'last_name', old: '山田', new: '山本' }] });
  });
  it('target records with a blank key are a fact (count; origin, carry fields and label of each, nothing else); label fields ride along on missing records', async () => {
    const t = [
      { id: 'u1', emp_code: 'E1', last_name: '山田', dept: '営業部', email: 'y@x.jp' },
      { id: 'u2', emp_code: '', last_name: '佐藤', dept: '総務部', email: 's@x.jp', birth_at: '1985-05-05' },
      { id: 'u3', emp_code: null, last_name: null, dept: null, email: 'n@x.jp' },
      { id: 'u4', emp_code: 'E4', last_name: '鈴木', dept: '開発部', email: 'k@x.jp' },
    ];
    const s = stageOver(t, { carry: ['id'], label: ['last_name', 'department'], target_fields: { department: 'dept' } });
    await s.open!();
    expect(s.facts!()).toMatchObject({
      target_records: 2,
      target_blank_keys: { count: 2, records: [
        { origin: 'target:2', identity: { id: 'u2' }, label: '佐藤 総務部' },
        { origin: 'target:3', identity: { id: 'u3' } },
      ] },
    });
    await s.close!();
    const { drops } = await runStage(stageOver(t, { label: ['last_name', 'department'], target_fields: { department: 'dept' } }), [t[0]]);
    expect(drops.filter((d) => d.code === 'MISSING_IN_SOURCE').map((d) => d.data)).toEqual([
      { emp_code: 'E4', last_name: '鈴木', gender: null, birth_at: null, email: 'k@x.jp', dept: '開発部' },
    ]);
    const none = stageOver(target());
    await none.open!();
    expect(none.facts!()).not.toHaveProperty('target_blank_keys');
    await none.close!();
  });
  it('a stream record without a key is rejected', async () => {
    const { drops } = await runStage(stageOver(target()), [{ emp_code: '', last_name: 'x' }]);
    expect(drops[0].code).toBe('MISSING_KEY');
  });
  it('reads its target through any source config (json file) and removes its temp files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-test-'));
    fs.writeFileSync(path.join(dir, 'target.json'), JSON.stringify(target()));
    const ctx = makeCtx({ baseDir: dir });
    const s = diff.create(diff.schema.parse({ type: 'diff', key: ['emp_code'], fields: FIELDS, target: { type: 'json', path: 'target.json' }, temp_dir: '.' }), ctx);
    const { out, drops } = await runStage(s, [target()[0], { ...target()[1], email: 'new@x.jp' }]);
    expect(out.map((r) => r.meta?.changes)).toEqual([[{ field: 'email', old: 's@x.jp', new: 'new@x.jp' }]]);
    expect(drops.map((d) => d.code)).toEqual(['UNCHANGED', 'MISSING_IN_SOURCE']);
    expect(fs.readdirSync(dir)).toEqual(['target.json']);
  });
  it('an unknown target source type is a config error', () => {
    expect(() => diff.schema.parse({ type: 'diff', key: ['a'], fields: ['b'], target: { type: 'nope' } })).toThrow();
  });

  const row = fc.record({
    emp_code: fc.constantFrom('E1', 'E2', 'E3', 'E4', 'E5', 'E6'),
    last_name: fc.constantFrom('山田', '佐藤', '', null),
    gender: fc.constantFrom('male', 'female', null),
    birth_at: fc.constantFrom('1990-01-01', '2000-02-29', null),
    email: fc.constantFrom('a@x.jp', 'b@x.jp'),
  });
  const uniq = (rows: Row[]) => [...new Map(rows.map((r) => [r.emp_code, r])).values()];

  it('property: diff(x, x) is all unchanged', async () => {
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 10 }), async (rows) => {
      const x = uniq(rows);
      const { out, drops } = await runStage(stageOver(x.map((r) => ({ ...r }))), x.map((r) => ({ ...r })));
      expect(out).toEqual([]);
      expect(drops.every((d) => d.kind === 'unchanged')).toBe(true);
      expect(drops).toHaveLength(x.length);
    }), { numRuns: 200 });
  });
  it('property: applying a diff\'s changes to the target makes a second diff all unchanged', async () => {
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 10 }), fc.array(row, { maxLength: 10 }), async (s, t) => {
      const source = uniq(s), tgt = uniq(t);
      const { out } = await runStage(stageOver(tgt.map((r) => ({ ...r }))), source.map((r) => ({ ...r })));
      const applied = new Map(tgt.map((r) => [r.emp_code, { ...r }]));
      for (const r of out) {
        if (r.meta!.status === 'new') applied.set(r.data.emp_code, { ...r.data });
        else for (const c of r.meta!.changes!) applied.get(r.data.emp_code)![c.field] = c.new;
      }
      const again = await runStage(stageOver([...applied.values()]), source.map((r) => ({ ...r })));
      expect(again.out).toEqual([]);
      expect(again.drops.filter((d) => d.kind === 'unchanged')).toHaveLength(source.length);
    }), { numRuns: 200 });
  });
});
