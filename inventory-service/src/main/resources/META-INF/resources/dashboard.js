// Chainboot console: plain JS, no build step. Pages by URL hash (#/machines, #/machine/MAC, #/profiles,
// #/images, #/disks, #/audit); data from the entry point's /api; live from /api/stream (server-sent events:
// machine rows, 'deleted', 'changed' after any write through the API). Every write asks for confirmation
// and carries the token entered in the header (kept in sessionStorage: gone when the tab closes).
'use strict';
// STAGES and ALL (the stage names) come from stages.js, generated from BootStage by the service

const KEY = 'chainboot.token';
const fromUrl = new URLSearchParams(location.search).get('token');
if (fromUrl) sessionStorage.setItem(KEY, fromUrl);
let token = sessionStorage.getItem(KEY) || '';
let role = 'none';
const machines = new Map();
const $ = id => document.getElementById(id);
const tbody = document.querySelector('#machines tbody');
let page = 'machines';
let pageArg = null;

// ---------- HTTP ----------

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (token) h.Authorization = 'Bearer ' + token;
  return h;
}

/** A problem document's words, or the status. */
async function failure(r) {
  let detail = r.status + ' ' + r.statusText;
  try {
    const p = await r.json();
    detail = r.status + ' ' + (p.detail || p.title || JSON.stringify(p));
  } catch (e) { /* no body */ }
  const err = new Error(detail);
  err.status = r.status;
  return err;
}

async function api(path) {
  const r = await fetch('api/' + path, { headers: headers() });
  if (!r.ok) throw await failure(r);
  return r.json();
}

async function send(method, path, body, type) {
  const init = { method, headers: headers(body == null ? {} : { 'Content-Type': type || 'application/json' }) };
  if (body != null) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch('api/' + path, init);
  if (!r.ok) throw await failure(r);
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

/** A file as the body, streamed by the browser; onProgress(sentBytes, totalBytes) while it goes. */
function sendFile(method, path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, 'api/' + path);
    Object.entries(headers({ 'Content-Type': 'application/octet-stream' })).forEach(([k, v]) => x.setRequestHeader(k, v));
    x.upload.onprogress = e => { if (onProgress) onProgress(e.loaded, e.lengthComputable ? e.total : file.size); };
    x.onload = () => {
      let body = null;
      try { body = x.responseText ? JSON.parse(x.responseText) : null; } catch (e) { /* not JSON */ }
      if (x.status >= 200 && x.status < 300) { resolve(body); return; }
      const err = new Error(x.status + ' ' + ((body && (body.detail || body.title)) || x.statusText));
      err.status = x.status;
      reject(err);
    };
    x.onerror = () => reject(new Error('the upload was cut (network error)'));
    x.send(file);
  });
}

// ---------- small helpers ----------

function text(el, value) { el.textContent = value == null ? '' : value; return el; }

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v == null || v === false) return;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  });
  children.flat().forEach(c => e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c))));
  return e;
}

function since(t) {
  if (!t) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(t)) / 1000));
  return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
}

function bytes(n) {
  if (n == null) return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = Number(n);
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + u[i];
}

function ms(n) { return n == null ? '' : n < 10000 ? n + ' ms' : (n / 1000).toFixed(1) + ' s'; }

function rowId(mac) { return 'm-' + mac.replace(/:/g, ''); }

let toastTimer;
let lastError = '';
function toast(message, bad) {
  const t = $('toast');
  text(t, message);
  t.className = bad ? 'bad' : 'good';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
}

// ---------- token and role ----------

function applyRole() {
  document.body.dataset.role = role;
  const admin = role === 'admin';
  document.querySelectorAll('[data-write]').forEach(b => {
    b.disabled = !admin;
    b.title = admin ? '' : 'needs an admin token (this one: ' + role + ')';
  });
}

async function whoami() {
  if (!token) {
    role = 'none';
    text($('whoami'), 'no token: read-only');
  } else {
    try {
      const me = await api('whoami');
      role = me.role;
      text($('whoami'), me.name + ' (' + me.role + ')');
    } catch (e) {
      role = 'none';
      text($('whoami'), e.status === 401 ? 'token refused: read-only' : 'cannot check the token: ' + e.message);
    }
  }
  applyRole();
}

$('token-form').addEventListener('submit', ev => {
  ev.preventDefault();
  token = $('token-input').value.trim();
  $('token-input').value = '';
  if (token) sessionStorage.setItem(KEY, token); else sessionStorage.removeItem(KEY);
  whoami().then(() => { connect(); show(); });
});
$('token-forget').addEventListener('click', () => {
  token = '';
  sessionStorage.removeItem(KEY);
  whoami().then(() => { connect(); show(); });
});

// ---------- confirmation of every write ----------

/**
 * Asks before a write: what it does, and the request it sends. With `ask` ({label, value}), the
 * dialog also takes one value (a snapshot name, an image name) and request(value) builds the request.
 */
