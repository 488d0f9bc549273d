/**
 * The review page's inline CSS and script. Plain strings (not functions turned into text) so the
 * bundler cannot rewrite them; the script uses no template literals and builds every cell with
 * textContent, so user data is never parsed as HTML.
 *
 * Rows are listed a page at a time (PAGE) because a plan may hold tens of thousands of candidates;
 * filtering and search run over the embedded data, not the DOM.
 */

export const PAGE_CSS = `
:root { --red: #b71c1c; --red-bg: #fdecea; --green: #1b5e20; --green-bg: #e3f4e4; --line: #e3e6ea; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; color: #1f2328; background: #f6f7f9; font: 14px/1.5 system-ui, -apple-system, "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic", Meiryo, sans-serif; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 16px 24px; }
h1 { font-size: 18px; margin: 0 0 8px; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; color: var(--muted); }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt::after { content: ":"; }
dl.meta dd { margin: 0; color: #1f2328; font-variant-numeric: tabular-nums; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
.counts button { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 6px 12px; cursor: pointer; font: inherit; text-align: left; }
.counts button:hover { border-color: #9aa4b2; }
.counts button[aria-pressed="true"] { border-color: #1f2328; box-shadow: inset 0 -3px 0 #1f2328; }
.counts b { display: block; font-size: 18px; }
.tools { display: flex; flex-wrap: wrap; align-items: center; gap: 16px; padding: 12px 24px; }
.tools label { cursor: pointer; user-select: none; }
#search { flex: 1 1 280px; max-width: 420px; padding: 6px 10px; border: 1px solid #c4cad2; border-radius: 6px; font: inherit; }
#visible-count { color: var(--muted); }
main { padding: 0 24px 24px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #eef1f4; z-index: 1; }
td.key { font-weight: 600; white-space: nowrap; }
td.origin { color: var(--muted); white-space: nowrap; }
.badge { display: inline-block; min-width: 80px; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; text-align: center; }
.st-new { background: var(--green-bg); color: var(--green); }
.st-changed { background: #fff4d6; color: #7a5200; }
.st-unchanged { background: #eef1f4; color: var(--muted); }
.st-rejected { background: var(--red-bg); color: var(--red); }
.st-excluded { background: #e0f4f7; color: #006270; }
.st-missing { background: #f1e6fa; color: #6a1b9a; }
ul.fields { list-style: none; margin: 0; padding: 0; }
ul.fields li { margin: 1px 0; }
.field { color: var(--muted); margin-right: 6px; }
.field::after { content: ":"; }
.value { white-space: pre-wrap; word-break: break-word; }
del.old { color: var(--red); background: var(--red-bg); text-decoration: line-through; padding: 0 3px; }
ins.new { color: var(--green); background: var(--green-bg); text-decoration: none; font-weight: 600; padding: 0 3px; }
.arrow { color: var(--muted); margin: 0 6px; }
.blank { font-style: italic; font-weight: normal; }
.code { color: var(--red); font-weight: 600; margin-right: 8px; }
.note { color: var(--muted); }
#more { margin: 12px 0; padding: 6px 14px; font: inherit; cursor: pointer; }
tr.empty td { text-align: center; color: var(--muted); padding: 24px; }
`;

