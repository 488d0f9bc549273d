import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { progressLine } from '../../cli/progress.ts';

function sink(tty: boolean) {
  let out = '';
  const w = new Writable({ write(c, _e, cb) { out += String(c); cb(); } }) as Writable & { isTTY?: boolean };
  w.isTTY = tty;
  return { w, text: () => out };
}
const counts = { read: 12345, written: 12000, unchanged: 5, filtered: 40, rejected: 300 };

describe('progress line', () => {
  it('on a terminal: one redrawn line with records/s and counts by outcome, cleared at the end', () => {
    const s = sink(true);
    const p = progressLine(s.w, 'demo', true);
    p.update(counts, undefined, true);
    expect(s.text()).toMatch(/^\r\x1b\[Kdemo: 12,345 read · [\d,]+ rec\/s · 0:00 · pending\/written 12,000 · unchanged 5 · filtered 40 · rejected 300$/);
    p.done();
    expect(s.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('nothing is drawn when the stream is not a terminal, or when disabled', () => {
    for (const [tty, enabled] of [[false, true], [true, false]] as const) {
      const s = sink(tty);
      const p = progressLine(s.w, 'demo', enabled);
      p.update(counts, undefined, true);
      p.done();
      expect(s.text()).toBe('');
    }
  });
});