function confirmThen(what, request, ask) {
  return new Promise(resolve => {
    const d = $('confirm');
    text($('confirm-text'), what);
    $('confirm-field').hidden = !ask;
    if (ask) { text($('confirm-label'), ask.label); $('confirm-input').value = ask.value || ''; }
    const describe = () => {
      const r = request(ask ? $('confirm-input').value.trim() : undefined);
      text($('confirm-request'), r.method + ' /api/' + r.path + (r.upload ? '\n' + r.upload.name + ' (' + bytes(r.upload.size) + ', application/octet-stream)' : '') + (r.body != null ? '\n' + (typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2)) : ''));
      return r;
    };
    describe();
    $('confirm-input').oninput = describe;
    const done = ok => {
      d.close();
      $('confirm-yes').onclick = null; $('confirm-no').onclick = null;
      if (!ok) { resolve(null); return; }
      const r = describe();
      (r.upload ? sendFile(r.method, r.path, r.upload, r.progress) : send(r.method, r.path, r.body, r.type))
        .then(answer => { toast(what + ': done'); resolve(answer == null ? {} : answer); })
        .catch(e => { lastError = e.message; toast(what + ': ' + e.message, true); resolve(null); });
    };
    $('confirm-yes').onclick = () => done(true);
    $('confirm-no').onclick = () => done(false);
    d.showModal();
  });
}

// ---------- machines list ----------

function labelsText(m) {
  const l = (m.spec && m.spec.labels) || {};
  return Object.keys(l).sort().map(k => k + '=' + l[k]).join(' ');
}

function matches(m) {
  const q = $('machine-search').value.trim().toLowerCase();
  const st = $('stage-filter').value;
  if (st && (m.stage || 'SEEN') !== st) return false;
  if (!q) return true;
  const hay = [m.mac, m.hostname, m.ip, m.profile, m.bootProfile, m.stage, m.reason, labelsText(m)].join(' ').toLowerCase();
  return q.split(/\s+/).every(w => hay.includes(w));
}

function render(m) {
  let tr = $(rowId(m.mac));
  if (!tr) {
    tr = document.createElement('tr');
    tr.id = rowId(m.mac);
    tr.dataset.mac = m.mac;
    tr.innerHTML = '<td class="mac"></td><td class="host"></td><td class="ip"></td><td class="profile"></td><td class="labels"></td>' +
      '<td><div class="chain">' + STAGES.map(s => '<span data-stage="' + s + '" title="' + s + '"></span>').join('') +
      '</div></td><td class="stage"></td><td class="since"></td><td class="reason"></td>';
    tr.addEventListener('click', () => { location.hash = '#/machine/' + tr.dataset.mac; });
    const rows = Array.from(tbody.children);
    const next = rows.find(r => r.dataset.mac > m.mac);
    tbody.insertBefore(tr, next || null);
  } else if (tr.dataset.stage !== (m.stage || '')) {
    tr.classList.remove('flash'); void tr.offsetWidth; tr.classList.add('flash');
  }
  const stage = m.stage || '';
  tr.classList.remove(...ALL);
  if (stage) tr.classList.add(stage);
  tr.dataset.stage = stage;
  tr.dataset.attempt = m.attemptId || '';
  text(tr.querySelector('.mac'), m.mac);
  text(tr.querySelector('.host'), m.hostname);
  text(tr.querySelector('.ip'), m.ip);
  text(tr.querySelector('.profile'), m.profile || (m.bootProfile ? m.bootProfile : 'default'));
  text(tr.querySelector('.labels'), labelsText(m));
  text(tr.querySelector('.stage'), stage || 'seen');
  tr.querySelector('.since').dataset.t = m.stageSince || '';
  text(tr.querySelector('.since'), since(m.stageSince));
  text(tr.querySelector('.reason'), m.reason);
  const reached = m.reached || {};
  tr.querySelectorAll('.chain span').forEach(s => {
    s.classList.toggle('reached', s.dataset.stage in reached);
    s.classList.toggle('current', s.dataset.stage === m.progress);
  });
  tr.hidden = !matches(m);
}

function filterRows() {
  let shown = 0;
  machines.forEach(m => { const tr = $(rowId(m.mac)); if (tr) { tr.hidden = !matches(m); if (!tr.hidden) shown++; } });
  text($('machine-count'), shown + ' of ' + machines.size + ' machines');
}

function update(m) {
  if (!m || !m.mac) return;
  machines.set(m.mac, m); // a row from the stream is the whole row, spec included
  render(m);
  counts();
  if (page === 'machine' && pageArg === m.mac) machineHeader(m, true);
}

function removed(mac) {
  machines.delete(mac);
  const tr = $(rowId(mac));
  if (tr) tr.remove();
  counts();
  if (page === 'machine' && pageArg === mac) { $('machine-gone').hidden = false; }
}

function counts() {
  const c = {};
  ALL.forEach(s => c[s] = 0);
  machines.forEach(m => { if (m.stage) c[m.stage]++; });
  $('counts').innerHTML = ALL.map(s =>
    '<li class="' + s + '" data-stage="' + s + '">' + s.replace('_', ' ') + '<b>' + c[s] + '</b></li>').join('');
  $('empty').hidden = machines.size > 0;
  filterRows();
}

$('stage-filter').append(...['SEEN'].concat(ALL).map(s => el('option', { value: s }, s === 'SEEN' ? 'seen, never booted' : s)));
$('machine-search').addEventListener('input', filterRows);
$('stage-filter').addEventListener('change', filterRows);

// ---------- one machine ----------

let profilesCache = null;
let imagesCache = null;

async function profileNames() {
  if (!profilesCache) profilesCache = api('profiles').then(l => (l.profiles || []).map(p => p.name)).catch(() => []);
  return profilesCache;
}

async function imageList() {
  if (!imagesCache) imagesCache = api('images').catch(() => []);
  return imagesCache;
}

