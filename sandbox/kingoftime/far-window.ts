/**
 * KING OF TIME's client keeps the closed hours on the real clock (K9). A pipeline rehearsed against
 * the sandbox — whose own clock is usually a fixed noon in Tokyo — would wait for real closed hours
 * if run then; tests, benchmarks and the soak give it instead one closed minute twelve hours from
 * now (`--set …closed_windows=<this>`), moved two hours on when that would be near noon.
 */
export function farClosedWindow(nowMs: number = Date.now()): string {
  let m = (Math.floor(nowMs / 60_000) + 9 * 60 + 720) % 1440;
  if (Math.abs(m - 720) < 30) m = (m + 120) % 1440;
  const hm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
  return `[${hm(m)}-${hm((m + 1) % 1440)}]`;
}
