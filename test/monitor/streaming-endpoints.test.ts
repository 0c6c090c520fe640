// The streaming monitoring endpoints against a server in a known state
// (fixture.ts), field by field and in the Go structs' key order
// (STAN-REFERENCE §6.1-§6.5): /streaming/serverz, storez, clientsz,
// channelsz (names, subs=1, one channel), isFTActive, /streaming; plus
// pagination, filters, 404s and 400s.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GO_TIME, GO_UPTIME, knownState, type Known } from './fixture.js';

const SERVERZ_KEYS = [
  'cluster_id', 'server_id', 'version', 'go', 'state', 'now', 'start_time', 'uptime', 'clients', 'subscriptions',
  'channels', 'total_msgs', 'total_bytes', 'in_msgs', 'in_bytes', 'out_msgs', 'out_bytes', 'open_fds', 'max_fds',
];
const LIST_KEYS = ['cluster_id', 'server_id', 'now', 'offset', 'limit', 'count', 'total'];
const SUB_KEYS = [
  'client_id', 'inbox', 'ack_inbox', 'durable_name', 'queue_name', 'is_durable', 'is_offline', 'max_inflight',
  'ack_wait', 'last_sent', 'pending_count', 'is_stalled',
];
const NUID = /^[0-9A-Za-z]{22}$/;

let k: Known;
const test = suite('monitor/streaming endpoints');

test.before(async () => {
  k = await knownState();
});
test.after(async () => {
  await k.dispose();
});

/** Stored bytes of a channel, from the store itself. */
function storedBytes(name: string): number {
  return k.f.stan.channels.get(name)!.msgs.state().bytes;
}

/** A Subscriptionz: the expected fields, keys in Go's order (omitempty ones dropped). */
function sub(o: {
  client: string;
  inbox: string;
  ackInbox: string;
  durable?: string;
  queue?: string;
  isDurable: boolean;
  offline: boolean;
  maxInflight: number;
  ackWait: number;
  lastSent: number;
  pending: number;
  stalled: boolean;
}): Record<string, unknown> {
  const out: Record<string, unknown> = { client_id: o.client, inbox: o.inbox, ack_inbox: o.ackInbox };
  if (o.durable) out.durable_name = o.durable;
  if (o.queue) out.queue_name = o.queue;
  Object.assign(out, {
    is_durable: o.isDurable,
    is_offline: o.offline,
    max_inflight: o.maxInflight,
    ack_wait: o.ackWait,
    last_sent: o.lastSent,
    pending_count: o.pending,
    is_stalled: o.stalled,
  });
  return out;
}

/** The server's inboxes of the channel's subscriptions, in listing order, by state. */
function inboxes(channel: string): { inbox: string; ackInbox: string; durable: string; queue: string; client: string }[] {
  const c = k.f.stan.channels.get(channel)!;
  const all = [...c.subs];
  return all.map((s) => ({ inbox: s.state.inbox, ackInbox: s.state.ackInbox, durable: s.state.durableName, queue: s.state.qGroup, client: s.state.clientId }));
}

function find(channel: string, pred: (x: ReturnType<typeof inboxes>[number]) => boolean) {
  const x = inboxes(channel).find(pred);
  assert.ok(x, `subscription on ${channel}`);
  return x!;
}

