// The core NATS monitoring endpoints (STAN-REFERENCE §6.6) against a
// server in a known state: /varz, /connz (sort, limit, offset, subs,
// subs=detail, auth, state, cid), /subsz (trie counters, subs, test),
// /routez, /healthz; nats-server's field names and key order.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from 'nats';
import { core } from '../../src/core/index.js';
import { GO_TIME, GO_UPTIME, knownState, type Known } from './fixture.js';
import { until } from '../helpers/stan.js';

const VARZ_KEYS = [
  'server_id', 'server_name', 'version', 'proto', 'go', 'host', 'port', 'max_connections', 'ping_interval', 'ping_max',
  'http_host', 'http_port', 'http_base_path', 'https_port', 'auth_timeout', 'max_control_line', 'max_payload',
  'max_pending', 'cluster', 'gateway', 'leaf', 'mqtt', 'websocket', 'jetstream', 'tls_timeout', 'write_deadline',
  'start', 'now', 'uptime', 'mem', 'cores', 'gomaxprocs', 'cpu', 'connections', 'total_connections', 'routes',
  'remotes', 'leafnodes', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'slow_consumers', 'subscriptions',
  'http_req_stats', 'config_load_time', 'core',
];
const CONN_KEYS = [
  'cid', 'kind', 'type', 'ip', 'port', 'start', 'last_activity', 'stop', 'reason', 'rtt', 'uptime', 'idle',
  'pending_bytes', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'subscriptions', 'name', 'lang', 'version',
  'tls_version', 'tls_cipher_suite', 'authorized_user', 'subscriptions_list', 'subscriptions_list_detail',
];
const SUBSZ_KEYS = [
  'server_id', 'now', 'num_subscriptions', 'num_cache', 'num_inserts', 'num_removes', 'num_matches', 'cache_hit_rate',
  'max_fanout', 'avg_fanout', 'total', 'offset', 'limit',
];

let k: Known;
let probe: NatsConnection;
let gone: number;
const test = suite('monitor/core endpoints');

/** Keys in Go's order: those of `all` that `o` has. */
function ordered(o: object, all: string[]): void {
  assert.equal(Object.keys(o), all.filter((key) => key in o));
}

test.before(async () => {
  k = await knownState();
  // A named connection with two subscriptions that has sent and received,
  // and one that came and went.
  probe = await connect({ servers: k.f.url, name: 'probe' });
  probe.subscribe('probe.a', { callback: () => {} });
  probe.subscribe('probe.>', { queue: 'q', max: 100, callback: () => {} });
  probe.publish('probe.a', new TextEncoder().encode('hello'));
  await probe.flush();
  const brief = await connect({ servers: k.f.url, name: 'brief' });
  brief.publish('probe.a', new TextEncoder().encode('bye'));
  await brief.flush();
  gone = [...k.f.nats!.clients.values()].find((c) => c.name === 'brief')!.cid;
  await brief.close();
  await until(() => k.f.nats!.closed.some((c) => c.cid === gone), 'the closed connection');
});
test.after(async () => {
  await probe.close();
  await k.dispose();
});

test('/varz: nats-server fields in order, our options and counters, the core in use', async () => {
  const r = await k.get('/varz');
  assert.is(r.status, 200);
  assert.is(r.headers['content-type'], 'application/json');
  const j = r.json;
  ordered(j, VARZ_KEYS);
  assert.equal(Object.keys(j), VARZ_KEYS);
  const s = k.f.nats!;
  assert.is(j.server_id, s.id);
  assert.is(j.server_name, s.id);
  assert.is(j.version, '2.9.24');
  assert.is(j.proto, 1);
  assert.is(j.host, '127.0.0.1');
  assert.is(j.port, s.port);
  assert.is(j.max_connections, 65536);
  assert.is(j.ping_interval, 120_000_000_000);
  assert.is(j.ping_max, 2);
  assert.equal([j.http_host, j.http_port, j.http_base_path, j.https_port], ['127.0.0.1', 8222, '', 0]);
  assert.is(j.auth_timeout, 2);
  assert.equal([j.max_control_line, j.max_payload, j.max_pending], [4096, 1048576, 67108864]);
  for (const key of ['cluster', 'gateway', 'leaf', 'mqtt', 'websocket', 'jetstream']) assert.equal(j[key], {});
  assert.equal([j.tls_timeout, j.write_deadline], [2, 10_000_000_000]);
  assert.match(j.start, GO_TIME);
  assert.match(j.now, GO_TIME);
  assert.ok(j.now.endsWith('Z'), 'now is UTC as in nats-server');
  assert.match(j.uptime, GO_UPTIME);
  assert.ok(j.mem > 10_000_000);
  assert.ok(j.cores >= 1 && j.gomaxprocs === j.cores);
  assert.type(j.cpu, 'number');
  // alice, bob and the probe are open; "brief" closed.
  assert.is(j.connections, 3);
  assert.is(j.total_connections, 4);
  assert.equal([j.routes, j.remotes, j.leafnodes, j.slow_consumers], [0, 0, 0, 0]);
  let inMsgs = s.closedInMsgs;
  for (const c of s.clients.values()) inMsgs += c.inMsgs;
  assert.is(j.in_msgs, inMsgs);
  assert.ok(j.in_msgs >= 2 + 9, 'probe, brief and the 9 publishes');
  assert.ok(j.out_msgs > 0 && j.in_bytes > 0 && j.out_bytes > 0);
  assert.is(j.subscriptions, s.router.size);
  assert.is(j.http_req_stats['/varz'], 1);
  assert.equal(Object.keys(j.http_req_stats), ['/', '/varz', '/connz', '/routez', '/subsz', '/healthz']);
  assert.match(j.config_load_time, GO_TIME);
  assert.is(j.core, core().kind);
  assert.is((await k.get('/varz')).json.http_req_stats['/varz'], 2);
});

