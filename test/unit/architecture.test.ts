/**
 * Architecture, read from the import statements of every project .ts file (static `import … from`,
 * `export … from`, `import('…')` with a literal): no import cycle between files, and the folder
 * boundaries below. A boundary holds for every import, type-only ones included (a sink that names a
 * source's types still depends on it); a cycle counts only imports that exist at run time — a
 * type-only import is erased, so two files naming each other's types is not a cycle. Violations that
 * existed when this test was written and are being fixed are listed in KNOWN_VIOLATIONS; the test
 * also fails when a listed one is gone, so the list can only shrink.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.renkei', 'coverage', 'test-artifacts']);

/** `from` (a folder, or one file) never imports anything under `to`. */
const BOUNDARIES: Array<{ from: string; to: string[]; why: string }> = [
  { from: 'sinks/', to: ['sources/'], why: 'sources and sinks share code through connections/, never each other' },
  { from: 'sources/', to: ['sinks/'], why: 'sources and sinks share code through connections/, never each other' },
  { from: 'engine/', to: ['transforms/', 'sync/', 'review/', 'config/registry.ts'], why: 'the core engine knows no stage, no sync layer, no component registry' },
  { from: 'sandbox/', to: ['connections/', 'sources/'], why: 'a sandbox plays the API; sharing the client code would hide the client\'s mistakes' },
];

/**
 * Known violations, allowed until fixed: exact `from → to` file edges, each a boundary crossing or
 * an edge that closes an import cycle, with why it is still there. Remove an entry when its import
 * is gone (the test says so); never add one for new code.
 *
 * Empty: the crossings issue 9 found (sinks/smarthr-*.ts and sinks/rest-errors.ts → sources/,
 * engine/applier.ts, guards.ts, runner.ts → transforms/ and config/registry.ts) and the cycle
 * config/registry.ts → transforms/ → transforms/lib/source-ref.ts → config/registry.ts were fixed
 * before this test landed.
 */
const KNOWN_VIOLATIONS: Array<{ from: string; to: string; why: string }> = [];

/** Every project .ts file, as a repository-relative path with `/`. */
function projectFiles(dir = ROOT, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) projectFiles(path.join(dir, e.name), out); }
    else if (/\.[cm]?ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path.relative(ROOT, path.join(dir, e.name)).split(path.sep).join('/'));
  }
  return out;
}

interface Specifier { spec: string; typeOnly: boolean }

/** The module specifiers a source text imports (import/export … from, import('literal')), and whether only types. */
function specifiersOf(fileName: string, text: string): Specifier[] {
  const specs: Specifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const onlyTypeNames = !!c && !c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings)
        && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly);
      specs.push({ spec: node.moduleSpecifier.text, typeOnly: !!c?.isTypeOnly || onlyTypeNames });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const e = node.exportClause;
      const onlyTypeNames = !!e && ts.isNamedExports(e) && e.elements.length > 0 && e.elements.every((x) => x.isTypeOnly);
      specs.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || onlyTypeNames });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) specs.push({ spec: arg.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specs.push({ spec: node.argument.literal.text, typeOnly: true }); // `typeof import('./x.ts')`
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return specs;
}

/** The project file a relative specifier names (`.js` may stand for `.ts`), or undefined. */
function resolveSpecifier(from: string, spec: string, files: Set<string>): string | undefined {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [target, target.replace(/\.([cm]?)js$/, '.$1ts')]) if (files.has(candidate)) return candidate;
  return undefined;
}

/** File → the files it imports; `runtime` leaves out type-only imports. */
type Graph = Map<string, Set<string>>;

function importGraphs(): { all: Graph; runtime: Graph } {
  const files = projectFiles();
  const known = new Set(files);
  const all: Graph = new Map(), runtime: Graph = new Map();
  for (const f of files) {
    all.set(f, new Set());
    runtime.set(f, new Set());
    for (const { spec, typeOnly } of specifiersOf(f, fs.readFileSync(path.join(ROOT, f), 'utf8'))) {
      const t = resolveSpecifier(f, spec, known);
      if (!t) continue;
      all.get(f)!.add(t);
      if (!typeOnly) runtime.get(f)!.add(t);
    }
  }
  return { all, runtime };
}

