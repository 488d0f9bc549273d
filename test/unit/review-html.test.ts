/** The review page as a string: escaping, the embedded data, no network references (the browser test is in integration/). */
import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import { escapeHtml, jsonForScript, renderPlanHtml, selectable, selectionFileName } from '../../sync/review/html.ts';
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
    expect(embedded(html).rows).toEqual([{ s: 'changed', k: evil, a: 1, c: [['note', null, evil]] }]);
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
      { s: 'new', k: 'E1', a: 1, o: 'f:2', r: [['name', '山田'], ['age', '30'], ['tags', '["x"]']] },
      { s: 'changed', k: 'E2', a: 1, o: 'f:3', c: [['email', '""', 'a@b.jp']] },
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

  it('opens on new and changed: only their filters are ticked; the others are one click away', () => {
    const html = renderPlanHtml(plan([{ key: 'E1', status: 'new' }, { key: 'E2', status: 'unchanged' }, { key: 'E3', status: 'excluded', code: 'OPTED_OUT' }]));
    const checked = [...html.matchAll(/data-filter="(\w+)"( checked)?/g)].map((m) => [m[1], Boolean(m[2])]);
    expect(checked).toEqual([['new', true], ['changed', true], ['unchanged', false], ['rejected', false], ['excluded', false], ['missing', false]]);
    for (const s of ['review', 'all', 'new', 'changed', 'unchanged', 'rejected', 'excluded', 'missing']) expect(html).toContain(`data-only="${s}"`);
    expect(html).toContain('<span class="badge st-review">new + changed</span><b>1</b>');
    // The keys are documented on the page.
    expect(html).toMatch(/<p class="keys">Keys: <kbd>j<\/kbd>\/<kbd>k<\/kbd>.*<kbd>space<\/kbd> tick.*<kbd>\/<\/kbd> search.*<kbd>f<\/kbd>/);
  });

  it('labels: each row carries its label, the column is headed by the label fields; a plan without labels has no such column', () => {
    const html = renderPlanHtml(plan([
      { key: 'E1', status: 'changed', label: '山田 太郎 営業部', changes: [{ field: 'email', old: 'a', new: 'b' }] },
      { key: 'E2', status: 'missing', label: '<i>佐藤</i>' },
      { key: 'E3', status: 'unchanged' },
    ], { label_fields: ['last_name', 'first_name', 'department'] }));
    expect(embedded(html).rows.map((r) => [r.k, r.l])).toEqual([['E1', '山田 太郎 営業部'], ['E2', '<i>佐藤</i>'], ['E3', undefined]]);
    expect(html).toContain('<th>last_name · first_name · department</th>');
    expect(html).toContain('<dt>label</dt><dd>last_name · first_name · department</dd>');
    expect(html).not.toContain('<i>佐藤</i>');
    expect(embedded(html)).toMatchObject({ labels: true });

    const old = renderPlanHtml(plan([{ key: 'E1', status: 'new', record: { a: 1 } }]));
    expect(old).toContain('<thead><tr><th class="tick" aria-label="tick"></th><th>status</th><th>key</th><th>origin</th>');
    expect(embedded(old)).toMatchObject({ labels: false, rows: [{ k: 'E1', a: 1 }] });
    expect(old).not.toContain('id="blank-keys"');
  });

  it('target records with a blank key: their own section with origin, identity and label, escaped; the rest counted', () => {
    const html = renderPlanHtml(plan([{ key: 'E1', status: 'new' }], {
      target_blank_keys: { count: 1002, records: [
        { origin: 'smarthr:1:3', identity: { id: 'u-3' }, label: '佐藤 <b>総務部</b>' },
        { origin: 'smarthr:2:0', identity: { id: null } },
      ] },
    }));
    const section = /<details id="blank-keys"[^>]*>([\s\S]*?)<\/details>/.exec(html)![1]!;
    expect(section).toContain('<b data-count="blank-keys">1002</b> target record(s) with a blank key');
    expect(section).toContain('<tr><td>smarthr:1:3</td><td>id: u-3</td><td>佐藤 &lt;b&gt;総務部&lt;/b&gt;</td></tr>');
    expect(section).toContain('<tr><td>smarthr:2:0</td><td>id: (blank)</td><td><span class="blank">(blank)</span></td></tr>');
    expect(section).toContain('… and 1000 more (the first 2 are listed)');
    expect(html).not.toMatch(/<details id="blank-keys" class="warn" open>/);
  });

  it('selection: only new and changed rows with a key a --select-file line can hold are tickable; the apply command names the plan file and the download', () => {
    expect(selectable({ key: 'E1', status: 'new' })).toBe(true);
    expect(selectable({ key: 'A|B', status: 'changed' })).toBe(true);
    for (const status of ['unchanged', 'rejected', 'excluded', 'missing'] as const) expect(selectable({ key: 'E1', status })).toBe(false);
    expect(selectable({ key: 'a\nb', status: 'new' })).toBe(false);
    expect(selectable({ key: ' E1', status: 'new' })).toBe(false);
    expect(selectable({ key: '', status: 'new' })).toBe(false);
    const p = plan([{ key: 'E1', status: 'new' }], { plan_id: '20260401T000000Z-abc123' });
    expect(selectionFileName(p)).toBe('selection-20260401T000000Z-abc123.txt');
    const html = renderPlanHtml(p, { planFile: '/home/a/<plans>/x.json' });
    expect(html).toContain('<code id="apply-cmd">renkei apply /home/a/&lt;plans&gt;/x.json --select-file selection-20260401T000000Z-abc123.txt</code>');
    expect(embedded(html)).toMatchObject({ file: 'selection-20260401T000000Z-abc123.txt' });
    expect(html).toMatch(/<button type="button" id="download" disabled>/);
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