test('/connz: open connections by cid, nats-server fields', async () => {
  const r = await k.get('/connz');
  assert.is(r.status, 200);
  const j = r.json;
  assert.equal(Object.keys(j), ['server_id', 'now', 'num_connections', 'total', 'offset', 'limit', 'connections']);
  assert.equal([j.server_id, j.num_connections, j.total, j.offset, j.limit], [k.f.nats!.id, 3, 3, 0, 1024]);
  const cids = j.connections.map((c: any) => c.cid);
  assert.equal(cids, [...cids].sort((a: number, b: number) => a - b));
  const p = j.connections.find((c: any) => c.name === 'probe');
  ordered(p, CONN_KEYS);
  const c = k.f.nats!.clients.get(p.cid)!;
  assert.equal(
    { ...p, start: undefined, last_activity: undefined, uptime: undefined, idle: undefined },
    {
      cid: c.cid,
      kind: 'Client',
      type: 'nats',
      ip: '127.0.0.1',
      port: c.port,
      start: undefined,
      last_activity: undefined,
      rtt: '0s',
      uptime: undefined,
      idle: undefined,
      pending_bytes: 0,
      // Its own "hello" and brief's "bye", each to both of its subscriptions.
      in_msgs: 1,
      out_msgs: 4,
      in_bytes: 5,
      out_bytes: 16,
      subscriptions: 2,
      name: 'probe',
      lang: 'nats.js',
      version: c.version,
    },
  );
  assert.match(p.start, GO_TIME);
  assert.match(p.last_activity, GO_TIME);
  assert.match(p.uptime, GO_UPTIME);
  assert.match(p.idle, GO_UPTIME);
  assert.ok(!('subscriptions_list' in p), 'no list without subs=1');
});

test('/connz: subs=1, subs=detail, auth, cid', async () => {
  const cid = [...k.f.nats!.clients.values()].find((c) => c.name === 'probe')!.cid;
  const one = (await k.get(`/connz?cid=${cid}&subs=1`)).json;
  assert.equal([one.num_connections, one.total, one.limit], [1, 3, 1]);
  assert.equal(one.connections[0].subscriptions_list.sort(), ['probe.>', 'probe.a']);
  const detail = (await k.get(`/connz?cid=${cid}&subs=detail`)).json.connections[0];
  assert.equal(
    detail.subscriptions_list_detail.sort((a: any, b: any) => a.sid.localeCompare(b.sid)),
    [
      { subject: 'probe.a', sid: '1', msgs: 2, cid },
      { subject: 'probe.>', qgroup: 'q', sid: '2', msgs: 2, max: 100, cid },
    ],
  );
  assert.ok(!('subscriptions_list' in detail));
  assert.equal((await k.get('/connz?cid=999999')).json.connections, []);
});

test('/connz: sort orders, limit and offset', async () => {
  const byMsgsFrom = (await k.get('/connz?sort=msgs_from')).json.connections.map((c: any) => c.in_msgs);
  assert.equal(byMsgsFrom, [...byMsgsFrom].sort((a: number, b: number) => b - a));
  const bySubs = (await k.get('/connz?sort=subs')).json.connections.map((c: any) => c.subscriptions);
  assert.equal(bySubs, [...bySubs].sort((a: number, b: number) => b - a));
  for (const sort of ['cid', 'start', 'pending', 'msgs_to', 'bytes_to', 'bytes_from', 'last', 'idle', 'uptime', 'rtt']) {
    const r = await k.get(`/connz?sort=${sort}`);
    assert.is(r.status, 200, sort);
    assert.is(r.json.num_connections, 3, sort);
  }
  const all = (await k.get('/connz')).json.connections.map((c: any) => c.cid);
  const page = (await k.get('/connz?offset=1&limit=1')).json;
  assert.equal([page.num_connections, page.total, page.offset, page.limit], [1, 3, 1, 1]);
  assert.equal(page.connections.map((c: any) => c.cid), [all[1]]);
  assert.equal((await k.get('/connz?offset=10')).json.connections, []);
});