export const PAGE_JS = `
(function () {
  'use strict';
  var PAGE = 500;
  var LABEL = { 'new': 'new', changed: 'changed', unchanged: 'unchanged', rejected: 'rejected', excluded: 'excluded', missing: 'missing' };
  var data = JSON.parse(document.getElementById('plan-data').textContent);
  var rows = data.rows;
  var body = document.getElementById('rows');
  var search = document.getElementById('search');
  var countEl = document.getElementById('visible-count');
  var moreBtn = document.getElementById('more');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  var onlyBtns = Array.prototype.slice.call(document.querySelectorAll('[data-only]'));
  var matched = [];
  var listed = 0;

  function norm(s) { return String(s).normalize('NFKC').toLowerCase(); }
  function pairs(list) { return (list || []).map(function (p) { return p.join(' '); }).join(' '); }
  var hay = rows.map(function (r) {
    return norm([r.k, r.o || '', r.e || '', r.m || '', pairs(r.c), pairs(r.r)].join(' '));
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function value(tag, cls, v) {
    return v === null ? el(tag, cls + ' value blank', '(blank)') : el(tag, cls + ' value', v);
  }
  function detail(r) {
    var td = el('td', 'detail');
    if (r.s === 'changed' || r.s === 'new') {
      var ul = el('ul', 'fields');
      ((r.s === 'changed' ? r.c : r.r) || []).forEach(function (p) {
        var li = el('li');
        li.setAttribute('data-field', p[0]);
        li.appendChild(el('span', 'field', p[0]));
        if (r.s === 'changed') {
          li.appendChild(value('del', 'old', p[1]));
          li.appendChild(el('span', 'arrow', '\\u2192'));
          li.appendChild(value('ins', 'new', p[2]));
        } else {
          li.appendChild(value('ins', 'new', p[1]));
        }
        ul.appendChild(li);
      });
      td.appendChild(ul);
    } else if (r.s === 'rejected' || r.s === 'excluded') {
      td.appendChild(el('span', 'code', r.e || r.s.toUpperCase()));
      td.appendChild(el('span', 'message', r.m || ''));
      if (r.g) td.appendChild(el('span', 'note', ' (' + r.g + ')'));
    } else if (r.s === 'missing') {
      td.appendChild(el('span', 'note', 'only in the target (not in the source)'));
    } else {
      td.appendChild(el('span', 'note', 'no differences'));
    }
    return td;
  }
  function rowEl(r) {
    var tr = el('tr');
    tr.setAttribute('data-status', r.s);
    tr.setAttribute('data-key', r.k);
    var st = el('td');
    st.appendChild(el('span', 'badge st-' + r.s, LABEL[r.s] || r.s));
    tr.appendChild(st);
    tr.appendChild(el('td', 'key', r.k));
    tr.appendChild(el('td', 'origin', r.o || ''));
    tr.appendChild(detail(r));
    return tr;
  }
  function fmt(n) { return n.toLocaleString('en-US'); }
  function update() {
    countEl.textContent = 'showing ' + fmt(matched.length) + ' of ' + fmt(rows.length);
    countEl.setAttribute('data-visible', String(matched.length));
    countEl.setAttribute('data-listed', String(listed));
    countEl.setAttribute('data-total', String(rows.length));
    var rest = matched.length - listed;
    moreBtn.hidden = rest <= 0;
    moreBtn.textContent = 'list ' + fmt(Math.min(PAGE, rest)) + ' more (' + fmt(rest) + ' not listed yet)';
  }
  function more() {
    var frag = document.createDocumentFragment();
    var end = Math.min(matched.length, listed + PAGE);
    for (var i = listed; i < end; i++) frag.appendChild(rowEl(rows[matched[i]]));
    body.appendChild(frag);
    listed = end;
    update();
  }
  function apply() {
    var want = {};
    boxes.forEach(function (b) { want[b.getAttribute('data-filter')] = b.checked; });
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.getAttribute('data-filter'); });
    onlyBtns.forEach(function (btn) {
      var only = btn.getAttribute('data-only');
      var pressed = only === 'all' ? on.length === boxes.length : on.length === 1 && on[0] === only;
      btn.setAttribute('aria-pressed', String(pressed));
    });
    var q = norm(search.value.trim());
    matched = [];
    for (var i = 0; i < rows.length; i++) {
      if (want[rows[i].s] && (!q || hay[i].indexOf(q) !== -1)) matched.push(i);
    }
    body.textContent = '';
    listed = 0;
    if (matched.length === 0) {
      var tr = el('tr', 'empty');
      var td = el('td', '', 'no candidates match the filter');
      td.colSpan = 4;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    more();
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  moreBtn.addEventListener('click', more);
  onlyBtns.forEach(function (btn) {
    btn.addEventListener('click', function () {
      var only = btn.getAttribute('data-only');
      boxes.forEach(function (b) { b.checked = only === 'all' || b.getAttribute('data-filter') === only; });
      apply();
    });
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== search) { ev.preventDefault(); search.focus(); }
  });
  apply();
  document.body.setAttribute('data-ready', 'true');
})();
`;
