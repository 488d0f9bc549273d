/**
 * The review page's inline CSS and script. Plain strings (not functions turned into text) so the
 * bundler cannot rewrite them; the script uses no template literals and builds every cell with
 * textContent, so user data is never parsed as HTML.
 *
 * Rows are listed a page at a time (PAGE) because a plan may hold tens of thousands of candidates;
 * filtering, search and the ticks (by row index, so they survive a change of filter) run over the
 * embedded data, not the DOM. The selection downloads as a Blob: no network, nothing leaves the machine.
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
.st-review { background: #fff4d6; color: #7a5200; min-width: 110px; }
td.label { white-space: nowrap; }
th.tick, td.tick { width: 28px; text-align: center; }
tr.current { outline: 2px solid #2563eb; outline-offset: -2px; background: #eef4ff; }
tr.ticked { background: #f3f8ff; }
.selection { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; padding: 0 24px 8px; }
.selection button { padding: 4px 12px; font: inherit; cursor: pointer; }
.selection code { background: #fff; border: 1px solid var(--line); padding: 1px 6px; border-radius: 4px; }
p.keys { margin: 0; padding: 0 24px 12px; color: var(--muted); font-size: 12px; }
kbd { border: 1px solid #c4cad2; border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; background: #fff; font: 12px ui-monospace, monospace; }
details.warn { margin: 12px 24px 0; padding: 8px 16px; background: #fff8e1; border: 1px solid #f0c36d; border-radius: 6px; }
details.warn summary { cursor: pointer; font-weight: 600; }
details.warn table { margin: 8px 0; }
`;

export const PAGE_JS = `
(function () {
  'use strict';
  var PAGE = 500;
  var STATUSES = ['new', 'changed', 'unchanged', 'rejected', 'excluded', 'missing'];
  /** Filters: the page opens on the first; f / F step through them, skipping empty single statuses. */
  var PRESETS = [
    { name: 'review', on: ['new', 'changed'] },
    { name: 'new', on: ['new'] }, { name: 'changed', on: ['changed'] }, { name: 'rejected', on: ['rejected'] },
    { name: 'excluded', on: ['excluded'] }, { name: 'unchanged', on: ['unchanged'] }, { name: 'missing', on: ['missing'] },
    { name: 'all', on: STATUSES }
  ];
  var data = JSON.parse(document.getElementById('plan-data').textContent);
  var rows = data.rows;
  var body = document.getElementById('rows');
  var search = document.getElementById('search');
  var countEl = document.getElementById('visible-count');
  var moreBtn = document.getElementById('more');
  var selCount = document.getElementById('selected-count');
  var downloadBtn = document.getElementById('download');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  var onlyBtns = Array.prototype.slice.call(document.querySelectorAll('[data-only]'));
  var cols = data.labels ? 6 : 5;
  var matched = [];
  var listed = 0;
  var current = -1;
  var ticked = {};
  var nTicked = 0;
  var present = {};
  rows.forEach(function (r) { present[r.s] = true; });

  function norm(s) { return String(s).normalize('NFKC').toLowerCase(); }
  function pairs(list) { return (list || []).map(function (p) { return p.join(' '); }).join(' '); }
  var hay = rows.map(function (r) {
    return norm([r.k, r.l || '', r.o || '', r.e || '', r.m || '', pairs(r.c), pairs(r.r)].join(' '));
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
  function rowEl(i) {
    var r = rows[i];
    var tr = el('tr');
    tr.setAttribute('data-status', r.s);
    tr.setAttribute('data-key', r.k);
    tr.setAttribute('data-index', String(i));
    var tick = el('td', 'tick');
    if (r.a) {
      var box = el('input', 'tick');
      box.type = 'checkbox';
      box.checked = Boolean(ticked[i]);
      box.setAttribute('aria-label', 'tick ' + r.k);
      box.addEventListener('change', function () { setTick(i, box.checked); });
      tick.appendChild(box);
      if (ticked[i]) tr.className = 'ticked';
    }
    tr.appendChild(tick);
    var st = el('td');
    st.appendChild(el('span', 'badge st-' + r.s, r.s));
    tr.appendChild(st);
    tr.appendChild(el('td', 'key', r.k));
    if (data.labels) tr.appendChild(el('td', 'label', r.l || ''));
    tr.appendChild(el('td', 'origin', r.o || ''));
    tr.appendChild(detail(r));
    tr.addEventListener('click', function () { setCurrent(Array.prototype.indexOf.call(body.children, tr)); });
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
    for (var i = listed; i < end; i++) frag.appendChild(rowEl(matched[i]));
    body.appendChild(frag);
    listed = end;
    update();
  }
  function updateSelection() {
    selCount.textContent = fmt(nTicked) + ' selected';
    selCount.setAttribute('data-selected', String(nTicked));
    downloadBtn.disabled = nTicked === 0;
  }
  function setTick(i, on) {
    if (!rows[i].a || Boolean(ticked[i]) === on) return;
    if (on) { ticked[i] = true; nTicked++; } else { delete ticked[i]; nTicked--; }
    var tr = body.querySelector('tr[data-index="' + i + '"]');
    if (tr) {
      tr.classList.toggle('ticked', on);
      var box = tr.querySelector('input.tick');
      if (box) box.checked = on;
    }
    updateSelection();
  }
  function setCurrent(pos) {
    var trs = body.querySelectorAll('tr[data-index]');
    if (trs.length === 0) { current = -1; return; }
    if (pos >= trs.length && listed < matched.length) { more(); trs = body.querySelectorAll('tr[data-index]'); }
    pos = Math.max(0, Math.min(pos, trs.length - 1));
    if (current >= 0 && trs[current]) trs[current].classList.remove('current');
    current = pos;
    trs[pos].classList.add('current');
    body.setAttribute('data-current', trs[pos].getAttribute('data-key'));
    if (trs[pos].scrollIntoView) trs[pos].scrollIntoView({ block: 'nearest' });
  }
  function presetIndex() {
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.getAttribute('data-filter'); });
    for (var p = 0; p < PRESETS.length; p++) {
      var want = PRESETS[p].on;
      if (want.length === on.length && want.every(function (s) { return on.indexOf(s) !== -1; })) return p;
    }
    return -1;
  }
  function usable(p) { return PRESETS[p].on.length > 1 || present[PRESETS[p].on[0]]; }
  function setPreset(name) {
    var preset = PRESETS.filter(function (p) { return p.name === name; })[0];
    boxes.forEach(function (b) { b.checked = preset.on.indexOf(b.getAttribute('data-filter')) !== -1; });
    apply();
  }
  function cycle(step) {
    var p = presetIndex();
    for (var n = 0; n < PRESETS.length; n++) {
      p = (p + step + PRESETS.length) % PRESETS.length;
      if (usable(p)) break;
    }
    setPreset(PRESETS[p].name);
  }
  function apply() {
    var want = {};
    boxes.forEach(function (b) { want[b.getAttribute('data-filter')] = b.checked; });
    var p = presetIndex();
    onlyBtns.forEach(function (btn) {
      btn.setAttribute('aria-pressed', String(p !== -1 && PRESETS[p].name === btn.getAttribute('data-only')));
    });
    document.body.setAttribute('data-preset', p === -1 ? 'custom' : PRESETS[p].name);
    var q = norm(search.value.trim());
    matched = [];
    for (var i = 0; i < rows.length; i++) {
      if (want[rows[i].s] && (!q || hay[i].indexOf(q) !== -1)) matched.push(i);
    }
    body.textContent = '';
    body.removeAttribute('data-current');
    listed = 0;
    current = -1;
    if (matched.length === 0) {
      var tr = el('tr', 'empty');
      var td = el('td', '', 'no candidates match the filter');
      td.colSpan = cols;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    more();
  }
  function download() {
    var keys = [];
    for (var i = 0; i < rows.length; i++) if (ticked[i]) keys.push(rows[i].k);
    if (keys.length === 0) return;
    var url = URL.createObjectURL(new Blob([keys.join('\\n') + '\\n'], { type: 'text/plain;charset=utf-8' }));
    var a = el('a');
    a.href = url;
    a.download = data.file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  moreBtn.addEventListener('click', more);
  downloadBtn.addEventListener('click', download);
  document.getElementById('select-shown').addEventListener('click', function () {
    matched.forEach(function (i) { setTick(i, true); });
  });
  document.getElementById('select-none').addEventListener('click', function () {
    Object.keys(ticked).forEach(function (i) { setTick(Number(i), false); });
  });
  onlyBtns.forEach(function (btn) {
    btn.addEventListener('click', function () { setPreset(btn.getAttribute('data-only')); });
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t === search) {
      if (ev.key === 'Escape' || ev.key === 'Enter') { ev.preventDefault(); search.blur(); setCurrent(0); }
      return;
    }
    if (t && t.tagName === 'INPUT' && ev.key === ' ') return;
    if (t && t.tagName === 'BUTTON' && (ev.key === ' ' || ev.key === 'Enter')) return;
    var k = ev.key;
    // After a tick by mouse the row's checkbox has the focus; moving on takes it away, so space
    // then ticks the current row, not the clicked one.
    if ((k === 'j' || k === 'k' || k === 'ArrowDown' || k === 'ArrowUp') && t && t.blur && body.contains(t)) t.blur();
    if (k === '/') { ev.preventDefault(); search.focus(); search.select(); }
    else if (k === 'j' || k === 'ArrowDown') { ev.preventDefault(); setCurrent(current + 1); }
    else if (k === 'k' || k === 'ArrowUp') { ev.preventDefault(); setCurrent(current < 0 ? 0 : current - 1); }
    else if (k === ' ') {
      ev.preventDefault();
      var tr = body.querySelectorAll('tr[data-index]')[current];
      if (tr) { var i = Number(tr.getAttribute('data-index')); setTick(i, !ticked[i]); }
    }
    else if (k === 'f') { ev.preventDefault(); cycle(1); }
    else if (k === 'F') { ev.preventDefault(); cycle(-1); }
  });
  apply();
  updateSelection();
  document.body.setAttribute('data-ready', 'true');
})();
`;
