/**
 * The review page (K4/K5): one self-contained HTML file for a plan — header, counts per status,
 * status filter, search, and the per-field diff table (old struck through in red, new in green).
 *
 * Keys and values are user data. The header is escaped here; the rows travel as JSON inside a
 * `<script type="application/json">` block (every `<` written as `\u003c`, so no `</script>` or
 * `<!--` can close it) and are built in the browser with textContent. A Content-Security-Policy
 * allows only the page's own inline script and style (by hash) and no network at all.
 */
import crypto from 'node:crypto';
import { CANDIDATE_STATUSES, type Candidate, type Plan } from '../plan.ts';
import { valueText } from './format.ts';
import { filteredNotListed } from './terminal.ts';
import { PAGE_CSS, PAGE_JS } from './html-client.ts';

/** One candidate as the page's script reads it (short names: a plan may hold 10,000+ rows). */
interface PageRow {
  /** status */ s: string;
  /** key */ k: string;
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

function pageRow(c: Candidate): PageRow {
  const row: PageRow = { s: c.status, k: c.key };
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

/** The whole review page as one HTML string (write it to a file; it needs no network). */
export function renderPlanHtml(plan: Plan): string {
  const total = CANDIDATE_STATUSES.reduce((a, s) => a + (plan.counts[s] ?? 0), 0);
  const unlisted = filteredNotListed(plan);
  const title = `renkei plan — ${plan.pipeline}`;
  const csp = `default-src 'none'; style-src ${cspHash(PAGE_CSS)}; script-src ${cspHash(PAGE_JS)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const counts = CANDIDATE_STATUSES.map(
    (s) => `<button type="button" data-only="${s}" title="show only ${s}"><span class="badge st-${s}">${s}</span><b data-count="${s}">${plan.counts[s] ?? 0}</b></button>`,
  ).join('');
  const filters = CANDIDATE_STATUSES.map(
    (s) => `<label><input type="checkbox" data-filter="${s}" checked> ${s} (${plan.counts[s] ?? 0})</label>`,
  ).join('\n');
  const data = { rows: plan.candidates.map(pageRow) };

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
</dl>
<div class="counts"><button type="button" data-only="all" title="show all statuses"><span class="badge">all</span><b>${total}</b></button>${counts}</div>
</header>
<div class="tools">
<input id="search" type="search" placeholder="search key or value ( / )" aria-label="search key or value" autocomplete="off">
${filters}
<span id="visible-count" aria-live="polite"></span>
</div>
<main>
<table>
<thead><tr><th>status</th><th>key</th><th>origin</th><th>fields (old → new)</th></tr></thead>
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
