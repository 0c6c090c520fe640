// The live dashboard at `/` (issue 7): one self-contained HTML page, no
// build step and no external resources. It polls the JSON endpoints (the
// interval is `?interval=<ms>` on the page URL, default 1000) and draws
// clients, channels, subscriptions with pending counts, connections, and
// message and byte rates over the last five minutes on canvas charts,
// seeded from /dashboard/rates.json. Elements carry data attributes
// (`data-channel`, `data-k`, `#stat-*`, `body[data-updates]`) so tests can
// read the numbers back.

import { DASHBOARD_SCRIPT } from './script.js';
import { DASHBOARD_CSS } from './style.js';

const BODY = `
<header>
  <h1>NATS Streaming</h1>
  <span class="meta">cluster <b id="m-cluster">-</b></span>
  <span class="meta">server <b id="m-server">-</b></span>
  <span class="meta">version <b id="m-version">-</b></span>
  <span class="meta">state <b id="m-state">-</b></span>
  <span class="meta">core <b id="m-core">-</b></span>
  <span class="meta">uptime <b id="m-uptime">-</b></span>
  <span id="status" class="stale">connecting</span>
</header>
<main>
  <div class="cards">
    <div class="card"><div class="k">Clients</div><div class="v" id="stat-clients">-</div></div>
    <div class="card"><div class="k">Channels</div><div class="v" id="stat-channels">-</div></div>
    <div class="card"><div class="k">Subscriptions</div><div class="v" id="stat-subscriptions">-</div></div>
    <div class="card"><div class="k">Stored msgs</div><div class="v" id="stat-total-msgs">-</div></div>
    <div class="card"><div class="k">Stored bytes</div><div class="v" id="stat-total-bytes">-</div></div>
    <div class="card"><div class="k">In msgs/s</div><div class="v" id="stat-in-rate">-</div></div>
    <div class="card"><div class="k">Out msgs/s</div><div class="v" id="stat-out-rate">-</div></div>
    <div class="card"><div class="k">Connections</div><div class="v" id="stat-connections">-</div></div>
  </div>
  <div class="charts">
    <section>
      <h2>Messages per second <small>last 5 minutes</small></h2>
      <canvas id="chart-msgs"></canvas>
      <div class="legend"><i style="background:var(--in)"></i>published<i style="background:var(--out)"></i>delivered</div>
    </section>
    <section>
      <h2>Bytes per second <small>last 5 minutes</small></h2>
      <canvas id="chart-bytes"></canvas>
      <div class="legend"><i style="background:var(--in)"></i>in<i style="background:var(--out)"></i>out</div>
    </section>
  </div>
  <section>
    <h2>Channels <small id="channels-note"></small></h2>
    <table id="channels"><thead><tr>
      <th>name</th><th class="num">msgs</th><th class="num">bytes</th><th class="num">first seq</th>
      <th class="num">last seq</th><th class="num">subs</th><th class="num">msgs/s</th>
    </tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Subscriptions</h2>
    <table id="subscriptions"><thead><tr>
      <th>channel</th><th>client</th><th>durable / queue</th><th>inbox</th><th class="num">pending</th>
      <th class="num">max inflight</th><th class="num">last sent</th><th class="num">ack wait</th><th>state</th>
    </tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Clients</h2>
    <table id="clients"><thead><tr><th>client id</th><th>heartbeat inbox</th><th class="num">subs</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Connections <small>core NATS</small></h2>
    <table id="connections"><thead><tr>
      <th class="num">cid</th><th>name</th><th>address</th><th>lang</th><th class="num">in msgs</th>
      <th class="num">out msgs</th><th class="num">pending bytes</th><th class="num">subs</th><th>uptime</th>
    </tr></thead><tbody></tbody></table>
  </section>
</main>
<footer>
  <a href="/varz">/varz</a><a href="/connz">/connz</a><a href="/subsz">/subsz</a><a href="/streaming/serverz">/streaming/serverz</a>
  <a href="/streaming/storez">/streaming/storez</a><a href="/streaming/clientsz?subs=1">/streaming/clientsz</a>
  <a href="/streaming/channelsz?subs=1">/streaming/channelsz</a><a href="/metrics">/metrics</a>
</footer>
`;

export function dashboardPage(): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    // No favicon request to the server.
    '<link rel="icon" href="data:,">\n' +
    `<title>NATS Streaming dashboard</title>\n<style>${DASHBOARD_CSS}</style>\n</head>\n<body data-updates="0">\n` +
    `${BODY}\n<script>\n${DASHBOARD_SCRIPT}\n</script>\n</body>\n</html>\n`
  );
}
