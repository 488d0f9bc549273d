/**
 * Every shipped pipeline is in the fault suite (test/faults/, `npm run test:faults`): a pipeline added
 * to pipelines/ without fault scenarios fails here, in `npm test`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('fault suite coverage', () => {
  it('G1/G2/G4: every pipelines/*.yaml is run under faults by a test/faults/*.test.ts (named as a string there)', () => {
    const shipped = fs.readdirSync(path.join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    const dir = path.join(ROOT, 'test/faults');
    const suite = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(shipped.length).toBeGreaterThan(10);
    expect(shipped.filter((name) => !suite.includes(`'${name}'`) && !suite.includes(`'${name}.yaml'`))).toEqual([]);
  });
});