/** Every subscription the fixture made, as Go lists them per channel. */
function expectedSubs(): Record<string, Record<string, unknown>[]> {
  const { fooPlain, fooDur, bazAlice, bazBob } = k.subs;
  const bd = find('bar', (x) => x.durable === 'bd');
  const shadow = find('baz', (x) => x.queue === 'dq:grp');
  return {
    foo: [
      sub({ client: 'alice', inbox: fooPlain.sub.inbox, ackInbox: fooPlain.sub.ackInbox, isDurable: false, offline: false, maxInflight: 16384, ackWait: 30, lastSent: 3, pending: 0, stalled: false }),
      sub({ client: 'alice', inbox: fooDur.sub.inbox, ackInbox: fooDur.sub.ackInbox, durable: 'dur', isDurable: true, offline: false, maxInflight: 2, ackWait: 60, lastSent: 2, pending: 2, stalled: true }),
    ],
    bar: [sub({ client: 'bob', inbox: bd.inbox, ackInbox: bd.ackInbox, durable: 'bd', isDurable: true, offline: true, maxInflight: 16384, ackWait: 30, lastSent: 2, pending: 0, stalled: false })],
    baz: [
      sub({ client: 'alice', inbox: bazAlice.sub.inbox, ackInbox: bazAlice.sub.ackInbox, queue: 'workers', isDurable: false, offline: false, maxInflight: 16384, ackWait: 30, lastSent: 4, pending: 0, stalled: false }),
      sub({ client: 'bob', inbox: bazBob.sub.inbox, ackInbox: bazBob.sub.ackInbox, queue: 'workers', isDurable: false, offline: false, maxInflight: 16384, ackWait: 30, lastSent: 4, pending: 0, stalled: false }),
      // The shadow of a durable queue group keeps the client ID it last had.
      sub({ client: 'bob', inbox: shadow.inbox, ackInbox: shadow.ackInbox, queue: 'dq:grp', isDurable: true, offline: true, maxInflight: 16384, ackWait: 30, lastSent: 4, pending: 0, stalled: false }),
    ],
  };
}

function checkHeaders(r: { headers: Record<string, unknown> }): void {
  assert.is(r.headers['content-type'], 'application/json');
  assert.is(r.headers['access-control-allow-origin'], '*');
}

test('/streaming/serverz: identity, state and totals', async () => {
  const r = await k.get('/streaming/serverz');
  assert.is(r.status, 200);
  checkHeaders(r);
  const j = r.json;
  assert.equal(Object.keys(j), SERVERZ_KEYS);
  assert.is(j.cluster_id, 'test-cluster');
  assert.match(j.server_id, NUID);
  assert.is(j.version, '0.25.6');
  assert.is(j.go, `node${process.version}`);
  assert.is(j.state, 'STANDALONE');
  assert.match(j.now, GO_TIME);
  assert.match(j.start_time, GO_TIME);
  assert.is(Date.parse(j.start_time), k.f.stan.started.getTime());
  assert.match(j.uptime, GO_UPTIME);
  assert.is(j.clients, 2);
  // 2 on foo, 1 offline durable on bar, 2 queue members and a shadow on baz.
  assert.is(j.subscriptions, 6);
  assert.is(j.channels, 3);
  assert.is(j.total_msgs, 9);
  assert.is(j.total_bytes, storedBytes('foo') + storedBytes('bar') + storedBytes('baz'));
  assert.is(j.in_msgs, 9);
  let inBytes = 0;
  for (const c of k.f.stan.channels.values()) inBytes += c.inBytes;
  assert.is(j.in_bytes, inBytes);
  assert.ok(j.in_bytes > 9 * 2, 'PubMsg sizes, more than the payloads');
  // foo 3 + 2, bar 2, baz 4 to the workers and 4 to the durable queue.
  assert.is(j.out_msgs, 15);
  assert.is(j.out_bytes, k.f.stan.delivery.outBytes);
  assert.ok(j.open_fds > 0 && j.max_fds >= j.open_fds);
  // Same server id on every endpoint.
  assert.is((await k.get('/streaming/storez')).json.server_id, j.server_id);
});

test('/streaming/storez: type, limits with per-channel inheritance, totals', async () => {
  const r = await k.get('/streaming/storez');
  assert.is(r.status, 200);
  checkHeaders(r);
  const j = r.json;
  assert.equal(Object.keys(j), ['cluster_id', 'server_id', 'now', 'type', 'limits', 'total_msgs', 'total_bytes']);
  assert.is(j.type, 'MEMORY');
  assert.match(j.now, GO_TIME);
  assert.equal(j.limits, {
    max_channels: 100,
    max_msgs: 1_000_000,
    max_bytes: 1_024_000_000,
    max_age: 0,
    max_subscriptions: 1000,
    max_inactivity: 0,
    channels: {
      'baz.*': { max_msgs: 1_000_000, max_bytes: 5000, max_age: 60_000_000_000, max_subscriptions: 1000, max_inactivity: 0 },
      foo: { max_msgs: 100, max_bytes: 1_024_000_000, max_age: 0, max_subscriptions: 1000, max_inactivity: 0 },
    },
  });
  assert.equal(Object.keys(j.limits), ['max_channels', 'max_msgs', 'max_bytes', 'max_age', 'max_subscriptions', 'max_inactivity', 'channels']);
  assert.is(j.total_msgs, 9);
  assert.is(j.total_bytes, storedBytes('foo') + storedBytes('bar') + storedBytes('baz'));
});