const edgeKey = (from: string, to: string) => `${from} → ${to}`;
const under = (file: string, prefix: string) => (prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix);

function boundaryBroken(from: string, to: string): string | undefined {
  const b = BOUNDARIES.find((x) => under(from, x.from) && x.to.some((t) => under(to, t)));
  return b && `${b.from} must not import ${b.to.join(', ')}: ${b.why}`;
}

function reaches(graph: Graph, from: string, to: string): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length) {
    const f = stack.pop()!;
    for (const t of graph.get(f) ?? []) {
      if (t === to) return true;
      if (!seen.has(t)) { seen.add(t); stack.push(t); }
    }
  }
  return false;
}

/** Import cycles, each as a file path `a → b → … → a`, ignoring the edges in `skip`. */
function cycles(graph: Graph, skip: Set<string>): string[] {
  // Tarjan's strongly connected components; a component of 2+ files (or a self-import) is a cycle.
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const out: string[] = [];
  const next = (f: string) => [...(graph.get(f) ?? [])].filter((t) => !skip.has(edgeKey(f, t)));
  const strong = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const comp: string[] = [];
    let w: string;
    do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== v);
    if (comp.length > 1 || next(v).includes(v)) out.push(describeCycle(comp.sort()[0], new Set(comp), next));
  };
  for (const f of [...graph.keys()].sort()) if (!idx.has(f)) strong(f);
  return out;
}

/** One concrete cycle through `start` inside a component (shortest, by breadth-first search). */
function describeCycle(start: string, comp: Set<string>, next: (f: string) => string[]): string {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const f = queue.shift()!;
    for (const t of next(f).filter((x) => comp.has(x))) {
      if (t === start) {
        const pathBack = [f];
        while (pathBack[0] !== start) pathBack.unshift(prev.get(pathBack[0])!);
        return [...pathBack, start].join(' → ');
      }
      if (!prev.has(t)) { prev.set(t, f); queue.push(t); }
    }
  }
  return start;
}

interface Known { from: string; to: string }

/** Imports across a boundary that are not known violations. */
function boundaryViolations(all: Graph, known: Known[]): string[] {
  const keys = new Set(known.map((v) => edgeKey(v.from, v.to)));
  const out: string[] = [];
  for (const [from, targets] of all) {
    for (const to of targets) {
      const why = boundaryBroken(from, to);
      if (why && !keys.has(edgeKey(from, to))) out.push(`${edgeKey(from, to)}  (${why})`);
    }
  }
  return out;
}

/** Import cycles at run time that the known violations do not break. */
function cycleViolations(runtime: Graph, known: Known[]): string[] {
  return cycles(runtime, new Set(known.map((v) => edgeKey(v.from, v.to))));
}

/** Known violations that are no longer violations: the import is gone, or it is allowed now. */
function fixedKnown(all: Graph, runtime: Graph, known: Known[]): string[] {
  const out: string[] = [];
  for (const v of known) {
    const key = edgeKey(v.from, v.to);
    if (!all.get(v.from)?.has(v.to)) out.push(`${key}: the import is gone`);
    else if (!boundaryBroken(v.from, v.to) && !(runtime.get(v.from)?.has(v.to) && reaches(runtime, v.to, v.from))) out.push(`${key}: it neither crosses a boundary nor closes a cycle any more`);
  }
  return out;
}

const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([f, ts]) => [f, new Set(ts)]));

