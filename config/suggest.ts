/** "Did you mean …?" for a mistyped key, command or option: the nearest valid names by edit distance. */

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), with an early exit past `max`. */
export function distance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prev2[j - 2] + 1);
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** Valid names close to `given` (a third of its length in edits, at least 1, at most 3), nearest first. */
export function nearest(given: string, valid: readonly string[]): string[] {
  const g = given.toLowerCase();
  const max = Math.min(3, Math.max(1, Math.floor(g.length / 3)));
  return valid
    .map((v) => ({ v, d: distance(g, v.toLowerCase(), max) }))
    .filter((x) => x.d <= max || x.v.toLowerCase().startsWith(g) || g.startsWith(x.v.toLowerCase()))
    .sort((a, b) => a.d - b.d)
    .map((x) => x.v);
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(given: string, valid: readonly string[]): string {
  const n = nearest(given, valid);
  return n.length ? ` — did you mean ${n.slice(0, 2).map((x) => JSON.stringify(x)).join(' or ')}?` : '';
}
