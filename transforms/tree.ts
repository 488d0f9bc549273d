/**
 * Transform `tree`: checks a department hierarchy given as records with a code and a parent code,
 * and emits it parents before children (so a sink can create them in order, M-D7).
 *
 * Rejected: no code (M-D3 `DEPT_NO_CODE`, at once); deeper than `max_depth` (M-D4 `DEPT_TOO_DEEP`, the
 * node and all its descendants); in or below a parent cycle (`DEPT_CYCLE`) or below a parent code that
 * does not exist (`DEPT_ORPHAN`) (M-D6); a code seen before (`DEPT_DUPLICATE_CODE`, M-D2: the code is
 * the identity). Holds all departments until end of input: department lists are small (thousands).
 *
 * A parent is never guessed: when `parent_field` is a dot path into a nested parent object (SmartHR's
 * `parent.code`) and that object is there without a code, the department is `DEPT_ORPHAN` — not a
 * top-level department.
 */
import { z } from 'zod';
import { defineComponent, reject, type Drop, type Rec, type Stage } from '../engine/types.ts';
import { canon, getter } from './lib/fields.ts';

const schema = z.strictObject({
  type: z.literal('tree'),
  code_field: z.string().default('code').describe('Field (or dot path) holding the department code (its identity, M-D2).'),
  parent_field: z.string().default('parent_code').describe('Field (or dot path) holding the parent\'s code; blank = top level.'),
  max_depth: z.int().min(1).default(10).describe('Deepest level allowed (top level = 1); deeper nodes and their descendants are rejected (M-D4).'),
  depth_field: z.string().optional().describe('If set, the node\'s level (1 = top) is written to this field.'),
}).describe('Validate a department tree (codes, depth, cycles, orphans) and emit parents before children.');

export type TreeOptions = z.infer<typeof schema>;

const OK = '';

export function treeStage(o: TreeOptions): Stage {
  const getCode = getter(o.code_field), getParent = getter(o.parent_field);
  const dot = o.parent_field.lastIndexOf('.');
  const getParentObject = dot > 0 ? getter(o.parent_field.slice(0, dot)) : undefined;
  const nodes: Rec[] = [], codes: string[] = [], parents: string[] = [];
  const byCode = new Map<string, number>();
  return {
    process(rec: Rec) {
      const code = canon(getCode(rec.data));
      if (code === '') return reject(rec, 'DEPT_NO_CODE', `${o.code_field} is required: a department without a code is not synced`, o.code_field);
      if (byCode.has(code)) return reject(rec, 'DEPT_DUPLICATE_CODE', `${o.code_field} ${JSON.stringify(code)} is used by more than one department`, o.code_field);
      const parent = canon(getParent(rec.data));
      const parentObject = getParentObject?.(rec.data);
      if (parent === '' && parentObject != null && typeof parentObject === 'object') {
        byCode.set(code, -1);
        return reject(rec, 'DEPT_ORPHAN', `department ${JSON.stringify(code)}: its parent is given without a code (${o.parent_field}), so it cannot be placed; not treated as top level`, o.parent_field);
      }
      byCode.set(code, nodes.length);
      nodes.push(rec); codes.push(code); parents.push(parent);
      return null;
    },
    flush() {
      const n = nodes.length;
      const depth = new Int32Array(n);          // 0 = not resolved yet
      const status: string[] = new Array(n).fill(OK);
      const why: string[] = new Array(n).fill('');
      const onPath = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        if (depth[i]) continue;
        const path: number[] = [];
        let j = i, base = 0, baseStatus = OK, baseWhy = '';
        for (;;) {
          if (depth[j]) { base = depth[j]; baseStatus = status[j]; baseWhy = why[j]; break; }
          if (onPath[j]) {
            // path[at..] is the cycle itself; nodes before it hang below the cycle.
            const at = path.indexOf(j);
            const ring = path.slice(at).map((x) => codes[x]);
            const text = `parent cycle ${[...ring, codes[j]].map((c) => JSON.stringify(c)).join(' → ')}`;
            for (const x of path.slice(at)) { depth[x] = 1; status[x] = 'DEPT_CYCLE'; why[x] = text; }
            path.length = at;
            base = 1; baseStatus = 'DEPT_CYCLE'; baseWhy = `below a ${text}`;
            break;
          }
          onPath[j] = 1;
          path.push(j);
          const p = parents[j];
          if (p === '') break;
          const pj = byCode.get(p);
          if (pj === undefined || pj < 0) {
            path.pop();
            depth[j] = 1; status[j] = 'DEPT_ORPHAN'; why[j] = `${o.parent_field} ${JSON.stringify(p)} ${pj === undefined ? 'does not exist' : 'has no known place (its own parent has no code)'}`;
            base = 1; baseStatus = 'DEPT_ORPHAN'; baseWhy = `below ${JSON.stringify(codes[j])}, whose ${why[j]}`;
            break;
          }
          j = pj;
        }
        for (let k = path.length - 1; k >= 0; k--) {
          const x = path[k];
          const d = ++base;
          depth[x] = d;
          if (baseStatus !== OK) { status[x] = baseStatus; why[x] = baseWhy; }
          else if (d > o.max_depth) {
            status[x] = baseStatus = 'DEPT_TOO_DEEP';
            why[x] = `level ${d} is deeper than ${o.max_depth}`;
            baseWhy = `below ${JSON.stringify(codes[x])}, which is at level ${d} (max ${o.max_depth})`;
          }
        }
        for (const x of path) onPath[x] = 0;
      }
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => depth[a] - depth[b] || a - b);
      const out: Array<Rec | Drop> = [];
      for (const i of order) {
        const rec = nodes[i];
        if (status[i] === OK) {
          if (o.depth_field) rec.data[o.depth_field] = depth[i];
          out.push(rec);
        } else {
          out.push(reject(rec, status[i], `department ${JSON.stringify(codes[i])}: ${why[i]}`, status[i] === 'DEPT_ORPHAN' ? o.parent_field : o.code_field));
        }
      }
      nodes.length = 0; codes.length = 0; parents.length = 0; byCode.clear();
      return out;
    },
  };
}

export const tree = defineComponent({
  type: 'tree',
  description: 'Department hierarchy: reject missing codes, too-deep nodes, cycles and orphans; emit parents first.',
  schema,
  create(options): Stage {
    return treeStage(options);
  },
});