function labelRow(k, v) {
  const tr = el('tr', { class: 'label' },
    el('td', {}, el('input', { class: 'label-key', value: k || '', 'aria-label': 'label name', 'data-write': true })),
    el('td', {}, el('input', { class: 'label-value', value: v || '', 'aria-label': 'label value', 'data-write': true })),
    el('td', {}, el('button', { type: 'button', class: 'label-remove', 'data-write': true, onclick: () => { tr.remove(); } }, 'remove')));
  return tr;
}

let shownSpec = null;

/** The header and, unless the user is editing (`keepForm`), the form, from a machine row. */
function machineHeader(m, keepForm) {
  text($('machine-title'), m.mac + (m.hostname ? ' — ' + m.hostname : ''));
  const st = $('machine-stage');
  text(st, m.stage || 'seen');
  st.className = 'badge ' + (m.stage || '');
  text($('machine-seen'), 'IP ' + (m.ip || '—') + ' · first seen ' + (m.firstSeen || '—') + ' · last seen ' + (m.lastSeen || '—') +
    ' · origin ' + (m.origin || '—') + (m.reason ? ' · ' + m.reason : ''));
  if (keepForm && shownSpec && JSON.stringify(shownSpec) === JSON.stringify(m.spec || {})) return;
  const typing = document.activeElement;
  if (keepForm && typing && /^(INPUT|SELECT|TEXTAREA)$/.test(typing.tagName) && $('spec-form').contains(typing)) return; // do not overwrite typing
  fillForm(m.spec || {});
}

function fillForm(spec) {
  shownSpec = spec;
  $('spec-hostname').value = spec.hostname || '';
  const sel = $('spec-profile');
  if (spec.profile && !Array.from(sel.options).some(o => o.value === spec.profile)) sel.append(el('option', { value: spec.profile }, spec.profile));
  sel.value = spec.profile || '';
  const lb = $('spec-labels').tBodies[0];
  lb.innerHTML = '';
  Object.entries(spec.labels || {}).forEach(([k, v]) => lb.append(labelRow(k, v)));
  $('spec-disk-kind').value = (spec.disk && spec.disk.kind) || '';
  $('spec-disk-image').value = (spec.disk && spec.disk.image) || '';
  $('spec-disk-size').value = (spec.disk && spec.disk.sizeBytes) || '';
  $('spec-chap').checked = !!(spec.chap && spec.chap.enabled);
  applyRole();
}

/** The RFC 7396 merge patch from the shown spec to the form: only what the user changed. */
function specPatch() {
  const s = shownSpec || {};
  const p = {};
  const host = $('spec-hostname').value.trim();
  if (host !== (s.hostname || '')) p.hostname = host || null;
  const prof = $('spec-profile').value;
  if (prof !== (s.profile || '')) p.profile = prof || null;
  const labels = {};
  $('spec-labels').querySelectorAll('tr.label').forEach(tr => {
    const k = tr.querySelector('.label-key').value.trim();
    if (k) labels[k] = tr.querySelector('.label-value').value;
  });
  const old = s.labels || {};
  const lp = {};
  Object.keys(old).forEach(k => { if (!(k in labels)) lp[k] = null; });
  Object.keys(labels).forEach(k => { if (old[k] !== labels[k]) lp[k] = labels[k]; });
  if (Object.keys(lp).length) p.labels = lp;
  const kind = $('spec-disk-kind').value;
  const image = $('spec-disk-image').value.trim();
  const size = $('spec-disk-size').value.trim();
  const od = s.disk || null;
  if (!kind) {
    if (od) p.disk = null;
  } else {
    const nd = { kind, image: image || null, sizeBytes: size ? Number(size) : null };
    if (!od || od.kind !== nd.kind || (od.image || null) !== nd.image || (od.sizeBytes || null) !== nd.sizeBytes) p.disk = nd;
  }
  const chap = $('spec-chap').checked;
  if (chap !== !!(s.chap && s.chap.enabled)) p.chap = chap ? { enabled: true } : { enabled: false, mutual: false };
  return p;
}

$('label-add').addEventListener('click', () => { $('spec-labels').tBodies[0].append(labelRow('', '')); applyRole(); });

$('spec-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const mac = pageArg;
  const patch = specPatch();
  if (!Object.keys(patch).length) { toast('nothing changed'); return; }
  confirmThen('Change ' + Object.keys(patch).join(', ') + ' of ' + mac,
    () => ({ method: 'PATCH', path: 'machines/' + mac, body: patch, type: 'application/merge-patch+json' }))
    .then(answer => { if (answer && answer.mac) { fillForm(answer.spec || {}); update(Object.assign({}, machines.get(mac) || {}, answer)); } });
});

$('machine-delete').addEventListener('click', () => {
  const mac = pageArg;
  confirmThen('Delete machine ' + mac + ' (its boot history and its disk stay; the disk is listed under Disks)',
    () => ({ method: 'DELETE', path: 'machines/' + mac }))
    .then(answer => { if (answer) { removed(mac); location.hash = '#/machines'; } });
});

function diskAction(mac, what, request, ask) {
  return confirmThen(what + ' — disk of ' + mac, request, ask).then(a => { if (a) refreshDisk(mac); return a; });
}

$('disk-reset').addEventListener('click', () => diskAction(pageArg, 'Reset the overlay to its golden image (every change on it is lost)',
  () => ({ method: 'POST', path: 'disks/' + pageArg + '/reset' })));
