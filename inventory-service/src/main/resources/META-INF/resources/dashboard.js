// Chainboot dashboard: loads /api/machines once, then follows /api/stream (server-sent events).
'use strict';
// STAGES and ALL (the stage names) come from stages.js, generated from BootStage by the service
const token = new URLSearchParams(location.search).get('token');
const q = token ? '?token=' + encodeURIComponent(token) : '';
const machines = new Map();
const tbody = document.querySelector('#machines tbody');

function api(path) {
  return fetch('api/' + path + q, { headers: token ? { Authorization: 'Bearer ' + token } : {} })
    .then(r => { if (!r.ok) throw new Error(path + ': ' + r.status); return r.json(); });
}

function rowId(mac) { return 'm-' + mac.replace(/:/g, ''); }

function text(el, value) { el.textContent = value == null ? '' : value; }

function since(t) {
  if (!t) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(t)) / 1000));
  return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
}

function render(m) {
  let tr = document.getElementById(rowId(m.mac));
  if (!tr) {
    tr = document.createElement('tr');
    tr.id = rowId(m.mac);
    tr.dataset.mac = m.mac;
    tr.innerHTML = '<td class="mac"></td><td class="host"></td><td class="ip"></td><td class="profile"></td>' +
      '<td><div class="chain">' + STAGES.map(s => '<span data-stage="' + s + '" title="' + s + '"></span>').join('') +
      '</div></td><td class="stage"></td><td class="since"></td><td class="reason"></td>';
    tr.addEventListener('click', () => openTimeline(tr.dataset.mac));
    const rows = Array.from(tbody.children);
    const next = rows.find(r => r.dataset.mac > m.mac);
    tbody.insertBefore(tr, next || null);
  } else if (tr.dataset.stage !== m.stage) {
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
  text(tr.querySelector('.profile'), m.bootProfile || m.profile || 'default');
  text(tr.querySelector('.stage'), stage || 'seen');
  tr.querySelector('.since').dataset.t = m.stageSince || '';
  text(tr.querySelector('.since'), since(m.stageSince));
  text(tr.querySelector('.reason'), m.reason);
  const reached = m.reached || {};
  tr.querySelectorAll('.chain span').forEach(s => {
    s.classList.toggle('reached', s.dataset.stage in reached);
    s.classList.toggle('current', s.dataset.stage === m.progress);
  });
}

function update(m) {
  if (!m || !m.mac) return; // keep-alive
  machines.set(m.mac, Object.assign(machines.get(m.mac) || {}, m));
  render(machines.get(m.mac));
  counts();
}

function counts() {
  const c = {};
  ALL.forEach(s => c[s] = 0);
  machines.forEach(m => { if (m.stage) c[m.stage]++; });
  document.getElementById('counts').innerHTML = ALL.map(s =>
    '<li class="' + s + '" data-stage="' + s + '">' + s.replace('_', ' ') + '<b>' + c[s] + '</b></li>').join('');
  document.getElementById('empty').hidden = machines.size > 0;
}

function openTimeline(mac) {
  const m = machines.get(mac);
  const panel = document.getElementById('timeline');
  if (!m || !m.attemptId) {
    text(document.getElementById('timeline-title'), mac + ': no boot attempt yet');
    document.getElementById('timeline-stages').innerHTML = '';
    document.querySelector('#timeline-events tbody').innerHTML = '';
    panel.hidden = false;
    return;
  }
  api('boots/' + m.attemptId).then(t => {
    panel.dataset.attempt = t.id;
    text(document.getElementById('timeline-title'), mac + ' — boot ' + t.startedAt + ' — ' + t.stage + (t.reason ? ' (' + t.reason + ')' : ''));
    const ol = document.getElementById('timeline-stages');
    ol.innerHTML = '';
    Object.keys(t.reached || {}).forEach(s => {
      const li = document.createElement('li');
      const ms = (t.stageMillis || {})[s];
      li.dataset.stage = s;
      li.textContent = s + (ms != null ? ' ' + ms + ' ms' : '');
      ol.appendChild(li);
    });
    const tb = document.querySelector('#timeline-events tbody');
    tb.innerHTML = '';
    const t0 = Date.parse(t.startedAt);
    (t.events || []).forEach(e => {
      const tr = document.createElement('tr');
      const d = Object.assign({}, e.event);
      ['id', 'type', 'time', 'source', 'mac', 'schema'].forEach(k => delete d[k]);
      [e.time, Date.parse(e.time) - t0, e.type, e.source, JSON.stringify(d)].forEach(v => {
        const td = document.createElement('td'); text(td, v); tr.appendChild(td);
      });
      tr.className = 'event';
      tb.appendChild(tr);
    });
    panel.hidden = false;
  }).catch(err => console.error(err));
}

document.getElementById('timeline-close').addEventListener('click', () => { document.getElementById('timeline').hidden = true; });

function connect() {
  const es = new EventSource('api/stream' + q);
  es.onopen = () => { document.body.dataset.live = 'open'; text(document.getElementById('live'), 'live'); };
  es.onmessage = ev => { try { update(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
  es.onerror = () => {
    document.body.dataset.live = 'closed';
    text(document.getElementById('live'), 'reconnecting…');
    // EventSource reconnects by itself; reload the list when it does, to catch up on missed changes
    es.addEventListener('open', () => api('machines').then(list => list.forEach(update)), { once: true });
  };
}

api('machines').then(list => { list.forEach(update); counts(); connect(); })
  .catch(err => { text(document.getElementById('live'), 'error: ' + err.message); connect(); });
setInterval(() => document.querySelectorAll('#machines td.since').forEach(td => text(td, since(td.dataset.t))), 5000);
