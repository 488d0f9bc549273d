/**
 * The review page (K4/K5) in a real headless Chromium over file://: it opens on new + changed, filter
 * by status, search, diff styling, labels, the blank-key section, keyboard navigation, inert user data,
 * no network; and the whole story: plan against the SmartHR sandbox → tick rows on the page → download
 * the selection → `renkei apply --select-file` writes exactly those. Skipped with a reason when no
 * Chromium is installed, except in CI (which installs it), where a missing browser fails.
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
import { startSmarthrSandbox, type SmarthrSandbox } from '../../sandbox/smarthr/server.ts';
import { generateTenant } from '../../sandbox/generate/tenant.ts';
import { freshDb } from '../helpers/db.ts';
import { runMain } from '../helpers/cli.ts';

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

/** Opens a review page file; collects console problems, dialogs and requests. */
async function openPage(browser: Browser, file: string) {
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
    return openPage(browser, file);
  }


  it('K5: filters to changed, shows old → new per field, searches, keeps user data inert (the page opens on new + changed)', async () => {
    const { page, problems, requests, url } = await open(SMALL, 'review.html');
    expect(await visibleRows(page)).toEqual([
      { status: 'new', key: 'E001' }, { status: 'changed', key: 'E002' }, { status: 'changed', key: 'E003' }, { status: 'changed', key: 'E007' }]);
    expect(await page.textContent('#visible-count')).toBe('showing 4 of 7');
    expect(await page.getAttribute('[data-only="review"]', 'aria-pressed')).toBe('true');
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
    expect(await count.getAttribute('data-visible')).toBe(String(big.counts.new + big.counts.changed));
    expect(await page.locator('#rows tr').count()).toBe(500);
    await page.click('[data-only="all"]');
    expect(await count.getAttribute('data-visible')).toBe('10000');

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

// The whole story: a plan of the HR master against the SmartHR sandbox, with labels and a target
// record whose employee number is blank; the reviewer ticks rows with the keyboard and the mouse,
// downloads the selection, and `renkei apply --select-file` writes exactly those.
const FIELDS = ['emp_code', 'last_name', 'first_name', 'gender', 'birth_at', 'email'];
const tenant = generateTenant({ employees: 30, seed: 'review-page' });
const pipelineYaml = (url: string) => `name: review-page
description: HR master (JSON) → SmartHR
key: [emp_code]
source: { type: json, path: in.json }
transforms:
  - type: normalize
    fields: { birth_at: date }
  - type: diff
    key: [emp_code]
    fields: [last_name, first_name, gender, birth_at, email]
    carry: [id]
    label: [last_name, first_name, department]
    target: { type: smarthr.crews, base_url: "${url}", token: "\${SMARTHR_TOKEN}", rate_limit: 1000, fields: [id, ${FIELDS.join(', ')}] }
sinks:
  - type: smarthr.crews
    base_url: "${url}"
    token: \${SMARTHR_TOKEN}
    rate_limit: 1000
    concurrency: 4
    fields: [${FIELDS.join(', ')}]
    on_create: { biz_establishment_id: "${tenant.biz_establishments[0].id}", emp_status: employed }
errors: { type: csv, path: "errors/{run_id}.csv" }
`;

describe.skipIf(!exe)('review page → selection file → renkei apply --select-file (SmartHR sandbox, Chromium)', () => {
  let browser: Browser;
  let sb: SmarthrSandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const crew = (code: unknown) => sb.state.crews.find((c) => c.emp_code === code);
  const cli = (args: string[]) => runMain(args, env, dir);
  type Row = Record<string, unknown>;
  const base: Row[] = tenant.crews.slice(0, 10).map((c) => ({ ...Object.fromEntries(FIELDS.map((f) => [f, c[f as keyof typeof c] ?? null])), department: '営業部' }));
  const person = (code: string, last: string): Row => ({ emp_code: code, last_name: last, first_name: '花子', gender: 'female', birth_at: '1992-04-01', email: `${code.toLowerCase()}@example.jp`, department: '開発部' });
  const blankCrew = tenant.crews[20];

  beforeAll(async () => {
    const state = structuredClone(tenant);
    state.crews.find((c) => c.id === blankCrew.id)!.emp_code = null as never;
    sb = await startSmarthrSandbox({ state, rateLimit: 0 });
    const db = await freshDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-review-e2e-'));
    fs.writeFileSync(path.join(dir, 'p.yaml'), pipelineYaml(sb.url));
    const rows = base.map((r) => ({ ...r }));
    rows[0].email = 'moved@example.jp';
    rows[1].last_name = '改姓';
    rows[2].first_name = '新名';
    rows.push(person('N00001', '新井'), person('N00002', '新田'), { ...person('N00009', '不正'), birth_at: '1990-02-30' });
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(rows));
    env = { DATABASE_URL: db.url, SMARTHR_TOKEN: sb.token, USER: 'tester', HOME: dir, RENKEI_HOME: path.join(dir, '.renkei') };
    browser = await launchChromium(exe!);
  });
  afterAll(async () => {
    await browser?.close();
    await sb?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens on new + changed with labels, lists the blank-key target record, navigates by keyboard, downloads the ticked keys, and apply writes exactly those', async () => {
    const planned = await cli(['plan', 'p.yaml', '--out', 'plan.json', '--html', 'review.html']);
    expect(planned.stderr).not.toContain('internal error');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('⚠ 1 target record(s) have a blank key');
    const plan: Plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    expect(plan.counts).toMatchObject({ new: 2, changed: 3, unchanged: 7, rejected: 1, missing: 19 });
    expect(plan.label_fields).toEqual(['last_name', 'first_name', 'department']);
    expect(plan.target_blank_keys).toEqual({ count: 1, records: [{ origin: expect.any(String), identity: { id: blankCrew.id }, label: `${blankCrew.last_name} ${blankCrew.first_name}` }] });
    const [c0, c1, c2] = base.map((r) => r.emp_code as string);

    const { page, problems } = await openPage(browser, path.join(dir, 'review.html'));
    // Default filter: only what an apply would write.
    expect(await visibleRows(page)).toEqual([
      { status: 'changed', key: c0 }, { status: 'changed', key: c1 }, { status: 'changed', key: c2 },
      { status: 'new', key: 'N00001' }, { status: 'new', key: 'N00002' }]);
    expect(await page.getAttribute('body', 'data-preset')).toBe('review');
    // Labels next to the key: the source's names and department (the changed name as it will be).
    expect(await page.textContent('main thead')).toContain('last_name · first_name · department');
    expect(await page.locator(`tr[data-key="${c1}"] td.label`).textContent()).toBe(`改姓 ${base[1].first_name} 営業部`);
    expect(await page.locator('tr[data-key="N00002"] td.label').textContent()).toBe('新田 花子 開発部');
    // The blank-key target record has its own section.
    const blank = page.locator('#blank-keys');
    expect(await blank.getAttribute('open')).toBe('');
    expect(await blank.locator('[data-count="blank-keys"]').textContent()).toBe('1');
    expect(await blank.locator('tbody').textContent()).toContain(`id: ${blankCrew.id}`);
    expect(await blank.locator('tbody').textContent()).toContain(`${blankCrew.last_name} ${blankCrew.first_name}`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-default.png'), fullPage: true });

    // Keyboard: j/↓ down, k/↑ up, space ticks the current row (twice: off again).
    const current = () => page.getAttribute('#rows', 'data-current');
    const selected = () => page.getAttribute('#selected-count', 'data-selected');
    await page.keyboard.press('j');
    expect(await current()).toBe(c0);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await current()).toBe('N00001');
    await page.keyboard.press('Space');
    await page.keyboard.press('j');
    await page.keyboard.press('Space');
    await page.keyboard.press('Space');
    await page.keyboard.press('j');
    expect(await current()).toBe('N00002');
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowUp');
    expect(await current()).toBe(c2);
    // A tick with the mouse counts too.
    await page.click(`tr[data-key="${c2}"] input.tick`);
    expect(await selected()).toBe('3');
    expect(await page.isChecked(`tr[data-key="${c0}"] input.tick`)).toBe(true);
    expect(await page.isChecked(`tr[data-key="${c1}"] input.tick`)).toBe(false);
    expect(await page.isChecked('tr[data-key="N00002"] input.tick')).toBe(false);

    // f / F step through the filters (excluded has no candidates: skipped); ticks survive them;
    // rows that cannot be applied have no tick and space does nothing on them.
    const presets: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('f');
      presets.push((await page.getAttribute('body', 'data-preset'))!);
    }
    expect(presets).toEqual(['new', 'changed', 'rejected', 'unchanged', 'missing', 'all', 'review', 'new']);
    await page.keyboard.press('Shift+F');
    expect(await page.getAttribute('body', 'data-preset')).toBe('review');
    await page.keyboard.press('Shift+F');
    await page.keyboard.press('Shift+F');
    expect(await page.getAttribute('body', 'data-preset')).toBe('missing');
    expect(new Set((await visibleRows(page)).map((r) => r.status))).toEqual(new Set(['missing']));
    expect(await page.locator('#rows input.tick').count()).toBe(0);
    await page.keyboard.press('j');
    await page.keyboard.press('Space');
    expect(await selected()).toBe('3');
    await page.click('[data-only="review"]');
    expect(await page.isChecked(`tr[data-key="${c2}"] input.tick`)).toBe(true);

    // / focuses the search; Esc leaves it, and the keys work again.
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('新田');
    expect(await visibleRows(page)).toEqual([{ status: 'new', key: 'N00002' }]);
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('search');
    await page.fill('#search', '');
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-selection.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe(`selection-${plan.plan_id}.txt`);
    const selection = path.join(dir, 'selection.txt');
    await download.saveAs(selection);
    expect(fs.readFileSync(selection, 'utf8')).toBe(`${c0}\n${c2}\nN00001\n`);
    expect(problems).toEqual([]);
    await page.close();

    sb.stats.reset();
    const applied = await cli(['apply', 'plan.json', '--select-file', 'selection.txt']);
    expect(applied.stderr).not.toMatch(/internal error|PLAN_STALE|cannot select/);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`applied 3 selected candidate(s) of plan ${plan.plan_id}`);
    expect(sb.stats.writes).toBe(3);
    expect(crew(c0)!.email).toBe('moved@example.jp');
    expect(crew(c2)!.first_name).toBe('新名');
    expect(crew('N00001')).toMatchObject({ last_name: '新井', first_name: '花子' });
    expect(crew(c1)!.last_name).toBe(base[1].last_name);
    expect(crew('N00002')).toBeUndefined();
  });
});

describe.runIf(!exe && process.env.CI)('review page browser (CI)', () => {
  it('Chromium is installed (CI must run the browser test)', () => {
    throw new Error(`${missing}; .ci/run installs it with apt-get`);
  });
});