test('/streaming/clientsz: sorted by ID, subs_count, subs=1 by channel', async () => {
  const r = await k.get('/streaming/clientsz');
  assert.is(r.status, 200);
  checkHeaders(r);
  const j = r.json;
  assert.equal(Object.keys(j), [...LIST_KEYS, 'clients']);
  assert.equal([j.offset, j.limit, j.count, j.total], [0, 1024, 2, 2]);
  const hb = (id: string) => k.f.stan.clients.get(id)!.info.hbInbox;
  assert.equal(j.clients, [
    { id: 'alice', hb_inbox: hb('alice'), subs_count: 3 },
    { id: 'bob', hb_inbox: hb('bob'), subs_count: 1 },
  ]);

  const s = (await k.get('/streaming/clientsz?subs=1')).json;
  const e = expectedSubs();
  assert.equal(s.clients, [
    { id: 'alice', hb_inbox: hb('alice'), subs_count: 3, subscriptions: { foo: e.foo, baz: [e.baz![0]] } },
    { id: 'bob', hb_inbox: hb('bob'), subs_count: 1, subscriptions: { baz: [e.baz![1]] } },
  ]);
  for (const list of Object.values(s.clients[0].subscriptions) as Record<string, unknown>[][]) {
    for (const x of list) assert.equal(Object.keys(x), SUB_KEYS.filter((key) => key in x));
  }
});

test('/streaming/clientsz: client=<id>, pagination, unknown client', async () => {
  const one = await k.get('/streaming/clientsz?client=bob&subs=1');
  assert.is(one.status, 200);
  assert.equal(one.json, { id: 'bob', hb_inbox: k.f.stan.clients.get('bob')!.info.hbInbox, subs_count: 1, subscriptions: { baz: [expectedSubs().baz![1]] } });
  assert.equal(Object.keys((await k.get('/streaming/clientsz?client=alice')).json), ['id', 'hb_inbox', 'subs_count']);

  const p = (await k.get('/streaming/clientsz?offset=1&limit=1')).json;
  assert.equal([p.offset, p.limit, p.count, p.total, p.clients.map((c: any) => c.id)], [1, 1, 1, 2, ['bob']]);
  const past = (await k.get('/streaming/clientsz?offset=5')).json;
  assert.equal([past.count, past.total, past.clients], [0, 2, []]);
  // Go's clamping: a negative offset is 0, a limit <= 0 the default.
  const clamped = (await k.get('/streaming/clientsz?offset=-3&limit=0')).json;
  assert.equal([clamped.offset, clamped.limit, clamped.count], [0, 1024, 2]);

  const missing = await k.get('/streaming/clientsz?client=carol');
  assert.is(missing.status, 404);
  assert.is(missing.body, 'Client carol not found\n');
});

test('/streaming/channelsz: sorted names, then subs=1 with every subscription in Go order', async () => {
  const r = await k.get('/streaming/channelsz');
  assert.is(r.status, 200);
  checkHeaders(r);
  assert.equal(Object.keys(r.json), [...LIST_KEYS, 'names']);
  assert.equal([r.json.offset, r.json.limit, r.json.count, r.json.total], [0, 1024, 3, 3]);
  assert.equal(r.json.names, ['bar', 'baz', 'foo']);

  const s = (await k.get('/streaming/channelsz?subs=1')).json;
  assert.equal(Object.keys(s), [...LIST_KEYS, 'channels']);
  const e = expectedSubs();
  const chan = (name: string, msgs: number, subs: Record<string, unknown>[]) => ({
    name,
    msgs,
    bytes: storedBytes(name),
    first_seq: 1,
    last_seq: msgs,
    subs_count: subs.length,
    subscriptions: subs,
  });
  assert.equal(s.channels, [chan('bar', 2, e.bar!), chan('baz', 4, e.baz!), chan('foo', 3, e.foo!)]);
  for (const c of s.channels) {
    assert.equal(Object.keys(c), ['name', 'msgs', 'bytes', 'first_seq', 'last_seq', 'subs_count', 'subscriptions']);
  }
});

