/**
 * Japanese text helpers used on the hot path (compiled once, no per-call regex construction).
 *
 * "NFKC where safe": only full-width ASCII (Ａ１＠), half-width katakana (ｶﾞ) and the ideographic
 * space U+3000 go through NFKC. Full NFKC would also rewrite characters whose compatibility form loses
 * meaning in HR data (① → 1, ㈱ → (株), ㍻ → 平成, ™ → TM), so those are left alone.
 */

const NARROW = /[\uFF01-\uFF5E\uFF61-\uFF9F\u3000]/;
const NARROW_RUNS = /[\uFF01-\uFF5E\uFF61-\uFF9F\u3000]+/g;
const COMBINING_KANA = /[\u3099\u309A]/;
const SPACE_TO_FIX = /^\s|\s$|\s\s|[\t\n\r\f\v\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/;
const SPACES = /\s+/g;
const HIRAGANA = /[\u3041-\u3096\u309D\u309E]/;
const KATAKANA_ONLY = /^[\u30A1-\u30FA\u30FB\u30FC\u30FD\u30FE ]+$/;

const HALF_KANA = /[\uFF61-\uFF9F]/;
const nfkc = (m: string): string => m.normalize('NFKC');

/** Full-width ASCII (U+FF01–FF5E) → ASCII and U+3000 → space by code arithmetic: what NFKC does for them, without ICU. */
function shiftWide(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) { out += s.slice(from, i) + String.fromCharCode(c - 0xfee0); from = i + 1; }
    else if (c === 0x3000) { out += s.slice(from, i) + ' '; from = i + 1; }
  }
  return out + s.slice(from);
}

/** Full-width ASCII → ASCII, half-width katakana → full-width (voiced marks composed), U+3000 → space. */
export function narrowNfkc(s: string): string {
  if (NARROW.test(s)) s = HALF_KANA.test(s) ? s.replace(NARROW_RUNS, nfkc) : shiftWide(s);
  // A stray half-width dakuten becomes a combining mark; compose it with the kana before it.
  if (COMBINING_KANA.test(s)) s = s.normalize('NFC');
  return s;
}

/** Trims and collapses every run of whitespace (incl. U+3000, tabs, newlines) to one ASCII space. */
export function collapseSpace(s: string): string {
  return SPACE_TO_FIX.test(s) ? s.replace(SPACES, ' ').trim() : s;
}

/**
 * True when the text is already clean: no character NFKC-where-safe would change, no combining kana
 * mark, no whitespace other than single inner ASCII spaces. One pass over char codes: most values
 * (names, codes) are clean, and this is much cheaper than running the regexes on them.
 */
export function isClean(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  let prevSpace = true; // a leading space is not clean
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) { if (prevSpace) return false; prevSpace = true; continue; }
    prevSpace = false;
    if (c < 0x20) return false;
    if (c < 0x7f) continue;
    if (c === 0xa0 || c === 0x3000 || c === 0x3099 || c === 0x309a || c === 0xfeff || c === 0x1680 || c === 0x2028 || c === 0x2029) return false;
    if ((c >= 0xff01 && c <= 0xff9f) || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f) return false;
  }
  return !prevSpace;
}

/** Safe NFKC plus whitespace clean-up: the normal form of a free-text field. */
export function cleanText(s: string): string {
  return isClean(s) ? s : collapseSpace(narrowNfkc(s));
}

/** Hiragana → katakana (ゝゞ → ヽヾ); other characters unchanged. */
export function toKatakana(s: string): string {
  if (!HIRAGANA.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += (c >= 0x3041 && c <= 0x3096) || c === 0x309d || c === 0x309e ? String.fromCharCode(c + 0x60) : s[i];
  }
  return out;
}

/** True when the text is full-width katakana only (ー, ・, ヽヾ and single spaces allowed). */
export function isKatakana(s: string): boolean {
  return KATAKANA_ONLY.test(s);
}

/** A kana reading in normal form (katakana, clean spaces), or null when it is not kana. */
export function toKanaReading(s: string): string | null {
  const k = toKatakana(cleanText(s));
  return isKatakana(k) ? k : null;
}

/** null, undefined, and strings that are empty after trimming (incl. U+3000) count as blank. */
export function isBlank(v: unknown): boolean {
  if (v == null) return true;
  if (typeof v !== 'string') return false;
  if (v.length === 0) return true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== 0x20 && c !== 0x3000 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xa0 && c !== 0xfeff) return false;
  }
  return true;
}
