import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutValues } from '../../engine/run-recorder.ts';

/** The rule as first written: every non-key value of two or more characters found in the message is replaced. */
function reference(message: string, data: Record<string, unknown> | string | undefined, key: string[]): string {
  let m = message;
  if (m.includes('Failing row contains (')) m = m.replace(/Failing row contains \(.*?\)(?=;|$)/gs, 'Failing row contains (…)');
  if (m.includes(')=(')) m = m.replace(/\(([^()]*)\)=\(([^()]*)\)/g, '($1)=(…)');
  const scrub = (v: unknown) => {
    const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
    if (s.length >= 2 && m.includes(s)) m = m.split(s).join('…');
  };
  if (typeof data === 'string') scrub(data);
  else if (data) for (const k in data) if (!key.includes(k)) scrub(data[k]);
  return m;
}

describe('run recorder', () => {
  it('G6: a stored message holds none of the record\'s values but its key, whatever the values and however the message quotes them', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.constantFrom('山田', '太郎', 'ヤマダ', '1990-02-30', '…', 'é1', '1…'),
      fc.integer({ min: -999, max: 99999 }), fc.constant(null), fc.boolean(),
    );
    const record = fc.dictionary(fc.constantFrom('id', 'name', 'kana', 'birth', 'note', 'n'), value, { noNullPrototype: true });
    fc.assert(fc.property(record, fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('"', ': ', '; column "x"', 'Failing row contains (', ')=(', ')')), { maxLength: 6 }), fc.array(fc.nat(5), { maxLength: 4 }), (data, parts, picks) => {
      // A message built from text and some of the record's values, as rules and databases write them.
      const values = Object.values(data).map((v) => String(v));
      const message = parts.map((p, i) => p + (picks[i] !== undefined && values.length ? values[picks[i] % values.length] : '')).join('');
      expect(withoutValues(message, data, ['id'])).toBe(reference(message, data, ['id']));
      expect(withoutValues(message, message.slice(1, 4), ['id'])).toBe(reference(message, message.slice(1, 4), ['id']));
    }), { numRuns: 3000 });
  });

  it('G6: a value in Japanese is taken out of an ASCII message and out of a Japanese one', () => {
    const data = { id: 'E1', name: '山田', email: 'taro@@x', birth: '1990-02-30' };
    expect(withoutValues('email: "taro@@x"; birth "1990-02-30"', data, ['id'])).toBe('email: "…"; birth "…"');
    expect(withoutValues('氏名 "山田" は不正です (E1)', data, ['id'])).toBe('氏名 "…" は不正です (E1)');
  });
});