describe('architecture: the checks', () => {
  it('the reader finds every kind of import statement, and nothing in comments or strings', () => {
    const text = `import a from './a.ts';
import type { B } from './b.ts';
import { type C, d } from "../c.ts";
export * from './e.ts';
export { f } from './f.ts';
import './g.ts';
const h = await import('./h.ts');
type I = typeof import('./i.ts');
import { type J, type K } from './j.ts';
export type { L } from './k.ts';
// import x from './not-a.ts';
const s = "import('./not-b.ts')";
const dynamic = await import(path);
`;
    expect(specifiersOf('x.ts', text)).toEqual([
      { spec: './a.ts', typeOnly: false }, { spec: './b.ts', typeOnly: true }, { spec: '../c.ts', typeOnly: false },
      { spec: './e.ts', typeOnly: false }, { spec: './f.ts', typeOnly: false }, { spec: './g.ts', typeOnly: false },
      { spec: './h.ts', typeOnly: false }, { spec: './i.ts', typeOnly: true }, { spec: './j.ts', typeOnly: true },
      { spec: './k.ts', typeOnly: true },
    ]);
  });

  it('a known violation is allowed while it exists, and reported as fixed once it is gone', () => {
    const all = graphOf({ 'sinks/a.ts': ['sources/b.ts', 'sinks/c.ts'], 'sinks/c.ts': ['sinks/d.ts'], 'sinks/d.ts': ['sinks/c.ts'], 'sources/b.ts': [] });
    expect(boundaryViolations(all, [])).toEqual(['sinks/a.ts → sources/b.ts  (sinks/ must not import sources/: sources and sinks share code through connections/, never each other)']);
    expect(cycleViolations(all, [])).toEqual(['sinks/c.ts → sinks/d.ts → sinks/c.ts']);
    const known = [{ from: 'sinks/a.ts', to: 'sources/b.ts' }, { from: 'sinks/d.ts', to: 'sinks/c.ts' }];
    expect(boundaryViolations(all, known)).toEqual([]);
    expect(cycleViolations(all, known)).toEqual([]);
    expect(fixedKnown(all, all, known)).toEqual([]);
    const after = graphOf({ 'sinks/a.ts': ['sinks/c.ts'], 'sinks/c.ts': ['sinks/d.ts'], 'sinks/d.ts': [], 'sources/b.ts': [] });
    expect(fixedKnown(after, after, known)).toEqual(['sinks/a.ts → sources/b.ts: the import is gone', 'sinks/d.ts → sinks/c.ts: the import is gone']);
    const typeOnly = graphOf({ 'sinks/c.ts': ['sinks/d.ts'], 'sinks/d.ts': [] }); // d → c became `import type`
    expect(fixedKnown(all, typeOnly, [known[1]])).toEqual(['sinks/d.ts → sinks/c.ts: it neither crosses a boundary nor closes a cycle any more']);
  });
});

const { all: graph, runtime } = importGraphs();

describe('architecture of this project', () => {
  it('the graph is this project\'s (the CLI entry imports its commands)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect([...graph.get('cli/main.ts')!].some((t) => t.startsWith('cli/commands/'))).toBe(true);
  });

  it('no file crosses a folder boundary (sinks ↛ sources, sources ↛ sinks, engine ↛ transforms/sync/review/registry, sandbox ↛ connections/sources)', () => {
    const found = boundaryViolations(graph, KNOWN_VIOLATIONS);
    expect(found, `imports across a boundary:\n  ${found.join('\n  ')}\n`).toEqual([]);
  });

  it('no import cycle between files (imports that exist at run time)', () => {
    const found = cycleViolations(runtime, KNOWN_VIOLATIONS);
    expect(found, `import cycles:\n  ${found.join('\n  ')}\n`).toEqual([]);
  });

  it('every KNOWN_VIOLATIONS entry is still a violation (remove the ones that are fixed)', () => {
    const fixed = fixedKnown(graph, runtime, KNOWN_VIOLATIONS);
    expect(fixed, `fixed known violations, remove them from KNOWN_VIOLATIONS:\n  ${fixed.join('\n  ')}\n`).toEqual([]);
  });
});