test('/connz: state=closed and all; stop and reason only for closed', async () => {
  const closed = (await k.get('/connz?state=closed')).json;
  const b = closed.connections.find((c: any) => c.cid === gone);
  ordered(b, CONN_KEYS);
  assert.is(b.name, 'brief');
  assert.is(b.reason, 'Client Closed');
  assert.match(b.stop, GO_TIME);
  assert.is(b.in_msgs, 1);
  assert.equal((await k.get(`/connz?state=closed&cid=${gone}`)).json.connections.map((c: any) => c.cid), [gone]);
  assert.equal((await k.get(`/connz?state=open&cid=${gone}`)).json.connections, []);
  const all = (await k.get('/connz?state=all')).json;
  assert.is(all.total, 3 + k.f.nats!.closed.length);
  assert.is((await k.get('/connz?state=ANY')).json.total, all.total);
  assert.is((await k.get('/connz?state=closed&sort=reason')).status, 200);
  assert.is((await k.get('/connz?state=closed&sort=stop')).status, 200);
  const bad = await k.get('/connz?sort=stop');
  assert.is(bad.status, 400);
  assert.is(bad.body, 'sort by stop only valid on closed connections\n');
});

test('/connz: bad values are a 400', async () => {
  for (const [q, re] of [
    ['sort=fastest', /"sort": expected one of cid, start, subs/],
    ['state=half', /"state": expected one of open, closed, all, any/],
    ['cid=-1', /"cid": expected a non-negative integer/],
    ['subs=maybe', /"subs": expected a boolean/],
    ['auth=2', /"auth": expected a boolean/],
    ['limit=1e3', /"limit": expected an integer/],
  ] as const) {
    const r = await k.get(`/connz?${q}`);
    assert.is(r.status, 400, q);
    assert.match(r.body, re, q);
  }
});

test('/subsz: the trie counters, then subs=1 with pagination and test=', async () => {
  const r = await k.get('/subsz');
  assert.is(r.status, 200);
  const j = r.json;
  assert.equal(Object.keys(j), SUBSZ_KEYS);
  const stats = k.f.nats!.router.sublist.stats();
  assert.is(j.num_subscriptions, k.f.nats!.router.size);
  assert.is(j.num_subscriptions, stats.num_subscriptions);
  for (const key of ['num_inserts', 'num_removes', 'max_fanout'] as const) assert.is(j[key], stats[key], key);
  assert.type(j.cache_hit_rate, 'number');
  assert.type(j.avg_fanout, 'number');
  assert.equal([j.total, j.offset, j.limit], [0, 0, 1024]);

  const s = (await k.get('/subsz?subs=1')).json;
  assert.is(s.total, k.f.nats!.router.size);
  const probe = s.subscriptions_list.find((x: any) => x.subject === 'probe.>');
  assert.equal(Object.keys(probe), ['account', 'subject', 'qgroup', 'sid', 'msgs', 'max', 'cid']);
  assert.equal([probe.account, probe.qgroup, probe.max], ['$G', 'q', 100]);
  // The streaming layer's own (in-process) subscriptions are listed too.
  assert.ok(s.subscriptions_list.some((x: any) => x.subject === '_STAN.discover.test-cluster'));

  const page = (await k.get('/subscriptionsz?subs=1&offset=2&limit=3')).json;
  assert.equal([page.offset, page.limit, page.subscriptions_list.length], [2, 3, 3]);
  assert.equal(page.subscriptions_list, s.subscriptions_list.slice(2, 5));

  const t = (await k.get('/subsz?subs=1&test=probe.a')).json;
  assert.equal(t.subscriptions_list.map((x: any) => x.subject).sort(), ['probe.>', 'probe.a']);
  const bad = await k.get('/subsz?test=probe.*');
  assert.is(bad.status, 400);
  assert.is(bad.body, 'invalid test subject, must be valid publish subject: probe.*\n');
});

test('/routez and /healthz', async () => {
  const r = (await k.get('/routez')).json;
  assert.equal(Object.keys(r), ['server_id', 'server_name', 'now', 'num_routes', 'routes']);
  assert.equal([r.server_id, r.num_routes, r.routes], [k.f.nats!.id, 0, []]);
  const h = await k.get('/healthz');
  assert.is(h.status, 200);
  assert.equal(h.json, { status: 'ok' });
});

test('unknown paths are a 404 as in Go', async () => {
  const r = await k.get('/nothing-here');
  assert.is(r.status, 404);
  assert.is(r.body, '404 page not found\n');
});

test.run();
