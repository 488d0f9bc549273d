/** docs/components.md is generated from the zod schemas and kept current (issue 13 item 7). */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { componentDocFor, componentDocs, componentTypes } from '../../config/component-docs.ts';
import { ROOT } from '../helpers/cli.ts';
import { runMain } from '../helpers/cli.ts';

describe('component reference', () => {
  it('docs/components.md is current (regenerate: node bin/renkei.js schema --docs > docs/components.md)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'components.md'), 'utf8')).toBe(componentDocs());
  });

  it('every registered component has an entry with its options and an example', () => {
    const doc = componentDocs();
    for (const t of componentTypes()) expect(doc).toContain(`### \`${t}\``);
    const dedupe = componentDocFor('dedupe')!;
    expect(dedupe).toContain('| `key` | list of string | **required** |');
    expect(dedupe).toContain('| `policy` | "keep-first" \\| "keep-last" \\| "reject-all" | `"keep-first"` |');
    expect(dedupe).toMatch(/```yaml\ntype: dedupe\nkey:\n {2}- <key>\n```/);
  });

  it('renkei schema --component TYPE prints one; an unknown type suggests the nearest', async () => {
    const r = await runMain(['schema', '--component', 'normalize'], {}, ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### `normalize`/);
    const bad = await runMain(['schema', '--component', 'dedup'], {}, ROOT);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no component of type "dedup" — did you mean "dedupe"\?/);
  });
});
