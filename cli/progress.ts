/**
 * A one-line progress display on a terminal (records/s and counts by outcome), redrawn at most
 * every 200 ms. Nothing is drawn when the stream is not a TTY (CI logs stay clean).
 */
import type { Counts } from '../engine/report.ts';

export function progressLine(stream: NodeJS.WritableStream, label: string, enabled: boolean) {
  const tty = enabled && Boolean((stream as NodeJS.WriteStream).isTTY);
  const t0 = Date.now();
  let last = 0;
  let drawn = false;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return {
    update(c: Counts, force = false) {
      if (!tty) return;
      const t = Date.now();
      if (!force && t - last < 200) return;
      last = t;
      const rate = c.read / Math.max(0.001, (t - t0) / 1000);
      stream.write(`\r\x1b[K${label}: ${fmt(c.read)} read · ${fmt(Math.round(rate))} rec/s · pending/written ${fmt(c.read - c.filtered - c.rejected - c.unchanged)} · unchanged ${fmt(c.unchanged)} · filtered ${fmt(c.filtered)} · rejected ${fmt(c.rejected)}`);
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}
