// Connect, close and liveness of streaming clients (STAN-REFERENCE §2.1-2.3,
// §2.8 connection close, §2.10, §4 items 1-3, 16, 18, §11 item 11), with
// real clients over real sockets: node-nats-streaming for client behaviour,
// the `nats` v2 client plus our pb codecs for raw requests whose exact
// replies are checked. Every suite runs on the embedded NATS server and
// again with -ns against Debian's nats-server.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInbox, type NatsConnection } from 'nats';
import * as pb from '../../src/pb/protocol.js';
import { haveNatsServer, publish, sleep, stanConnect, startStan, until, type StanFixture } from '../helpers/stan.js';
import {
  CLOSE,
  DISCOVER,
  GARBAGE,
  HbInbox,
  PINGS,
  closeRaw,
  connectRaw,
  errText,
  pingRaw,
  publishRaw,
  rawNats,
  requestRaw,
  startStanOnPort,
} from '../helpers/stan-raw.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sc = any;

const ERR_INVALID_CONN = 'stan: invalid connection request';
const ERR_INVALID_ID = 'stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed';
const ERR_REGISTERED = 'stan: clientID already registered';
const ERR_INVALID_PUB = 'stan: invalid publish request';
const ERR_UNKNOWN_CLIENT = 'stan: unknown clientID';
const ERR_INVALID_CLOSE = 'stan: invalid close request';
const ERR_REPLACED = 'client has been replaced or is no longer registered';

/** The full success ConnectResponse for a protocol-1 request (§2.2 step 5). */
function okResponse(pingInterval: number, pingMaxOut: number, cluster = 'test-cluster', dp = '_STAN.discover'): pb.ConnectResponse {
  return {
    ...pb.ConnectResponse.defaults(),
    pubPrefix: `_STAN.pub.${cluster}`,
    subRequests: `_STAN.sub.${cluster}`,
    unsubRequests: `_STAN.unsub.${cluster}`,
    closeRequests: `_STAN.close.${cluster}`,
    subCloseRequests: `_STAN.subclose.${cluster}`,
    pingRequests: `${dp}.${cluster}.pings`,
    pingInterval,
    pingMaxOut,
    protocol: 1,
  };
}

function errResponse(error: string): pb.ConnectResponse {
  return { ...pb.ConnectResponse.defaults(), error };
}

let seq = 0;
function connId(tag = 'conn'): Uint8Array {
  return Buffer.from(`${tag}-${process.pid}-${++seq}`);
}

/** A node-nats-streaming connect attempt that must fail: the error text. */
async function connectFails(url: string, id: string, opts: Record<string, unknown> = {}, cluster?: string): Promise<unknown> {
  try {
    const sc = await stanConnect(url, id, opts, cluster);
    sc.close();
  } catch (e) {
    return e;
  }
  throw new Error(`connect of ${id} unexpectedly succeeded`);
}

/** Subscribes and resolves on 'ready' (rejects on the subscription's error). */
function subscribeReady(sc: Sc, subject: string, qGroup?: string, durable?: string): Promise<Sc> {
  return new Promise((resolve, reject) => {
    const opts = sc.subscriptionOptions();
    if (durable !== undefined) opts.setDurableName(durable);
    const sub = qGroup === undefined ? sc.subscribe(subject, opts) : sc.subscribe(subject, qGroup, opts);
    sub.once('ready', () => resolve(sub));
    sub.once('error', (e: unknown) => reject(new Error(errText(e))));
  });
}

/** node-nats-streaming's close: resolves with the error its 'close' event carries. */
function stanClose(sc: Sc): Promise<unknown> {
  return new Promise((resolve) => {
    sc.once('close', (err: unknown) => resolve(err));
    sc.close();
  });
}

/**
 * Cuts a node-nats-streaming client's NATS connection, as if its process
 * died: no STAN close is sent. (nats v1's close() drops its listeners, so
 * the client's PING timer is stopped here, else it throws on the closed
 * connection.)
 */
function killNats(sc: Sc): void {
  sc.cleanupOnClose();
  sc.nc.close();
}

