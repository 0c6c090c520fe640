// The dashboard's script (page.ts inlines it): polls the JSON endpoints,
// fills the tables with textContent (names are never parsed as HTML), and
// draws the rate charts on canvas. Plain ES2017 in a String.raw literal,
// so it has no backquotes or `${`.

export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var INTERVAL = Math.max(100, Number(params.get('interval')) || 1000);
  var WINDOW_MS = 5 * 60 * 1000;
  // Connections listed; the card shows the total.
  var CONN_ROWS = 100;
  var history = [];
  var lastSeqs = {};
  var seeded = false;
  var updates = 0;

  function $(id) { return document.getElementById(id); }
  function num(n) { return n === undefined || n === null || isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'); }
  function bytes(n) {
    if (n === undefined || n === null || isNaN(n)) return '-';
    var u = ['B', 'KB', 'MB', 'GB', 'TB'];
    var i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + u[i];
  }
  function rate(n) { return n === undefined || isNaN(n) ? '-' : n < 10 ? n.toFixed(1) : num(n); }
  function setText(id, text, raw) {
    var el = $(id);
    el.textContent = text;
    if (raw !== undefined) el.dataset.v = String(raw);
  }
  function getJson(path) {
    return fetch(path, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(path + ': HTTP ' + r.status + ' ' + t.trim()); });
      return r.json();
    });
  }
  function settle(p) {
    return p.then(function (v) { return { ok: true, v: v }; }, function (e) { return { ok: false, e: e }; });
  }
  function cell(tr, k, text, raw, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    td.dataset.k = k;
    if (raw !== undefined) td.dataset.v = String(raw);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(id, rows, render, emptyText) {
    var table = $(id);
    var frag = document.createDocumentFragment();
    if (rows.length === 0) {
      var tr = document.createElement('tr');
      var td = cell(tr, 'empty', emptyText);
      td.colSpan = table.tHead.rows[0].cells.length;
      td.className = 'empty';
      frag.appendChild(tr);
    }
    rows.forEach(function (r) { frag.appendChild(render(r)); });
    table.tBodies[0].replaceChildren(frag);
  }

  // ---- rates and charts ----
  function addSample(s) {
    var last = history[history.length - 1];
    if (last && s.t <= last.t) return;
    history.push(s);
    var cut = s.t - WINDOW_MS - 2000;
    while (history.length > 2 && history[0].t < cut) history.shift();
  }
  function series(key) {
    var out = [];
    for (var i = 1; i < history.length; i++) {
      var a = history[i - 1], b = history[i];
      var dt = (b.t - a.t) / 1000;
      if (dt <= 0) continue;
      out.push({ t: b.t, v: Math.max(0, (b[key] - a[key]) / dt) });
    }
    return out;
  }
  function niceCeil(v) {
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function draw(canvas, lines, colors, fmt) {
    var dpr = window.devicePixelRatio || 1;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    var g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    var L = 64, R = 10, T = 8, B = 20, pw = w - L - R, ph = h - T - B;
    var end = history.length ? history[history.length - 1].t : Date.now();
    var t0 = end - WINDOW_MS;
    var max = 0;
    lines.forEach(function (s) { s.forEach(function (p) { if (p.t >= t0 && p.v > max) max = p.v; }); });
    var top = niceCeil(max > 0 ? max : 1);
    g.font = '11px ui-sans-serif, system-ui, sans-serif';
    g.strokeStyle = css('--line');
    g.fillStyle = css('--muted');
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (var i = 0; i <= 4; i++) {
      var y = T + ph - (ph * i) / 4;
      g.beginPath(); g.moveTo(L, y + 0.5); g.lineTo(L + pw, y + 0.5); g.stroke();
      g.fillText(fmt((top * i) / 4), L - 6, y);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (var m = 0; m <= 5; m++) {
      var x = L + (pw * m) / 5;
      g.fillText(m === 5 ? 'now' : '-' + (5 - m) + 'm', x, T + ph + 5);
    }
    lines.forEach(function (s, k) {
      g.strokeStyle = colors[k];
      g.lineWidth = 2;
      g.beginPath();
      var started = false;
      s.forEach(function (p) {
        if (p.t < t0) return;
        var px = L + ((p.t - t0) / WINDOW_MS) * pw;
        var py = T + ph - (p.v / top) * ph;
        if (started) g.lineTo(px, py); else { g.moveTo(px, py); started = true; }
      });
      g.stroke();
    });
  }
  function drawCharts() {
    var inC = css('--in'), outC = css('--out');
    draw($('chart-msgs'), [series('in_msgs'), series('out_msgs')], [inC, outC], function (v) { return rate(v); });
    draw($('chart-bytes'), [series('in_bytes'), series('out_bytes')], [inC, outC], function (v) { return bytes(v) + '/s'; });
    var im = series('in_msgs'), om = series('out_msgs');
    setText('stat-in-rate', im.length ? rate(im[im.length - 1].v) : '-', im.length ? im[im.length - 1].v : undefined);
    setText('stat-out-rate', om.length ? rate(om[om.length - 1].v) : '-', om.length ? om[om.length - 1].v : undefined);
  }

  // ---- tables ----
  function renderServer(sz) {
    setText('m-cluster', sz.cluster_id);
    setText('m-server', sz.server_id);
    setText('m-version', sz.version);
    setText('m-state', sz.state);
    setText('m-uptime', sz.uptime);
    setText('stat-clients', num(sz.clients), sz.clients);
    setText('stat-channels', num(sz.channels), sz.channels);
    setText('stat-subscriptions', num(sz.subscriptions), sz.subscriptions);
    setText('stat-total-msgs', num(sz.total_msgs), sz.total_msgs);
    setText('stat-total-bytes', bytes(sz.total_bytes), sz.total_bytes);
    addSample({ t: Date.parse(sz.now), in_msgs: sz.in_msgs, out_msgs: sz.out_msgs, in_bytes: sz.in_bytes, out_bytes: sz.out_bytes });
  }
  function renderChannels(cz) {
    var chans = cz.channels || [];
    var now = Date.parse(cz.now);
    $('channels-note').textContent = cz.total > chans.length ? '(first ' + chans.length + ' of ' + cz.total + ')' : '';
    var subs = [];
    fill('channels', chans, function (c) {
      var tr = document.createElement('tr');
      tr.dataset.channel = c.name;
      cell(tr, 'name', c.name);
      cell(tr, 'msgs', num(c.msgs), c.msgs, 'num');
      cell(tr, 'bytes', bytes(c.bytes), c.bytes, 'num');
      cell(tr, 'first_seq', num(c.first_seq), c.first_seq, 'num');
      cell(tr, 'last_seq', num(c.last_seq), c.last_seq, 'num');
      cell(tr, 'subs_count', num(c.subs_count), c.subs_count, 'num');
      var prev = lastSeqs[c.name];
      var r = prev && now > prev.t ? Math.max(0, (c.last_seq - prev.seq) / ((now - prev.t) / 1000)) : undefined;
      if (!prev || now > prev.t) lastSeqs[c.name] = { t: now, seq: c.last_seq, r: r };
      else r = prev.r;
      cell(tr, 'rate', rate(r), r, 'num');
      (c.subscriptions || []).forEach(function (s) { subs.push({ ch: c.name, s: s }); });
      return tr;
    }, 'no channels');
    fill('subscriptions', subs, function (x) {
      var s = x.s;
      var tr = document.createElement('tr');
      tr.dataset.channel = x.ch;
      tr.dataset.client = s.client_id;
      tr.dataset.inbox = s.inbox;
      if (s.is_offline) tr.className = 'offline'; else if (s.is_stalled) tr.className = 'stalled';
      cell(tr, 'channel', x.ch);
      cell(tr, 'client_id', s.client_id);
      cell(tr, 'name', [s.durable_name, s.queue_name].filter(Boolean).join(' / ') || '-');
      cell(tr, 'inbox', s.inbox, undefined, 'mono');
      cell(tr, 'pending_count', num(s.pending_count), s.pending_count, 'num');
      cell(tr, 'max_inflight', num(s.max_inflight), s.max_inflight, 'num');
      cell(tr, 'last_sent', num(s.last_sent), s.last_sent, 'num');
      cell(tr, 'ack_wait', s.ack_wait + 's', s.ack_wait, 'num');
      var st = cell(tr, 'state', '');
      var pill = document.createElement('span');
      pill.className = 'pill' + (s.is_stalled ? ' warn' : '');
      pill.textContent = s.is_offline ? 'offline' : s.is_stalled ? 'stalled' : 'active';
      st.appendChild(pill);
      return tr;
    }, 'no subscriptions');
  }
  function renderClients(cz) {
    fill('clients', cz.clients || [], function (c) {
      var tr = document.createElement('tr');
      tr.dataset.client = c.id;
      cell(tr, 'id', c.id);
      cell(tr, 'hb_inbox', c.hb_inbox, undefined, 'mono');
      cell(tr, 'subs_count', num(c.subs_count), c.subs_count, 'num');
      return tr;
    }, 'no clients');
  }
  function renderConnections(cz) {
    setText('stat-connections', num(cz.total), cz.total);
    fill('connections', cz.connections || [], function (c) {
      var tr = document.createElement('tr');
      tr.dataset.cid = String(c.cid);
      cell(tr, 'cid', String(c.cid), c.cid, 'num');
      cell(tr, 'name', c.name || '-');
      cell(tr, 'address', c.ip + ':' + c.port, undefined, 'mono');
      cell(tr, 'lang', (c.lang || '-') + (c.version ? ' ' + c.version : ''));
      cell(tr, 'in_msgs', num(c.in_msgs), c.in_msgs, 'num');
      cell(tr, 'out_msgs', num(c.out_msgs), c.out_msgs, 'num');
      cell(tr, 'pending_bytes', num(c.pending_bytes), c.pending_bytes, 'num');
      cell(tr, 'subscriptions', num(c.subscriptions), c.subscriptions, 'num');
      cell(tr, 'uptime', c.uptime);
      return tr;
    }, 'no connections');
  }

  function poll() {
    var seed = seeded ? Promise.resolve({ ok: false }) : settle(getJson('/dashboard/rates.json'));
    Promise.all([
      seed,
      settle(getJson('/streaming/serverz')),
      settle(getJson('/streaming/channelsz?subs=1')),
      settle(getJson('/streaming/clientsz')),
      settle(getJson('/connz?limit=' + CONN_ROWS)),
      settle(getJson('/varz')),
    ]).then(function (r) {
      if (r[0].ok) {
        seeded = true;
        (r[0].v.samples || []).forEach(addSample);
      }
      var status = $('status');
      if (r[1].ok) {
        renderServer(r[1].v);
        status.className = 'live';
        status.textContent = 'live, updated ' + new Date().toLocaleTimeString();
      } else {
        status.className = 'stale';
        status.textContent = 'not updating: ' + r[1].e.message;
      }
      if (r[2].ok) renderChannels(r[2].v);
      if (r[3].ok) renderClients(r[3].v);
      if (r[4].ok) renderConnections(r[4].v);
      if (r[5].ok) setText('m-core', r[5].v.core || '-');
      drawCharts();
      document.body.dataset.updates = String(++updates);
    }).catch(function (e) {
      $('status').className = 'stale';
      $('status').textContent = 'error: ' + e.message;
    }).then(function () { setTimeout(poll, INTERVAL); });
  }
  window.addEventListener('resize', drawCharts);
  poll();
})();
`;