$('disk-snapshot').addEventListener('click', () => diskAction(pageArg, 'Snapshot',
  v => ({ method: 'POST', path: 'disks/' + pageArg + '/snapshots/' + encodeURIComponent(v || '') }),
  { label: 'snapshot name', value: 'snap-' + new Date().toISOString().slice(0, 10) }));
$('disk-promote').addEventListener('click', () => diskAction(pageArg, 'Promote the overlay to a new golden image',
  v => ({ method: 'POST', path: 'disks/' + pageArg + '/promote?image=' + encodeURIComponent(v || '') }),
  { label: 'new image name', value: '' }).then(a => { if (a) imagesCache = null; }));

function usage(used, size) {
  const pct = size ? Math.min(100, Math.round(100 * used / size)) : 0;
  return el('span', { class: 'usage' }, el('progress', { max: 100, value: pct }), ' ' + bytes(used) + ' of ' + bytes(size) + ' (' + pct + ' %)');
}

async function refreshDisk(mac) {
  const box = $('disk-info');
  try {
    const d = await api('disks/' + mac);
    box.dataset.used = d.usedBytes;
    box.dataset.snapshots = (d.snapshots || []).join(',');
    box.innerHTML = '';
    box.append(el('p', {}, 'Kind ' + d.kind + (d.image ? ' on ' + d.image : '') + ' · size ' + bytes(d.sizeBytes)),
      el('p', { id: 'disk-usage' }, 'Overlay/disk used: ', usage(d.usedBytes, d.sizeBytes)),
      el('p', {}, 'Snapshots: ', (d.snapshots || []).length ? '' : 'none'),
      el('ul', { id: 'disk-snapshots' }, (d.snapshots || []).map(s => el('li', { 'data-snapshot': s }, s, ' ',
        el('button', { type: 'button', 'data-write': true, onclick: () => diskAction(mac, 'Restore snapshot ' + s, () => ({ method: 'POST', path: 'disks/' + mac + '/snapshots/' + encodeURIComponent(s) + '/restore' })) }, 'restore'), ' ',
        el('button', { type: 'button', 'data-write': true, onclick: () => diskAction(mac, 'Delete snapshot ' + s, () => ({ method: 'DELETE', path: 'disks/' + mac + '/snapshots/' + encodeURIComponent(s) })) }, 'delete')))));
    ['disk-reset', 'disk-snapshot', 'disk-promote'].forEach(id => { $(id).hidden = false; });
  } catch (e) {
    delete box.dataset.used;
    box.innerHTML = '';
    box.append(el('p', { class: 'muted' }, e.status === 404 ? 'No disk on iscsi-service for this machine yet (one is made when its spec names one).' : 'Cannot read the disk: ' + e.message));
    ['disk-reset', 'disk-snapshot', 'disk-promote'].forEach(id => { $(id).hidden = e.status === 404; });
  }
  applyRole();
}

async function showMachine(mac) {
  $('machine-gone').hidden = true;
  $('timeline').hidden = true;
  const names = await profileNames();
  const sel = $('spec-profile');
  sel.innerHTML = '';
  sel.append(el('option', { value: '' }, '(default)'), ...names.map(n => el('option', { value: n }, n)));
  imageList().then(list => { $('image-names').innerHTML = ''; $('image-names').append(...list.map(i => el('option', { value: i.name }))); });
  try {
    const m = await api('machines/' + mac);
    if (pageArg !== mac) return;
    machineHeader(m, false);
  } catch (e) {
    text($('machine-title'), mac);
    text($('machine-seen'), e.message);
    fillForm({});
  }
  refreshDisk(mac);
  refreshAttempts(mac, true);
}

// ---------- boot attempts as a timeline chart ----------

$('legend').append(...STAGES.map(s => el('span', { class: 'seg seg-' + s }, s)));

let attemptsTimer = null;
function refreshAttemptsSoon(mac) {
  clearTimeout(attemptsTimer);
  attemptsTimer = setTimeout(() => refreshAttempts(mac, false), 300);
}

async function refreshAttempts(mac, openLatest) {
  let list;
  try { list = await api('machines/' + mac + '/boots?limit=20'); } catch (e) { text($('attempts'), e.message); return; }
  if (pageArg !== mac) return;
  const box = $('attempts');
  box.innerHTML = '';
  if (!list.length) { box.append(el('p', { class: 'muted' }, 'No boot attempt yet.')); return; }
  const longest = Math.max(1, ...list.map(t => Object.values(t.stageMillis || {}).reduce((a, b) => a + b, 0)));
  list.forEach(t => {
    const bar = el('div', { class: 'bar' });
    Object.keys(t.reached || {}).forEach(s => {
      const d = (t.stageMillis || {})[s] || 0;
      bar.append(el('span', { class: 'seg seg-' + s, 'data-stage': s, style: 'width:' + Math.max(0.5, 100 * d / longest) + '%',
        title: s + ' ' + ms(d) }, d >= longest / 8 ? s.replace('_', ' ') + ' ' + ms(d) : ''));
    });
    if (t.stage === 'FAILED' || t.stage === 'STALLED') bar.append(el('span', { class: 'end ' + t.stage, title: t.reason || t.stage }, t.stage));
    box.append(el('div', { class: 'attempt ' + t.stage, 'data-attempt': t.id, onclick: () => openTimeline(t.id) },
      el('span', { class: 'when' }, new Date(t.startedAt).toLocaleString()),
      el('span', { class: 'what' }, (t.profile || '') + ' · ' + t.stage + (t.bootMillis != null ? ' in ' + ms(t.bootMillis) : '') + (t.reason ? ' · ' + t.reason : '')),
      bar));
  });
  if (openLatest) openTimeline(list[0].id);
  else if (!$('timeline').hidden && $('timeline').dataset.attempt === list[0].id) openTimeline(list[0].id);
}

