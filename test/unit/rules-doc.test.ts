/**
 * docs/rules.md defines every rule ID the project names (G…, K…, L…, M-D…, M-E…, M-R…): each ID used
 * in a source, pipeline, test or README file must be a row there, and the rows must point at files
 * and test titles that exist.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = path.join(ROOT, 'docs', 'rules.md');

/**
 * A rule ID: G, K or L and a number, or M-D / M-E / M-R and a number, standing alone — not inside a
 * longer word or number (`K100`, `G1x`, `aK1`, `x-G1` are not IDs). Case-sensitive.
 */
const RULE_ID = /(?<![A-Za-z0-9_-])(?:M-[DER]|[GKL])[0-9]{1,2}(?![A-Za-z0-9_-])/g;

const SCANNED_EXT = /\.(?:ts|mts|cts|js|mjs|cjs|ya?ml|md)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'docs', 'coverage', 'out']);

function scannedFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) scannedFiles(p, out);
    else if (e.isFile() && SCANNED_EXT.test(e.name)) out.push(p);
  }
  return out;
}

/** Every rule ID named in the project's files, with where (file:line). */
function usedIds(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of scannedFiles(ROOT)) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      for (const [id] of line.matchAll(RULE_ID)) {
        const where = `${path.relative(ROOT, file)}:${i + 1}`;
        used.set(id, [...(used.get(id) ?? []), where]);
      }
    });
  }
  return used;
}

interface Row { id: string; rule: string; enforced: string; proved: string; line: number }

/** The table rows of docs/rules.md whose first cell is a rule ID. */
function docRows(): Row[] {
  const rows: Row[] = [];
  fs.readFileSync(DOC, 'utf8').split('\n').forEach((line, i) => {
    const m = /^\|\s*([^|]+?)\s*\|(.*)\|\s*$/.exec(line);
    if (!m || !new RegExp(`^${RULE_ID.source}$`).test(m[1])) return;
    const [rule = '', enforced = '', proved = ''] = m[2].split('|').map((c) => c.trim());
    rows.push({ id: m[1], rule, enforced, proved, line: i + 1 });
  });
  return rows;
}

describe('docs/rules.md', () => {
  it('the rule-ID pattern finds IDs in comments, strings and titles, and nothing inside longer words or numbers', () => {
    const ids = (s: string) => [...s.matchAll(RULE_ID)].map((m) => m[0]);
    expect(ids("it('M-E7: …') (K7/K8) G6, K10 and L2; 基準日K2; `M-R5`")).toEqual(['M-E7', 'K7', 'K8', 'G6', 'K10', 'L2', 'K2', 'M-R5']);
    expect(ids('K100 G1x aK1 x-G1 M-E M-X1 g1 sha256 ISO-8601 utf-8 H1 L-1 K_1 G1_b')).toEqual([]);
  });

  it('every rule ID named in a source, pipeline, test or README file is a row of docs/rules.md', () => {
    const defined = new Set(docRows().map((r) => r.id));
    const used = usedIds();
    expect(used.size).toBeGreaterThan(10);
    const undefinedIds = [...used].filter(([id]) => !defined.has(id)).map(([id, where]) => `${id} (${where.slice(0, 3).join(', ')})`);
    expect(undefinedIds, 'add a row to docs/rules.md for each').toEqual([]);
  });

  it('one row per ID, every cell filled: the rule, where it is enforced (or "not yet implemented"), which test proves it (or "none yet")', () => {
    const rows = docRows();
    const ids = rows.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // The families of domain rules, all of them (numbers without gaps).
    for (const [family, n] of [['G', 7], ['K', 11], ['L', 3], ['M-D', 7], ['M-E', 12], ['M-R', 5]] as const) {
      for (let i = 1; i <= n; i++) expect(ids, `${family}${i}`).toContain(`${family}${i}`);
    }
    for (const r of rows) {
      expect(r.rule.length, `docs/rules.md:${r.line} ${r.id}: rule`).toBeGreaterThan(10);
      expect(r.enforced, `docs/rules.md:${r.line} ${r.id}: enforced in`).toMatch(/`[^`]+`|not yet implemented/);
      expect(r.proved, `docs/rules.md:${r.line} ${r.id}: proved by`).toMatch(/^(none yet|`test\/[^`]+` ".+")/);
    }
  });

  it('every file named in the table exists, and every quoted test title is in its test file', () => {
    const problems: string[] = [];
    for (const r of docRows()) {
      for (const [, file] of `${r.enforced} ${r.proved}`.matchAll(/`([\w./-]+\.(?:ts|ya?ml|js))`/g)) {
        if (!fs.existsSync(path.join(ROOT, file))) problems.push(`docs/rules.md:${r.line} ${r.id}: ${file} does not exist`);
      }
      for (const [, file, title] of r.proved.matchAll(/`(test\/[^`]+)`\s*"([^"]+)"/g)) {
        const p = path.join(ROOT, file);
        if (fs.existsSync(p) && !fs.readFileSync(p, 'utf8').includes(`it('${title}`)) problems.push(`docs/rules.md:${r.line} ${r.id}: no test titled "${title}…" in ${file}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
