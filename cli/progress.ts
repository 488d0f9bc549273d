/**
 * A one-line progress display on a terminal: records/s, counts by outcome, elapsed time and — when
 * the source knows its size (a file) — the share read and an ETA. Redrawn at most every 200 ms.
 * Log lines never interleave with it: the session's log stream clears the line before a log line
 * and redraws it after ({@link ProgressLine.clear} / {@link ProgressLine.redraw}). Nothing is drawn
 * when the stream is not a TTY (CI logs stay clean).
 */
import type { Counts } from '../engine/report.ts';

/** How far the source is: bytes (or items) done of a known total. */
export interface SourceProgress { done: number; total: number }

export interface ProgressLine {
  update(c: Counts, source?: SourceProgress, force?: boolean): void;
  /** Erase the line (before something else is written to the terminal). */
  clear(): void;
  /** Draw the last line again (after something else was written). */
  redraw(): void;
  done(): void;
}

const clock = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
};

export function progressLine(stream: NodeJS.WritableStream, label: string, enabled: boolean, now: () => number = Date.now): ProgressLine {
  const tty = enabled && Boolean((stream as NodeJS.WriteStream).isTTY);
  const t0 = now();
  let last = 0;
  let text = '';
  let shown = false;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return {
    update(c, source, force = false) {
      if (!tty) return;
      const t = now();
      if (!force && t - last < 200) return;
      last = t;
      const elapsed = t - t0;
      const rate = c.read / Math.max(0.001, elapsed / 1000);
      let where = '';
      if (source && source.total > 0) {
        const f = Math.min(1, source.done / source.total);
        where = ` · ${(100 * f).toFixed(f < 0.1 ? 1 : 0)}%${f > 0.01 && f < 1 ? ` · ETA ${clock(elapsed * (1 - f) / f)}` : ''}`;
      }
      text = `${label}: ${fmt(c.read)} read${where} · ${fmt(Math.round(rate))} rec/s · ${clock(elapsed)} · pending/written ${fmt(c.read - c.filtered - c.rejected - c.unchanged)} · unchanged ${fmt(c.unchanged)} · filtered ${fmt(c.filtered)} · rejected ${fmt(c.rejected)}`;
      stream.write(`\r\x1b[K${text}`);
      shown = true;
    },
    clear() {
      if (tty && shown) { stream.write('\r\x1b[K'); shown = false; }
    },
    redraw() {
      if (tty && text && !shown) { stream.write(`\r\x1b[K${text}`); shown = true; }
    },
    done() {
      if (tty && shown) stream.write('\r\x1b[K');
      shown = false;
      text = '';
    },
  };
}