// ---------- events, readable ----------

const SKIP = ['id', 'type', 'time', 'source', 'mac', 'schema'];
const NICE = {
  ip: 'IP', clientKind: 'client', client: 'client', leaseSeconds: 'lease', file: 'file', bytes: 'size', durationMillis: 'took',
  profile: 'profile', initiatorIqn: 'initiator', targetIqn: 'target', iqn: 'IQN', lun: 'LUN', reason: 'reason', stage: 'stage',
  arch: 'arch', vendorClass: 'vendor class', uuid: 'UUID', isid: 'ISID', chosenBy: 'chosen by'
};

function value(k, v) {
  if (v == null) return '';
  if (typeof v === 'object') return Array.isArray(v) ? v.map(x => value(k, x)).join(', ') : Object.entries(v).map(([a, b]) => a + ' ' + value(a, b)).join(', ');
  if (/bytes$/i.test(k) || k === 'size') return bytes(v);
  if (/millis$/i.test(k)) return ms(v);
  if (/seconds$/i.test(k)) return v + ' s';
  return String(v);
}

/** One event as words: "acked 10.2.0.2 to firmware · lease 3600 s", then every other field as "name value". */
function describe(e) {
  const d = Object.assign({}, e.event || {});
  SKIP.forEach(k => delete d[k]);
  const dl = el('dl', { class: 'fields' });
  Object.keys(d).sort().forEach(k => { if (d[k] != null && d[k] !== '') dl.append(el('dt', {}, NICE[k] || k), el('dd', {}, value(k, d[k]))); });
  return dl;
}

function openTimeline(attemptId) {
  api('boots/' + attemptId).then(t => {
    const panel = $('timeline');
    panel.dataset.attempt = t.id;
    text($('timeline-title'), 'Boot ' + new Date(t.startedAt).toLocaleString() + ' — ' + t.stage + (t.reason ? ' (' + t.reason + ')' : '') +
      (t.bootMillis != null ? ' — booted in ' + ms(t.bootMillis) : ''));
    const ol = $('timeline-stages');
    ol.innerHTML = '';
    Object.keys(t.reached || {}).forEach(s => {
      const d = (t.stageMillis || {})[s];
      ol.append(el('li', { 'data-stage': s, class: 'seg-' + s }, s + (d != null ? ' ' + ms(d) : '')));
    });
    const tb = document.querySelector('#timeline-events tbody');
    tb.innerHTML = '';
    const t0 = Date.parse(t.startedAt);
    (t.events || []).forEach(e => {
      tb.append(el('tr', { class: 'event', 'data-type': e.type },
        el('td', {}, new Date(e.time).toLocaleTimeString()), el('td', {}, '+' + (Date.parse(e.time) - t0)),
        el('td', {}, e.type), el('td', {}, e.source && e.source.service ? e.source.service + '/' + e.source.instance : value('source', e.source)),
        el('td', {}, describe(e))));
    });
    panel.hidden = false;
  }).catch(err => toast(err.message, true));
}
$('timeline-close').addEventListener('click', () => { $('timeline').hidden = true; });

// ---------- profiles ----------

async function showProfiles() {
  const tb = document.querySelector('#profiles tbody');
  let l;
  try { l = await api('profiles'); } catch (e) { tb.innerHTML = ''; tb.append(el('tr', {}, el('td', { colspan: 8 }, e.message))); return; }
  profilesCache = Promise.resolve((l.profiles || []).map(p => p.name));
  const users = {};
  machines.forEach(m => { const p = m.profile || m.bootProfile; if (p) (users[p] = users[p] || []).push(m.mac); });
  tb.innerHTML = '';
  (l.profiles || []).forEach(p => tb.append(el('tr', { 'data-profile': p.name, onclick: () => showProfile(p.name) },
    el('td', {}, p.name), el('td', {}, p.kind), el('td', {}, p.description), el('td', {}, p.priority),
    el('td', {}, value('selector', p.selector)), el('td', {}, value('params', p.params)), el('td', {}, p.source),
    el('td', {}, (users[p.name] || []).length))));
  const pr = $('profile-problems');
  pr.innerHTML = '';
  if ((l.problems || []).length) pr.append(el('h3', {}, 'Refused profile files'), el('ul', {}, l.problems.map(x => el('li', { class: 'warn' }, x.source + ': ' + x.reason))));
}

