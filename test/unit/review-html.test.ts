/** The review page as a string: escaping, the embedded data, no network references (the browser test is in integration/). */
import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import { escapeHtml, jsonForScript, renderPlanHtml } from '../../sync/review/html.ts';
import type { Candidate, Plan } from '../../sync/plan.ts';

function plan(candidates: Candidate[], over: Partial<Plan> = {}): Plan {
  const counts = { new: 0, changed: 0, unchanged: 0, rejected: 0, excluded: 0, missing: 0, filtered: 0 };
  for (const c of candidates) counts[c.status]++;
  return {
    version: 1, plan_id: 'P1', pipeline: 'p', config_hash: 'h'.repeat(64), created_at: '2026-04-01T09:00:00.000Z',
    reference_date: '2026-04-01', target_fingerprint: 'f'.repeat(64), pipeline_file: '/srv/p.yaml', overrides: [], target_records: 7, source_records: 9, counts, candidates, ...over,
  };
}

function embedded(html: string): { rows: Array<Record<string, unknown>> } {
  const m = /<script type="application\/json" id="plan-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no plan-data block');
  return JSON.parse(m[1]!);
}

describe('renderPlanHtml', () => {
  it('escapes header fields and keeps user data from closing the data block', () => {
    const evil = '</script><script>alert(1)</script><!--';
    const html = renderPlanHtml(plan(
      [{ key: evil, status: 'changed', changes: [{ field: 'note', old: null, new: evil }] }],
      { pipeline: '<b>p</b>', direction: 'A "→" B' },
    ));
    expect(html).toContain('<title>renkei plan — &lt;b&gt;p&lt;/b&gt;</title>');
    expect(html).toContain('<dd>A &quot;→&quot; B</dd>');
    expect(html).not.toContain('<b>p</b>');
    // Exactly the page's own two script elements; the evil value never appears raw.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain(evil);
    expect(embedded(html).rows).toEqual([{ s: 'changed', k: evil, c: [['note', null, evil]] }]);
  });

  it('K5: embeds every candidate with its status, diff, record or rejection', () => {
    const html = renderPlanHtml(plan([
      { key: 'E1', status: 'new', origin: 'f:2', record: { name: '山田', age: 30, tags: ['x'] } },
      { key: 'E2', status: 'changed', origin: 'f:3', changes: [{ field: 'email', old: '', new: 'a@b.jp' }] },
      { key: 'E3', status: 'unchanged' },
      { key: 'E4', status: 'rejected', origin: 'f:5', code: 'MISSING_KANA', message: 'kana is required', stage: 'validate' },
      { key: 'E5', status: 'missing' },
    ]));
    expect(embedded(html).rows).toEqual([
      { s: 'new', k: 'E1', o: 'f:2', r: [['name', '山田'], ['age', '30'], ['tags', '["x"]']] },
      { s: 'changed', k: 'E2', o: 'f:3', c: [['email', '""', 'a@b.jp']] },
      { s: 'unchanged', k: 'E3' },
      { s: 'rejected', k: 'E4', o: 'f:5', e: 'MISSING_KANA', m: 'kana is required', g: 'validate' },
      { s: 'missing', k: 'E5' },
    ]);
    for (const s of ['new', 'changed', 'unchanged', 'rejected', 'missing']) {
      expect(html).toContain(`data-filter="${s}"`);
      expect(html).toContain(`<b data-count="${s}">1</b>`);
    }
    expect(html).toContain('id="search"');
    expect(html).toContain('id="visible-count"');
  });

  it('is self-contained: no network references, CSP pins the inline script and style by hash', () => {
    const html = renderPlanHtml(plan([{ key: 'E1', status: 'unchanged' }]));
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('@import');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (t: string) => `'sha256-${crypto.createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
  });

  it('helpers: HTML escaping and script-safe JSON', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const json = jsonForScript({ v: '</script><!-- <b>' });
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual({ v: '</script><!-- <b>' });
  });
});