function sameBytes(a: Uint8Array, b: Uint8Array, msg?: string): void {
  assert.equal(Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex'), msg);
}

interface Variant {
  name: string;
  external: boolean;
}

/** Shared per-suite plumbing: a fixture, a raw connection, node clients to clean up. */
function setup(test: ReturnType<typeof suite>, v: Variant, stanOpts: Record<string, unknown> = {}) {
  const ctx = {
    fx: undefined as unknown as StanFixture,
    nc: undefined as unknown as NatsConnection,
    clients: [] as Sc[],
    /** Connects a node-nats-streaming client that the suite cleans up. */
    async node(id: string, opts: Record<string, unknown> = {}): Promise<Sc> {
      const sc = await stanConnect(ctx.fx.url, id, { connectTimeout: 1500, ...opts });
      ctx.clients.push(sc);
      return sc;
    },
  };
  test.before(async () => {
    ctx.fx = await startStan({ external: v.external, stan: stanOpts });
    ctx.nc = await rawNats(ctx.fx.url);
  });
  test.after(async () => {
    for (const sc of ctx.clients) if (sc.nc && !sc.nc.closed) killNats(sc);
    await ctx.nc.close();
    await ctx.fx.stop();
  });
  return ctx;
}

// ---------------------------------------------------------------------------

function connectSuite(v: Variant): void {
  const test = suite(`streaming/connect [${v.name}] connect, close, clientID`);
  const ctx = setup(test, v);

  test('protocol 1: ConnectResponse has the subjects and echoes pingRequests/pingInterval/pingMaxOut', async () => {
    const res = await connectRaw(ctx.nc, {
      clientID: 'proto1', heartbeatInbox: createInbox(), protocol: 1, connID: connId(), pingInterval: 7, pingMaxOut: 9,
    });
    assert.equal(res, okResponse(7, 9));
    const c = ctx.fx.stan.clients.get('proto1');
    assert.ok(c, 'registered');
    assert.is(c.info.protocol, 1);
    assert.is(c.info.pingInterval, 7);
    assert.is(c.info.pingMaxOut, 9);
    sameBytes(await closeRaw(ctx.nc, 'proto1'), new Uint8Array(0));
  });

  test('protocol 0: no pingRequests/pingInterval/pingMaxOut, protocol 1 advertised', async () => {
    const res = await connectRaw(ctx.nc, { clientID: 'proto0', heartbeatInbox: createInbox(), pingInterval: 7, pingMaxOut: 9 });
    assert.equal(res, { ...okResponse(0, 0), pingRequests: '' });
    sameBytes(await closeRaw(ctx.nc, 'proto0'), new Uint8Array(0));
  });

  test('node-nats-streaming: connect registers the client with its settings, close unregisters it', async () => {
    const before = ctx.fx.stan.clients.size;
    const sc = await stanConnect(ctx.fx.url, 'node-conn', { stanPingInterval: 2000, stanMaxPingOut: 4 });
    assert.is(sc.pubPrefix, '_STAN.pub.test-cluster');
    assert.is(sc.subRequests, '_STAN.sub.test-cluster');
    assert.is(sc.unsubRequests, '_STAN.unsub.test-cluster');
    assert.is(sc.subCloseRequests, '_STAN.subclose.test-cluster');
    assert.is(sc.closeRequests, '_STAN.close.test-cluster');
    assert.is(sc.pingRequests, '_STAN.discover.test-cluster.pings');
    assert.is(sc.stanPingInterval, 2000, 'pingInterval echoed (seconds) and used');
    assert.is(sc.stanMaxPingOut, 4, 'pingMaxOut echoed and used');
    const c = ctx.fx.stan.clients.get('node-conn');
    assert.ok(c, 'registered');
    assert.is(ctx.fx.stan.clients.size, before + 1);
    assert.is(c.info.protocol, 1);
    assert.is(c.info.pingInterval, 2);
    assert.is(c.info.pingMaxOut, 4);
    assert.ok(c.info.hbInbox.startsWith('_INBOX.'), c.info.hbInbox);
    sameBytes(c.info.connId, sc.connId, 'connID stored');
    await publish(sc, 'conn.foo', 'x');
    const err = await stanClose(sc);
    assert.is(err, null, 'close without error');
    assert.is(ctx.fx.stan.clients.get('node-conn'), undefined);
    assert.is(ctx.fx.stan.clients.size, before);
  });

  test('CloseResponse success is zero bytes; closing twice → unknown clientID', async () => {
    const res = await connectRaw(ctx.nc, { clientID: 'close-twice', heartbeatInbox: createInbox(), protocol: 1, connID: connId() });
    assert.is(res.error, '');
    const first = await closeRaw(ctx.nc, 'close-twice');
    assert.is(first.length, 0, 'empty CloseResponse');
    assert.is(ctx.fx.stan.clients.get('close-twice'), undefined);
    const second = await closeRaw(ctx.nc, 'close-twice');
    assert.equal(pb.CloseResponse.decode(second), { error: ERR_UNKNOWN_CLIENT });
    sameBytes(second, pb.CloseResponse.encode({ error: ERR_UNKNOWN_CLIENT }));
  });

  test('close of an unknown client → stan: unknown clientID', async () => {
    const r = await closeRaw(ctx.nc, 'never-connected');
    assert.equal(pb.CloseResponse.decode(r), { error: ERR_UNKNOWN_CLIENT });
    // An empty CloseRequest decodes (clientID ""), which is not registered.
    const empty = await requestRaw(ctx.nc, CLOSE, new Uint8Array(0));
    assert.equal(pb.CloseResponse.decode(empty), { error: ERR_UNKNOWN_CLIENT });
  });

  test('garbage close request → stan: invalid close request', async () => {
    const r = await requestRaw(ctx.nc, CLOSE, GARBAGE);
    assert.equal(pb.CloseResponse.decode(r), { error: ERR_INVALID_CLOSE });
    sameBytes(r, pb.CloseResponse.encode({ error: ERR_INVALID_CLOSE }));
  });

  test('a different cluster ID: node-nats-streaming connect request timeout; raw request gets no responders', async () => {
    const t0 = Date.now();
    const e = await connectFails(ctx.fx.url, 'wrong-cluster', { connectTimeout: 500 }, 'other-cluster');
    const ms = Date.now() - t0;
    assert.is(errText(e), 'stan: connect request timeout');
    assert.is((e as { code?: string }).code, 'stan: connect request timeout');
    assert.ok(ms >= 450, `waited its connectTimeout (${ms} ms)`);
    assert.is(ctx.fx.stan.clients.get('wrong-cluster'), undefined);
    const req = pb.ConnectRequest.encode({ clientID: 'wrong-cluster', heartbeatInbox: createInbox(), protocol: 1 });
    try {
      await requestRaw(ctx.nc, '_STAN.discover.other-cluster', req, 1000);
      assert.unreachable('someone answered on another cluster ID');
    } catch (err) {
      assert.is((err as { code?: string }).code, '503', 'no responders');
    }
  });

  for (const id of ['a.b', 'a b', 'a:b', 'a*', 'a>', 'é', '']) {
    test(`clientID ${JSON.stringify(id)} → invalid clientID`, async () => {
      const before = ctx.fx.stan.clients.size;
      const res = await connectRaw(ctx.nc, { clientID: id, heartbeatInbox: createInbox(), protocol: 1, connID: connId() });
      assert.equal(res, errResponse(ERR_INVALID_ID));
      assert.is(ctx.fx.stan.clients.size, before);
    });
  }

  test('node-nats-streaming with clientID a.b gets the invalid clientID error', async () => {
    const e = await connectFails(ctx.fx.url, 'a.b');
    assert.is(errText(e), ERR_INVALID_ID);
  });

  test('clientID of all allowed characters is accepted', async () => {
    const id = 'aZ09-_xY';
    const res = await connectRaw(ctx.nc, { clientID: id, heartbeatInbox: createInbox(), protocol: 1, connID: connId() });
    assert.equal(res, okResponse(0, 0));
    assert.is((await closeRaw(ctx.nc, id)).length, 0);
  });

  test('empty heartbeatInbox → invalid connection request (checked before the clientID)', async () => {
    const before = ctx.fx.stan.clients.size;
    assert.equal(await connectRaw(ctx.nc, { clientID: 'no-hb', protocol: 1, connID: connId() }), errResponse(ERR_INVALID_CONN));
    assert.equal(await connectRaw(ctx.nc, { clientID: 'bad.id', protocol: 1 }), errResponse(ERR_INVALID_CONN));
    assert.is(ctx.fx.stan.clients.size, before);
  });

  test('garbage and empty ConnectRequests → invalid connection request', async () => {
    const before = ctx.fx.stan.clients.size;
    for (const bytes of [GARBAGE, Uint8Array.from([0xff, 0xff, 0xff]), new Uint8Array(0)]) {
      const r = await requestRaw(ctx.nc, DISCOVER, bytes);
      assert.equal(pb.ConnectResponse.decode(r), errResponse(ERR_INVALID_CONN), Buffer.from(bytes).toString('hex'));
      sameBytes(r, pb.ConnectResponse.encode({ error: ERR_INVALID_CONN }));
    }
    assert.is(ctx.fx.stan.clients.size, before);
  });

  test('custom cluster ID and discover prefix are used in the subjects', async () => {
    const fx = await startStan({ external: v.external, stan: { clusterId: 'my-cluster', discoverPrefix: 'disc' } });
    const nc = await rawNats(fx.url);
    try {
      const res = await connectRaw(nc, { clientID: 'c1', heartbeatInbox: createInbox(), protocol: 1, pingInterval: 3, pingMaxOut: 5 }, 'disc.my-cluster');
      assert.equal(res, okResponse(3, 5, 'my-cluster', 'disc'));
      assert.is((await closeRaw(nc, 'c1', '_STAN.close.my-cluster')).length, 0);
      const sc = await stanConnect(fx.url, 'c2', { discoverPrefix: 'disc' }, 'my-cluster');
      await publish(sc, 'foo', 'bar');
      assert.is(await stanClose(sc), null);
    } finally {
      await nc.close();
      await fx.stop();
    }
  });

  test.run();
}

// ---------------------------------------------------------------------------

function duplicateSuite(v: Variant): void {
  const test = suite(`streaming/connect [${v.name}] duplicate clientID`);
  const ctx = setup(test, v);

  test('old client alive (answers heartbeats) → stan: clientID already registered', async () => {
    const sc1 = await ctx.node('dup-alive');
    const before = Buffer.from(ctx.fx.stan.clients.get('dup-alive')!.info.connId);
    const e = await connectFails(ctx.fx.url, 'dup-alive');
    assert.is(errText(e), ERR_REGISTERED);
    const c = ctx.fx.stan.clients.get('dup-alive');
    assert.ok(c, 'still registered');
    sameBytes(c.info.connId, before, 'the old instance kept');
    await publish(sc1, 'dup.alive', 'still works');
    // Also refused on a raw request, with only the error set.
    assert.equal(
      await connectRaw(ctx.nc, { clientID: 'dup-alive', heartbeatInbox: createInbox(), protocol: 1, connID: connId() }),
      errResponse(ERR_REGISTERED),
    );
  });

  test('old client dead (nobody on its heartbeat inbox) → replaced; its publishes and PINGs are fenced', async () => {
    const oldConn = connId('old');
    const res = await connectRaw(ctx.nc, { clientID: 'dup-dead', heartbeatInbox: createInbox(), protocol: 1, connID: oldConn, pingInterval: 5, pingMaxOut: 3 });
    assert.is(res.error, '');
    const ok = await publishRaw(ctx.nc, { clientID: 'dup-dead', connID: oldConn, guid: 'g-before', subject: 'dup.dead' });
    assert.equal(ok, { guid: 'g-before', error: '' }, 'old instance publishes before being replaced');
    const sc2 = await ctx.node('dup-dead');
    const c = ctx.fx.stan.clients.get('dup-dead');
    assert.ok(c);
    sameBytes(c.info.connId, sc2.connId, 'the new instance is registered');
    const ack = await publishRaw(ctx.nc, { clientID: 'dup-dead', connID: oldConn, guid: 'g-old', subject: 'dup.dead' });
    assert.equal(ack, { guid: 'g-old', error: ERR_INVALID_PUB });
    const pong = await pingRaw(ctx.nc, oldConn);
    assert.equal(pb.PingResponse.decode(pong), { error: ERR_REPLACED });
    assert.is((await pingRaw(ctx.nc, sc2.connId)).length, 0, 'the new connID pings fine');
    await publish(sc2, 'dup.dead', 'new instance');
  });

  test('old node client whose NATS connection died → replaced; non-durables removed, durables offline', async () => {
    const sc1 = await ctx.node('dup-node');
    await subscribeReady(sc1, 'dupn.plain');
    await subscribeReady(sc1, 'dupn.dur', undefined, 'dur');
    await subscribeReady(sc1, 'dupn.q', 'grp');
    const ch = (n: string) => ctx.fx.stan.channels.get(n)!;
    assert.is(ch('dupn.plain').subs.size, 1);
    const oldConn = Buffer.from(sc1.connId);
    killNats(sc1);
    const sc2 = await ctx.node('dup-node');
    sameBytes(ctx.fx.stan.clients.get('dup-node')!.info.connId, sc2.connId);
    assert.is(ch('dupn.plain').subs.size, 0, 'plain subscription deleted');
    assert.is(ch('dupn.plain').plain.size, 0);
    assert.is(ch('dupn.q').queues.size, 0, 'non-durable queue group deleted');
    const dur = [...ch('dupn.dur').subs];
    assert.is(dur.length, 1, 'durable kept');
    assert.is(dur[0].state.isClosed, true, 'durable offline');
    assert.is(dur[0].client, undefined);
    assert.is(ch('dupn.dur').plain.size, 0);
    // Offline, so the new instance can resume it (no duplicate durable).
    await subscribeReady(sc2, 'dupn.dur', undefined, 'dur');
    assert.is(ch('dupn.dur').subs.size, 1);
    const ack = await publishRaw(ctx.nc, { clientID: 'dup-node', connID: oldConn, guid: 'g1', subject: 'dupn.plain' });
    assert.equal(ack, { guid: 'g1', error: ERR_INVALID_PUB });
  });

  test('a second connect while the old instance is being probed is refused at once', async () => {
    const hb = new HbInbox(ctx.nc);
    hb.answering = false; // subscribed but silent: the probe runs its full 500 ms
    await ctx.nc.flush();
    const first = connId('first');
    const res = await connectRaw(ctx.nc, { clientID: 'dup-conc', heartbeatInbox: hb.subject, protocol: 1, connID: first });
    assert.is(res.error, '');
    const a = connId('a');
    const b = connId('b');
    const t0 = Date.now();
    let msA = 0;
    let msB = 0;
    const pa = connectRaw(ctx.nc, { clientID: 'dup-conc', heartbeatInbox: createInbox(), protocol: 1, connID: a }).then((r) => ((msA = Date.now() - t0), r));
    const pbr = connectRaw(ctx.nc, { clientID: 'dup-conc', heartbeatInbox: createInbox(), protocol: 1, connID: b }).then((r) => ((msB = Date.now() - t0), r));
    const rb = await pbr;
    assert.equal(rb, errResponse(ERR_REGISTERED));
    assert.ok(msB < 300, `refused at once (${msB} ms)`);
    const ra = await pa;
    assert.is(ra.error, '', 'the first one replaces the silent old instance');
    assert.ok(msA >= 450, `after the 500 ms probe (${msA} ms)`);
    assert.is(hb.received, 1, 'the old instance was probed once');
    sameBytes(ctx.fx.stan.clients.get('dup-conc')!.info.connId, a);
    hb.unsubscribe();
    assert.is((await closeRaw(ctx.nc, 'dup-conc')).length, 0);
  });

  test.run();
}

// ---------------------------------------------------------------------------

function pingSuite(v: Variant): void {
  const test = suite(`streaming/connect [${v.name}] client PINGs`);
  const ctx = setup(test, v);

  test('PING with a registered connID → zero-length reply', async () => {
    const conn = connId();
    assert.is((await connectRaw(ctx.nc, { clientID: 'pinger', heartbeatInbox: createInbox(), protocol: 1, connID: conn, pingInterval: 1, pingMaxOut: 3 })).error, '');
    const r = await pingRaw(ctx.nc, conn);
    assert.is(r.length, 0);
  });

  test('PING with an unknown connID → client has been replaced or is no longer registered', async () => {
    const r = await pingRaw(ctx.nc, Buffer.from('no-such-conn'));
    assert.equal(pb.PingResponse.decode(r), { error: ERR_REPLACED });
    sameBytes(r, pb.PingResponse.encode({ error: ERR_REPLACED }));
  });

  test('PING of a closed client → replaced error', async () => {
    const conn = connId();
    assert.is((await connectRaw(ctx.nc, { clientID: 'ping-closed', heartbeatInbox: createInbox(), protocol: 1, connID: conn })).error, '');
    assert.is((await pingRaw(ctx.nc, conn)).length, 0);
    assert.is((await closeRaw(ctx.nc, 'ping-closed')).length, 0);
    assert.equal(pb.PingResponse.decode(await pingRaw(ctx.nc, conn)), { error: ERR_REPLACED });
  });

  test('empty and unparsable PINGs get no reply', async () => {
    const conn = connId();
    assert.is((await connectRaw(ctx.nc, { clientID: 'ping-quiet', heartbeatInbox: createInbox(), protocol: 1, connID: conn })).error, '');
    const got: string[] = [];
    const inbox = createInbox();
    const sub = ctx.nc.subscribe(`${inbox}.*`, { callback: (_e, m) => got.push(`${m.subject.slice(inbox.length + 1)}:${m.data.length}`) });
    await ctx.nc.flush();
    ctx.nc.publish(PINGS, new Uint8Array(0), { reply: `${inbox}.empty` });
    ctx.nc.publish(PINGS, GARBAGE, { reply: `${inbox}.garbage` });
    // The server handles PINGs in order: once this one is answered, the
    // two before it were handled too.
    ctx.nc.publish(PINGS, pb.Ping.encode({ connID: conn }), { reply: `${inbox}.valid` });
    await until(() => got.includes('valid:0'), 'the valid PING reply');
    await ctx.nc.flush();
    assert.equal(got, ['valid:0']);
    sub.unsubscribe();
  });

  test('node-nats-streaming PINGs keep it connected', async () => {
    const sc = await ctx.node('node-pinger', { stanPingInterval: 1000, stanMaxPingOut: 2 });
    let lost: unknown;
    sc.on('connection_lost', (e: unknown) => (lost = e));
    // Spy on the ping replies: the client's own ping inbox.
    let replies = 0;
    const spy = ctx.nc.subscribe(sc.pingInbox, { callback: (_e, m) => { if (m.data.length === 0) replies++; } });
    await until(() => replies >= 2, 'two PING replies', 5000);
    assert.is(lost, undefined);
    assert.is(sc.pingOut, 0);
    spy.unsubscribe();
  });

  test.run();
}

// ---------------------------------------------------------------------------

const HB = { hbIntervalMs: 100, hbTimeoutMs: 50, hbFailCount: 2 };

function heartbeatSuite(v: Variant): void {
  const test = suite(`streaming/connect [${v.name}] server heartbeats (100 ms / 50 ms / 2)`);
  const ctx = setup(test, v, HB);

  test('a raw client that answers stays registered', async () => {
    const hb = new HbInbox(ctx.nc);
    await ctx.nc.flush();
    assert.is((await connectRaw(ctx.nc, { clientID: 'hb-ok', heartbeatInbox: hb.subject, protocol: 1, connID: connId() })).error, '');
    await until(() => hb.received >= 5, 'five heartbeats');
    const c = ctx.fx.stan.clients.get('hb-ok');
    assert.ok(c, 'still registered');
    assert.is(c.hbFailed, 0);
    assert.is((await closeRaw(ctx.nc, 'hb-ok')).length, 0);
    const n = hb.received;
    await sleep(300); // three intervals: a closed client gets no heartbeat
    assert.is(hb.received, n, 'no heartbeats after close');
    hb.unsubscribe();
  });

  test('a raw client that stops answering is closed after hbFailCount+1 missed heartbeats', async () => {
    const hb = new HbInbox(ctx.nc);
    await ctx.nc.flush();
    assert.is((await connectRaw(ctx.nc, { clientID: 'hb-silent', heartbeatInbox: hb.subject, protocol: 1, connID: connId() })).error, '');
    await until(() => hb.received >= 2, 'two answered heartbeats');
    const registeredAt: boolean[] = [];
    hb.onRequest = () => {
      if (!hb.answering) registeredAt.push(ctx.fx.stan.clients.get('hb-silent') !== undefined);
    };
    hb.answering = false;
    await until(() => ctx.fx.stan.clients.get('hb-silent') === undefined, 'the server to close the client', 3000);
    assert.is(hb.unanswered, HB.hbFailCount + 1, 'closed on the third missed heartbeat');
    assert.equal(registeredAt, [true, true, true], 'registered while the missed heartbeats were out');
    const n = hb.received;
    await sleep(300);
    assert.is(hb.received, n, 'no heartbeats after the close');
    hb.unsubscribe();
  });

  test('hbFailCount missed heartbeats then answering again: stays registered, failures reset', async () => {
    const hb = new HbInbox(ctx.nc);
    await ctx.nc.flush();
    assert.is((await connectRaw(ctx.nc, { clientID: 'hb-flaky', heartbeatInbox: hb.subject, protocol: 1, connID: connId() })).error, '');
    await until(() => hb.received >= 1, 'a heartbeat');
    hb.answering = false;
    hb.onRequest = () => {
      if (hb.unanswered === HB.hbFailCount) hb.answering = true; // miss exactly hbFailCount
    };
    await until(() => hb.answering, 'hbFailCount missed heartbeats');
    const at = hb.received;
    await until(() => hb.received >= at + 4, 'four more heartbeats');
    const c = ctx.fx.stan.clients.get('hb-flaky');
    assert.ok(c, 'still registered');
    assert.is(c.hbFailed, 0, 'failure count reset by a reply');
    assert.is(hb.unanswered, HB.hbFailCount);
    hb.unsubscribe();
    await until(() => ctx.fx.stan.clients.get('hb-flaky') === undefined, 'close after the inbox went away', 3000);
  });

  test('a PING from a client with a failed heartbeat brings the next heartbeat forward', async () => {
    // A slow interval so that "at once" and "a full interval later" differ.
    const fx = await startStan({ external: v.external, stan: { hbIntervalMs: 800, hbTimeoutMs: 50, hbFailCount: 5 } });
    const nc = await rawNats(fx.url);
    try {
      const hb = new HbInbox(nc);
      hb.answering = false;
      await nc.flush();
      const conn = connId();
      assert.is((await connectRaw(nc, { clientID: 'hb-ping', heartbeatInbox: hb.subject, protocol: 1, connID: conn })).error, '');
      const c = fx.stan.clients.get('hb-ping')!;
      await until(() => c.hbFailed === 1, 'one failed heartbeat', 3000);
      hb.answering = true;
      const n = hb.received;
      const t0 = Date.now();
      assert.is((await pingRaw(nc, conn)).length, 0);
      await until(() => hb.received > n, 'the brought-forward heartbeat', 3000);
      const ms = Date.now() - t0;
      assert.ok(ms < 400, `heartbeat right after the PING (${ms} ms, interval 800 ms)`);
      await until(() => c.hbFailed === 0, 'the failure count reset');
      assert.is(fx.stan.clients.get('hb-ping'), c);
      hb.unsubscribe();
    } finally {
      await nc.close();
      await fx.stop();
    }
  });

  test('a node-nats-streaming client answers heartbeats and stays registered', async () => {
    const sc = await ctx.node('hb-node-ok');
    const c = ctx.fx.stan.clients.get('hb-node-ok');
    assert.ok(c);
    let seen = 0;
    const spy = ctx.nc.subscribe(c.info.hbInbox, { callback: () => void seen++ });
    await until(() => seen >= 5, 'five heartbeats to the node client');
    assert.is(ctx.fx.stan.clients.get('hb-node-ok'), c, 'still registered');
    assert.is(c.hbFailed, 0);
    spy.unsubscribe();
    await publish(sc, 'hb.ok', 'x');
  });

  test('a node-nats-streaming client whose NATS connection is gone is closed: subs removed, durables offline', async () => {
    const sc = await ctx.node('hb-node-dead');
    await subscribeReady(sc, 'hbd.plain');
    await subscribeReady(sc, 'hbd.dur', undefined, 'dur');
    await subscribeReady(sc, 'hbd.q', 'grp');
    await subscribeReady(sc, 'hbd.dq', 'dgrp', 'dq');
    const before = ctx.fx.stan.clients.size;
    const ch = (n: string) => ctx.fx.stan.channels.get(n)!;
    const t0 = Date.now();
    killNats(sc);
    await until(() => ctx.fx.stan.clients.get('hb-node-dead') === undefined, 'the server to close the client', 3000);
    const ms = Date.now() - t0;
    assert.ok(ms >= 180, `not before hbFailCount+1 missed heartbeats (${ms} ms)`);
    assert.is(ctx.fx.stan.clients.size, before - 1);
    assert.is(ch('hbd.plain').subs.size, 0, 'plain subscription deleted');
    assert.is(ch('hbd.q').queues.size, 0, 'non-durable queue group deleted');
    const dur = [...ch('hbd.dur').subs];
    assert.is(dur.length, 1);
    assert.is(dur[0].state.isClosed, true, 'durable offline');
    assert.is(dur[0].client, undefined);
    const g = ch('hbd.dq').queues.get('dq:dgrp');
    assert.ok(g, 'durable queue group kept');
    assert.is(g.members.length, 0);
    assert.ok(g.shadow, 'as a shadow');
    // The same client ID reconnects and resumes the durable.
    const sc2 = await ctx.node('hb-node-dead');
    await subscribeReady(sc2, 'hbd.dur', undefined, 'dur');
    assert.is(dur[0].state.isClosed, false);
  });

  test.run();
}

// ---------------------------------------------------------------------------

function restartSuite(v: Variant): void {
  const test = suite(`streaming/connect [${v.name}] memory store restart (§4 item 18)`);

  test('after a fresh server starts on the same port, an old client is unknown: publish and PING fail', async () => {
    let fx = await startStanOnPort({ external: v.external });
    const port = fx.port;
    const sc = await stanConnect(fx.url, 'restarted', {
      reconnectTimeWait: 100, maxReconnectAttempts: -1, stanPingInterval: 1000, stanMaxPingOut: 10, connectTimeout: 1000,
    });
    let lost: unknown;
    sc.on('connection_lost', (e: unknown) => (lost = e));
    let reconnected = false;
    sc.on('reconnect', () => (reconnected = true));
    try {
      await publish(sc, 'restart.foo', 'before');
      await fx.stop();
      fx = await startStanOnPort({ port, external: v.external });
      assert.is(fx.stan.clients.size, 0, 'no client registrations after a memory restart');
      await until(() => reconnected, 'the client to reconnect', 5000);
      let err: unknown;
      try {
        await publish(sc, 'restart.foo', 'after');
      } catch (e) {
        err = e;
      }
      assert.is(errText(err), ERR_INVALID_PUB);
      await until(() => lost !== undefined, 'ConnectionLost from the PING reply', 4000);
      assert.is(errText(lost), ERR_REPLACED);
      // The client ID is free on the new server.
      const sc2 = await stanConnect(fx.url, 'restarted');
      assert.is(fx.stan.clients.size, 1);
      assert.is(await stanClose(sc2), null);
    } finally {
      if (sc.nc && !sc.nc.closed) killNats(sc);
      await fx.stop();
    }
  });

  test.run();
}

// ---------------------------------------------------------------------------

const VARIANTS: Variant[] = [
  { name: 'embedded', external: false },
  { name: '-ns nats-server', external: true },
];

for (const v of VARIANTS) {
  if (v.external && !haveNatsServer()) {
    console.log('NOTE: nats-server is not installed: the -ns variant of streaming/connect is skipped');
    continue;
  }
  connectSuite(v);
  duplicateSuite(v);
  pingSuite(v);
  heartbeatSuite(v);
  restartSuite(v);
}