async function showProfile(name) {
  const box = $('profile-detail');
  try {
    const p = await api('profiles/' + encodeURIComponent(name));
    box.innerHTML = '';
    box.dataset.profile = name;
    const dl = el('dl', { class: 'fields' });
    Object.entries(p).forEach(([k, v]) => { if (v != null && v !== '') dl.append(el('dt', {}, k), el('dd', {}, value(k, v))); });
    const users = [];
    machines.forEach(m => { if ((m.profile || m.bootProfile) === name) users.push(m.mac); });
    const builtin = String(p.source || '').startsWith('builtin:');
    box.append(el('h3', {}, 'Profile ' + name), dl, el('p', {}, 'Machines on it: ', users.length ? '' : 'none'),
      el('ul', {}, users.map(u => el('li', {}, el('a', { href: '#/machine/' + u }, u)))),
      el('div', { class: 'actions' },
        el('button', { id: 'profile-edit', type: 'button', 'data-write': true, onclick: () => editProfile(name) }, 'Edit'),
        el('button', { id: 'profile-delete', type: 'button', 'data-write': !builtin, disabled: builtin, onclick: () => deleteProfile(name) },
          builtin ? 'Built in (cannot be deleted)' : 'Delete')));
    box.hidden = false;
    applyRole();
  } catch (e) { toast(e.message, true); }
}

async function apiText(path) {
  const r = await fetch('api/' + path, { headers: headers() });
  if (!r.ok) throw await failure(r);
  return r.text();
}

/** The editor holds the profile's own document (its file, or the built-in's); saving it is a PUT. */
async function editProfile(name) {
  try {
    const doc = await apiText('profiles/' + encodeURIComponent(name) + '/document');
    $('profile-name').value = name;
    $('profile-yaml').value = doc;
    text($('profile-editor-title'), 'Edit profile ' + name);
    $('profile-result').innerHTML = '';
    $('profile-editor').scrollIntoView();
  } catch (e) { toast(e.message, true); }
}

function deleteProfile(name) {
  confirmThen('Delete profile ' + name + ' (its file; refused while machines, a menu or the default need it)',
    () => ({ method: 'DELETE', path: 'profiles/' + encodeURIComponent(name) }))
    .then(a => {
      if (!a) return;
      toast(a.builtinAgain ? 'Profile ' + name + ': the built-in one applies again' : 'Profile ' + name + ' deleted');
      profilesCache = null;
      $('profile-detail').hidden = true;
      showProfiles();
    });
}

function profileResult(ok, words) {
  const out = $('profile-result');
  out.innerHTML = '';
  out.className = ok ? 'good' : 'bad';
  out.append(el('p', {}, words));
  out.dataset.valid = ok ? 'true' : 'false';
}

$('profile-new').addEventListener('click', () => {
  $('profile-name').value = '';
  $('profile-yaml').value = '';
  text($('profile-editor-title'), 'New profile');
  $('profile-result').innerHTML = '';
});

$('profile-save').addEventListener('click', () => {
  const name = $('profile-name').value.trim();
  const yaml = $('profile-yaml').value;
  lastError = '';
  confirmThen('Save profile ' + name + ' (creates it, or replaces the whole profile)',
    () => ({ method: 'PUT', path: 'profiles/' + encodeURIComponent(name), body: yaml, type: 'application/yaml' }))
    .then(a => {
      if (a && a.name) {
        profileResult(true, 'Saved: profile ' + a.name + ' of kind ' + a.kind);
        $('profile-result').dataset.saved = a.name;
        profilesCache = null;
        showProfiles();
        showProfile(a.name);
      } else if (a === null && lastError) profileResult(false, 'Not saved: ' + lastError);
    });
});

$('profile-validate').addEventListener('click', () => {
  const yaml = $('profile-yaml').value;
  lastError = '';
  // validate changes nothing, but it is a POST (admin): asked like every other
  confirmThen('Validate this profile document (nothing is installed)', () => ({ method: 'POST', path: 'profiles/validate', body: yaml, type: 'application/yaml' }))
    .then(a => {
      if (a && a.valid) profileResult(true, 'Valid: profile ' + ((a.profile && a.profile.name) || '') + ' of kind ' + ((a.profile && a.profile.kind) || ''));
      else if (a === null && lastError) profileResult(false, 'Not valid: ' + lastError);
      else $('profile-result').dataset.valid = 'false';
    });
});

$('profiles-reload').addEventListener('click', () => confirmThen('Reload every profile from the profiles directory',
  () => ({ method: 'POST', path: 'profiles/reload' })).then(a => { if (a) { profilesCache = null; showProfiles(); } }));

// ---------- images ----------

async function showImages() {
  const tb = document.querySelector('#images tbody');
  let list;
  imagesCache = null;
  try { list = await imageList(); } catch (e) { list = []; }
  const assigned = {};
  machines.forEach(m => { const d = m.spec && m.spec.disk; if (d && d.image) (assigned[d.image] = assigned[d.image] || []).push(m.mac); });
  const link = mac => el('a', { href: '#/machine/' + mac }, mac);
  tb.innerHTML = '';
  list.forEach(i => tb.append(el('tr', { 'data-image': i.name },
    el('td', {}, i.name), el('td', {}, bytes(i.sizeBytes)), el('td', { class: 'mono', title: i.sha256 || '' }, (i.sha256 || '').slice(0, 16)),
    el('td', { class: 'users' }, (i.users || []).map(link).reduce((a, x) => a.concat(a.length ? [', ', x] : [x]), [])),
    el('td', { class: 'assigned' }, (assigned[i.name] || []).map(link).reduce((a, x) => a.concat(a.length ? [', ', x] : [x]), [])),
    el('td', {}, el('button', { type: 'button', class: 'danger', 'data-write': true, onclick: () => confirmThen('Delete image ' + i.name,
      () => ({ method: 'DELETE', path: 'images/' + encodeURIComponent(i.name) })).then(a => { if (a) showImages(); }) }, 'delete')))));
  applyRole();
}

