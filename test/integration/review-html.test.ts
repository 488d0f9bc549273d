/**
 * The review page (K4/K5) in a real headless Chromium over file://: filter by status, search, diff
 * styling, inert user data, no network. Skipped with a reason when no Chromium is installed, except
 * in CI (which installs it), where a missing browser fails.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium, missingChromiumReason } from '../helpers/chromium.ts';
import { renderPlanHtml } from '../../sync/review/html.ts';
import type { Candidate, CandidateStatus, Plan } from '../../sync/plan.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const XSS = '<script>window.__xss = 1; alert(1)</script>';
const XSS_IMG = '<img src=x onerror="window.__xss = 2">';
const XSS_CLOSE = '</script><script>window.__xss = 3</script>';

const exe = findChromium();
const missing = missingChromiumReason();
if (missing && !process.env.CI) console.warn(`[review-html] skipped: ${missing}`);

function plan(candidates: Candidate[]): Plan {
  const counts = { new: 0, changed: 0, unchanged: 0, rejected: 0, excluded: 0, missing: 0, filtered: 2 };
  for (const c of candidates) counts[c.status]++;
  return {
    version: 1, plan_id: '20260401T000000Z-abc123', pipeline: 'smarthr-to-kot', direction: 'SmartHR → KING OF TIME',
    config_hash: 'c0ffee'.repeat(10), created_at: '2026-04-01T09:00:00.000Z', reference_date: '2026-04-01',
    target_fingerprint: 'f'.repeat(64), pipeline_file: '/srv/p.yaml', overrides: [], target_records: 7, source_records: 9, counts, candidates,
  };
}

const SMALL = plan([
  { key: 'E001', status: 'new', origin: 'smarthr:1:0', record: { emp_code: 'E001', last_name: '山田', first_name: '太郎', email: 'taro@example.jp' } },
  { key: 'E002', status: 'changed', origin: 'smarthr:1:1', changes: [{ field: 'last_name', old: '佐藤', new: '加藤' }, { field: 'email', old: null, new: 'jiro@example.jp' }] },
  { key: 'E003', status: 'changed', origin: 'smarthr:1:2', changes: [{ field: 'last_name_yomi', old: 'スズキ', new: 'ヤマダ' }, { field: 'note', old: 'ok', new: XSS }] },
  { key: 'E004', status: 'unchanged', origin: 'smarthr:1:3' },
  { key: XSS_IMG, status: 'rejected', origin: 'smarthr:1:4', code: 'MISSING_EMAIL', message: `email is required ${XSS_CLOSE}`, stage: 'validate' },
  { key: 'E006', status: 'missing' },
  { key: 'E007', status: 'changed', origin: 'smarthr:1:6', changes: [{ field: 'resigned_at', old: null, new: '2026-03-31' }] },
]);

async function visibleRows(page: Page): Promise<Array<{ status: string; key: string }>> {
  return page.$$eval('#rows tr[data-status]', (trs) =>
    trs.filter((tr) => (tr as HTMLElement).offsetParent !== null).map((tr) => ({ status: tr.getAttribute('data-status')!, key: tr.getAttribute('data-key')! })));
}

describe.skipIf(!exe)('review page in headless Chromium (K4, K5)', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-review-'));
    browser = await launchChromium(exe!);
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(p: Plan, name: string) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, renderPlanHtml(p));
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, problems, requests, url };
  }

  it('K5: filters to changed, shows old → new per field, searches, keeps user data inert', async () => {
    const { page, problems, requests, url } = await open(SMALL, 'review.html');
    expect(await page.textContent('#visible-count')).toBe('showing 7 of 7');
    expect(await page.textContent('header')).toContain('SmartHR → KING OF TIME');
    expect(await page.textContent('header')).toContain('2026-04-01');

    await page.click('[data-only="changed"]');
    expect(await visibleRows(page)).toEqual([
      { status: 'changed', key: 'E002' }, { status: 'changed', key: 'E003' }, { status: 'changed', key: 'E007' }]);
    expect(await page.textContent('#visible-count')).toBe('showing 3 of 7');
    expect(await page.isChecked('[data-filter="changed"]')).toBe(true);
    expect(await page.isChecked('[data-filter="new"]')).toBe(false);
    expect(await page.getAttribute('[data-only="changed"]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('[data-only="all"]', 'aria-pressed')).toBe('false');

    const e002 = page.locator('tr[data-key="E002"]');
    expect(await e002.locator('li[data-field="last_name"] del.old').textContent()).toBe('佐藤');
    expect(await e002.locator('li[data-field="last_name"] ins.new').textContent()).toBe('加藤');
    expect(await e002.locator('li[data-field="email"] del.old').textContent()).toBe('(blank)');
    expect(await e002.locator('li[data-field="email"] ins.new').textContent()).toBe('jiro@example.jp');
    const style = await e002.locator('del.old').first().evaluate((e) => {
      const s = getComputedStyle(e);
      return { line: s.textDecorationLine, color: s.color };
    });
    expect(style.line).toContain('line-through');
    expect(style.color).toBe('rgb(183, 28, 28)');
    expect(await e002.locator('ins.new').first().evaluate((e) => getComputedStyle(e).color)).toBe('rgb(27, 94, 32)');

    // The XSS value is shown as text, and nothing it carries ran or became an element.
    expect(await page.locator('tr[data-key="E003"] li[data-field="note"] ins.new').textContent()).toBe(XSS);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-changed.png'), fullPage: true });

    // Checkboxes combine statuses.
    await page.check('[data-filter="rejected"]');
    expect((await visibleRows(page)).map((r) => r.status)).toEqual(['changed', 'changed', 'rejected', 'changed']);
    const rejected = page.locator('tr[data-status="rejected"]');
    expect(await rejected.getAttribute('data-key')).toBe(XSS_IMG);
    expect(await rejected.locator('td.key').textContent()).toBe(XSS_IMG);
    expect(await rejected.locator('.code').textContent()).toBe('MISSING_EMAIL');
    expect(await rejected.locator('.message').textContent()).toBe(`email is required ${XSS_CLOSE}`);

    // Search matches keys and values, NFKC-folded (half-width ﾔﾏﾀﾞ finds ヤマダ), within all statuses.
    await page.click('[data-only="all"]');
    await page.fill('#search', 'ﾔﾏﾀﾞ');
    expect(await visibleRows(page)).toEqual([{ status: 'changed', key: 'E003' }]);
    await page.fill('#search', '山田');
    expect(await visibleRows(page)).toEqual([{ status: 'new', key: 'E001' }]);
    await page.fill('#search', 'e006');
    expect(await visibleRows(page)).toEqual([{ status: 'missing', key: 'E006' }]);
    await page.fill('#search', 'no such value');
    expect(await visibleRows(page)).toEqual([]);
    expect(await page.textContent('#visible-count')).toBe('showing 0 of 7');

    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#rows img, #rows script').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('K5: a plan of 10,000 candidates loads, filters and lists in pages', async () => {
    const statuses: CandidateStatus[] = ['unchanged', 'unchanged', 'changed', 'new', 'unchanged', 'rejected', 'unchanged', 'missing'];
    const candidates: Candidate[] = Array.from({ length: 10_000 }, (_, i) => {
      const key = `E${String(i).padStart(5, '0')}`;
      const status = statuses[i % statuses.length];
      if (status === 'changed') return { key, status, origin: `p${i}`, changes: [{ field: 'email', old: `old${i}@example.jp`, new: `new${i}@example.jp` }] };
      if (status === 'new') return { key, status, origin: `p${i}`, record: { emp_code: key, last_name: '田中' } };
      if (status === 'rejected') return { key, status, origin: `p${i}`, code: 'MISSING_KANA', message: 'kana is required' };
      return { key, status };
    });
    const big = plan(candidates);
    const { page, problems } = await open(big, 'big.html');
    const count = page.locator('#visible-count');
    expect(await count.getAttribute('data-visible')).toBe('10000');
    expect(await page.locator('#rows tr').count()).toBe(500);

    await page.click('[data-only="changed"]');
    expect(await count.getAttribute('data-visible')).toBe(String(big.counts.changed));
    expect(await count.textContent()).toBe('showing 1,250 of 10,000');
    expect(new Set(await page.$$eval('#rows tr', (trs) => trs.map((t) => t.getAttribute('data-status'))))).toEqual(new Set(['changed']));
    expect(await page.locator('#rows tr').count()).toBe(500);
    await page.click('#more');
    expect(await page.locator('#rows tr').count()).toBe(1000);
    expect(await count.getAttribute('data-listed')).toBe('1000');

    await page.fill('#search', 'new9santa');
    expect(await count.getAttribute('data-visible')).toBe('0');
    await page.fill('#search', 'new9994@');
    expect(await visibleRows(page)).toEqual([{ status: 'changed', key: 'E09994' }]);
    expect(await page.isHidden('#more')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe.runIf(!exe && process.env.CI)('review page browser (CI)', () => {
  it('Chromium is installed (CI must run the browser test)', () => {
    throw new Error(`${missing}; .ci/run installs it with apt-get`);
  });
});