test('/streaming/channelsz: channel=<name>, pagination, unknown channel', async () => {
  const one = (await k.get('/streaming/channelsz?channel=foo')).json;
  assert.equal(one, { name: 'foo', msgs: 3, bytes: storedBytes('foo'), first_seq: 1, last_seq: 3, subs_count: 2 });
  const withSubs = (await k.get('/streaming/channelsz?channel=bar&subs=1')).json;
  assert.equal(withSubs.subscriptions, expectedSubs().bar);

  const p = (await k.get('/streaming/channelsz?offset=1&limit=1')).json;
  assert.equal([p.count, p.total, p.names], [1, 3, ['baz']]);
  const ps = (await k.get('/streaming/channelsz?subs=1&offset=2&limit=5')).json;
  assert.equal([ps.count, ps.channels.map((c: any) => c.name)], [1, ['foo']]);
  // An empty page has neither names nor channels (omitempty).
  const past = (await k.get('/streaming/channelsz?offset=9')).json;
  assert.equal(Object.keys(past), LIST_KEYS);

  const missing = await k.get('/streaming/channelsz?channel=nope');
  assert.is(missing.status, 404);
  assert.is(missing.body, 'Channel nope not found\n');
});

test('bad query values are a 400 naming the parameter', async () => {
  const cases: [string, RegExp][] = [
    ['/streaming/channelsz?limit=ten', /query parameter "limit": expected an integer/],
    ['/streaming/channelsz?offset=1.5', /query parameter "offset": expected an integer/],
    ['/streaming/channelsz?subs=yes', /query parameter "subs": expected a boolean/],
    ['/streaming/clientsz?subs=2', /query parameter "subs": expected a boolean/],
    ['/streaming/clientsz?limit=9999999999999999999', /query parameter "limit": expected an integer/],
    ['/streaming/serverz?callback=alert(1)', /query parameter "callback"/],
  ];
  for (const [path, re] of cases) {
    const r = await k.get(path);
    assert.is(r.status, 400, path);
    assert.is(r.headers['content-type'], 'text/plain; charset=utf-8', path);
    assert.match(r.body, re, path);
  }
  // Parameters Go does not know are ignored, as Go does.
  assert.is((await k.get('/streaming/channelsz?foo=bar')).status, 200);
});

test('JSONP with ?callback=', async () => {
  const r = await k.get('/streaming/channelsz?callback=cb');
  assert.is(r.headers['content-type'], 'application/javascript');
  assert.ok(r.body.startsWith('cb({\n  "cluster_id": "test-cluster",'));
  assert.ok(r.body.endsWith('})'));
});

test('/streaming/isFTActive is 204 (not in an FT group); /streaming is an HTML index', async () => {
  const ft = await k.get('/streaming/isFTActive');
  assert.is(ft.status, 204);
  assert.is(ft.body, '');
  const idx = await k.get('/streaming');
  assert.is(idx.status, 200);
  assert.match(String(idx.headers['content-type']), /^text\/html/);
  for (const p of ['serverz', 'storez', 'clientsz', 'channelsz']) assert.match(idx.body, `href="/streaming/${p}"`);
});

test('JSON is indented by two spaces with Go escapes', async () => {
  const r = await k.get('/subsz?subs=1');
  assert.ok(r.body.startsWith('{\n  "server_id": '));
  // `>` in _STAN.pub.<cluster>.> is escaped as Go's encoder does.
  assert.match(r.body, /_STAN\.pub\.test-cluster\.\\u003e/);
  assert.not.match(r.body, />/);
});

test.run();