let importPoll = null;
async function pollImports() {
  try {
    const list = await api('images/imports');
    const box = $('imports');
    box.innerHTML = '';
    list.forEach(p => {
      const pct = p.totalBytes > 0 ? Math.round(100 * p.copiedBytes / p.totalBytes) : 0;
      box.append(el('p', { class: 'import', 'data-import': p.name, 'data-phase': p.phase || '' }, p.name + ' ' + (p.phase || '') + ' ',
        el('progress', { max: 100, value: pct }),
        ' ' + bytes(p.copiedBytes) + (p.totalBytes > 0 ? ' of ' + bytes(p.totalBytes) + ' (' + pct + ' %)' : '')));
    });
  } catch (e) { /* the next poll tries again */ }
}

$('import-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const name = $('import-name').value.trim();
  const file = $('import-path').value.trim();
  lastError = '';
  const started = confirmThen('Import ' + file + ' from the import directory as image ' + name + ' (copies the whole file; checksummed)',
    () => ({ method: 'POST', path: 'images/' + encodeURIComponent(name) + '?path=' + encodeURIComponent(file) }));
  clearInterval(importPoll);
  importPoll = setInterval(pollImports, 500);
  started.then(a => {
    clearInterval(importPoll);
    pollImports();
    const out = $('import-result');
    out.innerHTML = '';
    if (a) { out.append(el('p', { class: 'good', 'data-imported': a.name || name }, 'Imported ' + (a.name || name) + (a.sha256 ? ' · sha256 ' + a.sha256 : ''))); showImages(); }
    else out.append(el('p', { class: 'bad', 'data-import-failed': name }, 'Import of ' + name + ' failed: ' + lastError));
  });
});

$('upload-file').addEventListener('change', () => {
  const f = $('upload-file').files[0];
  if (f && !$('upload-name').value.trim()) $('upload-name').value = f.name.replace(/\.(img|raw|qcow2|vmdk|vhdx|vdi)$/i, '').replace(/[^A-Za-z0-9._-]/g, '-');
});

$('upload-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const file = $('upload-file').files[0];
  const out = $('upload-result');
  out.innerHTML = '';
  if (!file) { out.append(el('p', { class: 'bad' }, 'Choose a file first')); return; }
  const name = $('upload-name').value.trim() || file.name;
  const sha = $('upload-sha').value.trim();
  lastError = '';
  const bar = $('upload-bar');
  const progressShown = (sent, total) => {
    $('upload-progress').hidden = false;
    const pct = total ? Math.round(100 * sent / total) : 0;
    bar.value = pct;
    bar.dataset.sent = String(sent);
    text($('upload-text'), 'sent ' + bytes(sent) + ' of ' + bytes(total) + ' (' + pct + ' %)' + (sent >= total ? '; converting and checking…' : ''));
  };
  const started = confirmThen('Upload ' + file.name + ' (' + bytes(file.size) + ') as image ' + name
      + ' (qcow2/VMDK/VHDX/VDI are converted to raw; checksummed' + (sha ? ', checked against the SHA-256 given' : '') + ')',
    () => ({ method: 'PUT', path: 'images/' + encodeURIComponent(name) + (sha ? '?sha256=' + encodeURIComponent(sha) : ''),
      upload: file, progress: progressShown }));
  clearInterval(importPoll);
  importPoll = setInterval(pollImports, 500);
  started.then(a => {
    clearInterval(importPoll);
    pollImports();
    if (a) {
      bar.value = 100;
      text($('upload-text'), 'done: ' + bytes(file.size) + ' received');
      out.append(el('p', { class: 'good', 'data-uploaded': a.name || name }, 'Uploaded ' + (a.name || name) + ' (' + (a.format || 'raw')
        + ', ' + bytes(a.sizeBytes) + ') · sha256 ' + (a.sha256 || '') + (a.receivedSha256 && a.receivedSha256 !== a.sha256 ? ' · file sha256 ' + a.receivedSha256 : '')));
      showImages();
    } else {
      $('upload-progress').hidden = true;
      out.append(el('p', { class: 'bad', 'data-upload-failed': name }, 'Upload of ' + name + ' failed: ' + lastError));
    }
  });
});

// ---------- disks ----------

async function showDisks() {
  const tb = document.querySelector('#disks tbody');
  let list;
  try { list = await api('disks'); } catch (e) { tb.innerHTML = ''; tb.append(el('tr', {}, el('td', { colspan: 7 }, e.message))); return; }
  tb.innerHTML = '';
  (Array.isArray(list) ? list : []).forEach(d => {
    const known = machines.has(d.mac);
    const act = (label, what, request, ask) => el('button', { type: 'button', 'data-write': true,
      onclick: () => confirmThen(what + ' — disk of ' + d.mac, request, ask).then(a => { if (a) showDisks(); }) }, label);
    tb.append(el('tr', { 'data-disk': d.mac, 'data-used': d.usedBytes },
      el('td', {}, known ? el('a', { href: '#/machine/' + d.mac }, d.mac) : el('span', { class: 'warn', title: 'no machine has this MAC any more' }, d.mac + ' (deleted machine)')),
      el('td', {}, d.kind), el('td', {}, d.image || ''), el('td', {}, bytes(d.sizeBytes)), el('td', {}, usage(d.usedBytes, d.sizeBytes)),
      el('td', {}, (d.snapshots || []).join(', ')),
      el('td', { class: 'actions' },
        act('reset', 'Reset the overlay to its golden image', () => ({ method: 'POST', path: 'disks/' + d.mac + '/reset' })),
        act('snapshot', 'Snapshot', v => ({ method: 'POST', path: 'disks/' + d.mac + '/snapshots/' + encodeURIComponent(v || '') }), { label: 'snapshot name', value: '' }),
        act('promote', 'Promote to a new golden image', v => ({ method: 'POST', path: 'disks/' + d.mac + '/promote?image=' + encodeURIComponent(v || '') }), { label: 'new image name', value: '' }),
        act('delete', 'Delete the disk (its data is lost)', () => ({ method: 'DELETE', path: 'disks/' + d.mac })))));
  });
  applyRole();
}

