/**
 * The review page (K4/K5): one self-contained HTML file for a plan — header, counts per status,
 * status filter, search, and the per-field diff table (old struck through in red, new in green).
 * It opens on what an apply would write (new and changed); each row shows the record's label (the
 * diff stage's `label` fields) next to its key; target records with a blank key have their own
 * section; ticked new/changed rows download as a `renkei apply --select-file` file.
 *
 * Keys and values are user data. The header is escaped here; the rows travel as JSON inside a
 * `<script type="application/json">` block (every `<` written as `\u003c`, so no `</script>` or
 * `<!--` can close it) and are built in the browser with textContent. A Content-Security-Policy
 * allows only the page's own inline script and style (by hash) and no network at all.
 */
import crypto from 'node:crypto';
import { CANDIDATE_STATUSES, type BlankKeyTarget, type Candidate, type CandidateStatus, type Plan } from '../plan.ts';
import { valueText } from './format.ts';
import { filteredNotListed } from './terminal.ts';
import { PAGE_CSS, PAGE_JS } from './html-client.ts';

/** One candidate as the page's script reads it (short names: a plan may hold 10,000+ rows). */
interface PageRow {
  /** status */ s: string;
  /** key */ k: string;
  /** label (who the record is) */ l?: string;
  /** 1 when the row can be ticked for `--select-file` */ a?: 1;
  /** origin */ o?: string;
  /** changes: [field, old, new]; null = blank */ c?: Array<[string, string | null, string | null]>;
  /** record fields of a new candidate: [field, value] */ r?: Array<[string, string | null]>;
  /** rejection code, message, stage */ e?: string; m?: string; g?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON safe to embed in a script element: no `<` at all, so nothing inside can end the element. */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

/** Statuses the page opens on: what an apply would write. */
export const DEFAULT_STATUSES: readonly CandidateStatus[] = ['new', 'changed'];

/**
 * Whether a candidate can be ticked: only new and changed ones can be applied, and `--select-file`
 * reads one trimmed key per line, so a key that is blank, spans lines or has surrounding spaces
 * could not be written to it faithfully.
 */
export function selectable(c: Pick<Candidate, 'key' | 'status'>): boolean {
  return (c.status === 'new' || c.status === 'changed') && c.key !== '' && c.key.trim() === c.key && !/[\r\n]/.test(c.key);
}

function pageRow(c: Candidate): PageRow {
  const row: PageRow = { s: c.status, k: c.key };
  if (c.label) row.l = c.label;
  if (selectable(c)) row.a = 1;
  if (c.origin) row.o = c.origin;
  if (c.status === 'changed') row.c = (c.changes ?? []).map((ch) => [ch.field, valueText(ch.old), valueText(ch.new)]);
  if (c.status === 'new' && c.record) row.r = Object.entries(c.record).map(([f, v]) => [f, valueText(v)]);
  if (c.status === 'rejected' || c.status === 'excluded') {
    row.e = c.code ?? c.status.toUpperCase();
    if (c.message) row.m = c.message;
    if (c.stage) row.g = c.stage;
  }
  return row;
}

function cspHash(text: string): string {
  return `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function metaItem(label: string, value: string | null | undefined): string {
  if (!value) return '';
  return `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}

/** The section listing target records with a blank key (empty when the plan has none or predates it). */
function blankKeySection(plan: Plan): string {
  const b = plan.target_blank_keys;
  if (!b?.count) return '';
  const cell = (t: string | null | undefined) => `<td>${t ? escapeHtml(t) : '<span class="blank">(blank)</span>'}</td>`;
  const identity = (r: BlankKeyTarget) => r.identity ? Object.entries(r.identity).map(([f, v]) => `${f}: ${valueText(v) ?? '(blank)'}`).join(', ') : null;
  const rows = b.records.map((r) => `<tr>${cell(r.origin)}${cell(identity(r))}${cell(r.label)}</tr>`).join('\n');
  const more = b.count - b.records.length;
  return `<details id="blank-keys" class="warn"${b.count <= 20 ? ' open' : ''}>
<summary><b data-count="blank-keys">${b.count}</b> target record(s) with a blank key: not compared</summary>
<p>These records are in the target but their key is blank, so renkei cannot match them with the source: an apply never updates them and they are not listed as missing. Fill in their key in the target, then plan again.</p>
<table><thead><tr><th>origin</th><th>identity</th><th>label</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${more > 0 ? `<p class="note">… and ${more} more (the first ${b.records.length} are listed)</p>` : ''}
</details>`;
}

/** Options of the page: where the plan was saved, for the apply command it shows. */
export interface HtmlOptions {
  planFile?: string;
}

/** The file name the selection downloads as. */
export function selectionFileName(plan: Pick<Plan, 'plan_id'>): string {
  return `selection-${plan.plan_id.replace(/[^A-Za-z0-9._-]/g, '_')}.txt`;
}

/** The whole review page as one HTML string (write it to a file; it needs no network). */
export function renderPlanHtml(plan: Plan, opts: HtmlOptions = {}): string {
  const total = CANDIDATE_STATUSES.reduce((a, s) => a + (plan.counts[s] ?? 0), 0);
  const unlisted = filteredNotListed(plan);
  const title = `renkei plan — ${plan.pipeline}`;
  const csp = `default-src 'none'; style-src ${cspHash(PAGE_CSS)}; script-src ${cspHash(PAGE_JS)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const review = DEFAULT_STATUSES.reduce((a, s) => a + (plan.counts[s] ?? 0), 0);
  const counts = CANDIDATE_STATUSES.map(
    (s) => `<button type="button" data-only="${s}" title="show only ${s}"><span class="badge st-${s}">${s}</span><b data-count="${s}">${plan.counts[s] ?? 0}</b></button>`,
  ).join('');
  const filters = CANDIDATE_STATUSES.map(
    (s) => `<label><input type="checkbox" data-filter="${s}"${DEFAULT_STATUSES.includes(s) ? ' checked' : ''}> ${s} (${plan.counts[s] ?? 0})</label>`,
  ).join('\n');
  const labels = plan.label_fields?.length ? plan.label_fields : plan.candidates.some((c) => c.label) ? ['label'] : [];
  const file = selectionFileName(plan);
  const applyCmd = `renkei apply ${opts.planFile ?? `<plan ${plan.plan_id}>.json`} --select-file ${file}`;
  const data = { rows: plan.candidates.map(pageRow), file, labels: labels.length > 0 };

  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<dl class="meta">
${metaItem('direction', plan.direction)}
${metaItem('reference date', plan.reference_date)}
${metaItem('created', plan.created_at)}
${metaItem('config hash', plan.config_hash)}
${metaItem('plan', plan.plan_id)}
${metaItem('target fingerprint', plan.target_fingerprint.slice(0, 16))}
${metaItem('candidates', `${total}${unlisted ? ` (+${unlisted} filtered out)` : ''}`)}
${metaItem('label', plan.label_fields?.join(' · '))}
</dl>
<div class="counts"><button type="button" data-only="review" title="show new and changed: what an apply writes"><span class="badge st-review">new + changed</span><b>${review}</b></button><button type="button" data-only="all" title="show all statuses"><span class="badge">all</span><b>${total}</b></button>${counts}</div>
</header>
${blankKeySection(plan)}
<div class="tools">
<input id="search" type="search" placeholder="search key, name or value ( / )" aria-label="search key, name or value" autocomplete="off">
${filters}
<span id="visible-count" aria-live="polite"></span>
</div>
<div class="selection">
<span id="selected-count" data-selected="0">0 selected</span>
<button type="button" id="select-shown">tick all new/changed shown</button>
<button type="button" id="select-none">clear ticks</button>
<button type="button" id="download" disabled>download selection</button>
<span class="note">then: <code id="apply-cmd">${escapeHtml(applyCmd)}</code></span>
</div>
<p class="keys">Keys: <kbd>j</kbd>/<kbd>k</kbd> or <kbd>↓</kbd>/<kbd>↑</kbd> move · <kbd>space</kbd> tick (new/changed only) · <kbd>/</kbd> search (<kbd>Esc</kbd> leaves it) · <kbd>f</kbd>/<kbd>F</kbd> next/previous filter: new + changed, new, changed, rejected, excluded, unchanged, missing, all (statuses with no candidates are skipped)</p>
<main>
<table>
<thead><tr><th class="tick" aria-label="tick"></th><th>status</th><th>key</th>${labels.length ? `<th>${escapeHtml(labels.join(' · '))}</th>` : ''}<th>origin</th><th>fields (old → new)</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<button type="button" id="more" hidden></button>
</main>
<script type="application/json" id="plan-data">${jsonForScript(data)}</script>
<script>${PAGE_JS}</script>
</body>
</html>
`;
}
