/** KeySet (dedupe keep-first's memory of keys) answers exactly as a Set<string> does. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeySet } from '../../../transforms/lib/key-set.ts';

describe('KeySet', () => {
  it('property: add() says "new" exactly when a Set<string> would, through growth, for any strings (lone surrogates, NUL, Japanese; keys stored one byte a unit beside two-byte ones)', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom('山田.taro@example.jp', '\ud800', '\udc00', '\u0000', '', 'a\u0000b', 'ヤマダ', '\u00ff', '\u0100', '\u0000\u0001', 'é', 'ÿa', 'Āa'),
    );
    fc.assert(fc.property(fc.array(key, { maxLength: 400 }), (keys) => {
      const ours = new KeySet(2);
      const set = new Set<string>();
      for (const k of keys) {
        const n = set.size;
        expect(ours.add(k)).toBe(set.add(k).size !== n);
      }
      expect(ours.size).toBe(set.size);
    }));
  });

  it('a million distinct keys, then each again: all new, then all seen', () => {
    const s = new KeySet();
    let fresh = 0;
    for (let i = 0; i < 1_000_000; i++) if (s.add(`user.${i}@example.co.jp`)) fresh++;
    let again = 0;
    for (let i = 0; i < 1_000_000; i += 997) if (!s.add(`user.${i}@example.co.jp`)) again++;
    expect(fresh).toBe(1_000_000);
    expect(again).toBe(Math.ceil(1_000_000 / 997));
    expect(s.size).toBe(1_000_000);
    s.clear();
    expect(s.add('user.0@example.co.jp')).toBe(true);
  });
});