// ---------- audit ----------

let auditNext = null;
function auditQuery() {
  const q = new URLSearchParams();
  [['entity', 'audit-entity'], ['by', 'audit-by'], ['since', 'audit-since']].forEach(([k, id]) => { const v = $(id).value.trim(); if (v) q.set(k, v); });
  q.set('limit', '50');
  return 'audit?' + q.toString();
}

async function showAudit(more) {
  const tb = document.querySelector('#audit tbody');
  if (!token) { tb.innerHTML = ''; text($('audit-note'), 'The audit trail needs a token (viewer or admin): enter one above.'); $('audit-more').hidden = true; return; }
  let p;
  try { p = await api(more && auditNext ? auditNext.replace(/^\/api\//, '') : auditQuery()); } catch (e) { text($('audit-note'), e.message); return; }
  text($('audit-note'), '');
  if (!more) tb.innerHTML = '';
  p.entries.forEach(a => tb.append(el('tr', { class: 'audit ' + a.outcome, 'data-entity': a.entity, 'data-method': a.method },
    el('td', {}, new Date(a.at).toLocaleString()), el('td', {}, a.tokenName + ' (' + a.tokenId + ')'), el('td', {}, a.role),
    el('td', { class: 'mono' }, a.method + ' ' + a.path), el('td', {}, a.entity), el('td', {}, a.status), el('td', {}, a.outcome))));
  auditNext = p.next || null;
  $('audit-more').hidden = !auditNext;
}
$('audit-form').addEventListener('submit', ev => { ev.preventDefault(); showAudit(false); });
$('audit-more').addEventListener('click', () => showAudit(true));

// ---------- pages ----------

function show() {
  const h = location.hash.replace(/^#\/?/, '');
  const [p, ...rest] = h.split('/');
  page = ['machines', 'machine', 'profiles', 'images', 'disks', 'audit'].includes(p) ? p : 'machines';
  pageArg = rest.length ? decodeURIComponent(rest.join('/')) : null;
  document.querySelectorAll('.page').forEach(s => { s.hidden = s.id !== 'page-' + page; });
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('here', a.dataset.page === page || (page === 'machine' && a.dataset.page === 'machines')));
  document.body.dataset.page = page;
  if (page === 'machine' && pageArg) showMachine(pageArg);
  else if (page === 'profiles') showProfiles();
  else if (page === 'images') showImages();
  else if (page === 'disks') showDisks();
  else if (page === 'audit') showAudit(false);
  applyRole();
}
window.addEventListener('hashchange', show);

// ---------- live ----------

function changed(c) {
  if (c.kind === 'image') imagesCache = null;
  if (c.kind === 'profile') profilesCache = null;
  if (page === 'audit' && !auditNext) showAudit(false);
  else if (page === 'images' && (c.kind === 'image' || c.kind === 'disk' || c.kind === 'machine')) showImages();
  else if (page === 'disks' && (c.kind === 'disk' || c.kind === 'machine')) showDisks();
  else if (page === 'profiles' && c.kind === 'profile') showProfiles();
  else if (page === 'machine' && c.kind === 'disk' && c.id === pageArg) refreshDisk(pageArg);
}

let es = null;
function connect() {
  if (es) es.close();
  es = new EventSource('api/stream' + (token ? '?token=' + encodeURIComponent(token) : ''));
  es.onopen = () => { document.body.dataset.live = 'open'; text($('live'), 'live'); };
  es.onmessage = ev => {
    try {
      const m = JSON.parse(ev.data);
      update(m);
      if (page === 'machine' && pageArg === m.mac) refreshAttemptsSoon(m.mac);
    } catch (e) { console.error(e); }
  };
  es.addEventListener('deleted', ev => { try { removed(JSON.parse(ev.data).mac); } catch (e) { console.error(e); } });
  es.addEventListener('changed', ev => { try { changed(JSON.parse(ev.data)); } catch (e) { console.error(e); } });
  es.onerror = () => {
    document.body.dataset.live = 'closed';
    text($('live'), 'reconnecting…');
    // EventSource reconnects by itself; reload the list when it does, to catch up on missed changes
    es.addEventListener('open', () => reloadMachines(), { once: true });
  };
}

function reloadMachines() {
  return api('machines').then(list => {
    const seen = new Set(list.map(m => m.mac));
    Array.from(machines.keys()).filter(m => !seen.has(m)).forEach(removed);
    list.forEach(update);
    counts();
  });
}

whoami().then(() => reloadMachines())
  .catch(err => { text($('live'), 'error: ' + err.message); })
  .finally(() => { connect(); show(); });
setInterval(() => document.querySelectorAll('#machines td.since').forEach(td => text(td, since(td.dataset.t))), 5000);
