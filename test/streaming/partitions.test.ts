// Channel partitioning (src/streaming/partitions.ts; STAN-REFERENCE §8.5,
// Go's server/partitions.go): the channel-list encoding and the overlap
// rule; a partitioned server over the fakes (only its channels' publishes,
// requests for other channels left to their owner, a publish or
// subscription that races its client's connect waits for it, on the fake
// clock); and end to end, partitioned servers of ours as processes with
// their configuration files on one Debian nats-server (-ns), reached by
// node-nats-streaming clients, and an overlapping one refused at start;
// with GO_STAN_SERVER, a Go server and ours side by side, each refusing
// an overlap with the other.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pb from '../../src/pb/protocol.js';
import { CtrlMsg, CtrlMsgType } from '../../src/pb/spb.js';
import { decodeChannels, encodeChannels, ERR_NO_CHANNEL, Partitions } from '../../src/streaming/partitions.js';
import { routesAt } from '../helpers/cluster.js';
import { haveNatsServer, startGoNats } from '../helpers/go-nats.js';
import { freePort } from '../helpers/ports.js';
import { ServerChild } from '../helpers/server-child.js';
import { closeClient, publish, stanConnect } from '../helpers/stan.js';
import { subscribe } from '../helpers/stan-sub.js';
import { stopProcess } from '../helpers/wait.js';
import { tempDir } from '../stores/file-helpers.js';
import { FakeTransport, Harness, settle } from './fakes.js';

const silent = { error() {} };

const rules = suite('streaming/partitions: list and overlap');

rules('a channel list is [uint16 little-endian length][name] each, and decodes back', () => {
  const data = encodeChannels(['foo', 'bar.*', 'é']);
  assert.is(data.toString('hex'), `0300${Buffer.from('foo').toString('hex')}0500${Buffer.from('bar.*').toString('hex')}0200c3a9`);
  assert.equal(decodeChannels(data), ['foo', 'bar.*', 'é']);
  assert.equal(decodeChannels(new Uint8Array(0)), []);
  assert.throws(() => decodeChannels(Buffer.from([3])), /unable to decode size/);
  assert.throws(() => decodeChannels(Buffer.from([3, 0, 0x66])), /unable to decode channel/);
});

// Bytes the Go server's own code produced (util.SendChannelsList and
// spb.CtrlMsg.Marshal of nats-streaming-server fb10ab2, built in a
// throwaway Go program on this machine; not in the repository).
const GO_REQUEST = '0804120553525649441a1809006f72646572732e6575070061756469742e2a0200c3a9';
const GO_REPLY = '080412054f544845521a0761756469742e78';
const GO_REPLY_EMPTY = '080412054f54484552';

rules('the request and replies are byte for byte the Go server’s', () => {
  const req = CtrlMsg.encode({ MsgType: CtrlMsgType.Partitioning, ServerID: 'SRVID', Data: encodeChannels(['orders.eu', 'audit.*', 'é']) });
  assert.is(req.toString('hex'), GO_REQUEST);
  assert.is(CtrlMsg.encode({ MsgType: CtrlMsgType.Partitioning, ServerID: 'OTHER', Data: Buffer.from('audit.x') }).toString('hex'), GO_REPLY);
  assert.is(CtrlMsg.encode({ MsgType: CtrlMsgType.Partitioning, ServerID: 'OTHER' }).toString('hex'), GO_REPLY_EMPTY);
  assert.equal(decodeChannels(CtrlMsg.decode(Buffer.from(GO_REQUEST, 'hex')).Data), ['orders.eu', 'audit.*', 'é']);
});

rules('ownership and conflicts follow subject matching, both ways', () => {
  const p = new Partitions(new FakeTransport(), 'c', ['orders.*', 'audit.>', 'logs'], silent);
  assert.ok(p.owns('orders.eu'));
  assert.ok(p.owns('audit.a.b'));
  assert.ok(p.owns('logs'));
  assert.not.ok(p.owns('orders.eu.x'));
  assert.not.ok(p.owns('other'));
  assert.is(p.conflictWith(['orders.us']), 'orders.us', 'theirs matched by our wildcard');
  assert.is(p.conflictWith(['logs']), 'logs');
  assert.is(p.conflictWith(['*']), 'logs', 'ours matched by their wildcard');
  assert.is(p.conflictWith(['audit.>']), 'audit.>', 'the same pattern');
  assert.is(p.conflictWith(['orders', 'audit', 'logs.x']), undefined);
});

rules('no channel listed: Go’s error', () => {
  assert.throws(() => new Partitions(new FakeTransport(), 'c', [], silent), (e: Error) => e.message === ERR_NO_CHANNEL);
  assert.is(ERR_NO_CHANNEL, 'stan: no configured channel');
});

rules.run();

const server = suite('streaming/partitions: a partitioned server');

async function partitioned(channels: string[]): Promise<Harness> {
  const perChannel = new Map(channels.map((c) => [c, {}]));
  const opts = { partitioning: true, partitionsReplyWaitMs: 5, storeLimits: { ...new Harness().server.opts.storeLimits, perChannel } };
  return new Harness(undefined, opts).start();
}

server('it listens for the publishes of its channels only, and answers other servers’ lists', async () => {
  const h = await partitioned(['foo', 'bar.*']);
  try {
    assert.ok(h.transport.listening(`${h.info.publish}.foo`));
    assert.not.ok(h.transport.listening(`${h.info.publish}.other`), 'no publish subscription on >');
    // Its own list went out at start.
    const sent = CtrlMsg.decode(h.on('_STAN.part.test-cluster')[0]!);
    assert.is(sent.MsgType, CtrlMsgType.Partitioning);
    assert.equal(decodeChannels(sent.Data).sort(), ['bar.*', 'foo']);
    const ask = (channels: string[]) => {
      const reply = `_INBOX.part.${channels.join('-')}`;
      h.transport.inject('_STAN.part.test-cluster', CtrlMsg.encode({ MsgType: CtrlMsgType.Partitioning, ServerID: 'other', Data: encodeChannels(channels) }), reply);
      return CtrlMsg.decode(h.on(reply)[0]!);
    };
    const ok = ask(['baz', 'bar']);
    assert.is(ok.Data.length, 0, 'no channel in common');
    assert.is(ok.ServerID, h.server.partitions!.serverId);
    assert.is(ok.MsgType, CtrlMsgType.Partitioning);
    assert.is(Buffer.from(ask(['baz', 'bar.x']).Data).toString(), 'bar.x');
    // Its own request, seen again, is not answered.
    h.transport.inject('_STAN.part.test-cluster', h.on('_STAN.part.test-cluster')[0]!, '_INBOX.self');
    assert.is(h.on('_INBOX.self').length, 0);
  } finally {
    await h.stop();
  }
});

server('subscriptions and unsubscriptions of other channels get no answer from it', async () => {
  const h = await partitioned(['foo']);
  try {
    await h.connect('a');
    const reply = '_INBOX.sub.other.reply';
    const req = { clientID: 'a', subject: 'other', inbox: '_INBOX.sub.other', maxInFlight: 10, ackWaitInSecs: 30, startPosition: pb.StartPosition.First };
    h.transport.inject(h.info.subscribe, pb.SubscriptionRequest.encode(req), reply);
    await h.unsubscribe('a', 'other', '_INBOX.ack.x');
    await h.advance(5000);
    assert.is(h.on(reply).length, 0);
    assert.is(h.on('_INBOX.unsub._INBOX.ack.x').length, 0);
    const { inbox } = await h.subscribe('a', 'foo');
    h.publish('a', 'foo', 'm1');
    await settle();
    assert.equal(h.seqs(inbox), [1]);
  } finally {
    await h.stop();
  }
});

server('a publish or subscription before its client’s connect waits for it (up to 1 s on the clock)', async () => {
  const h = await partitioned(['foo']);
  try {
    const early = h.publish('a', 'foo', 'early');
    const subReply = '_INBOX.sub.early.reply';
    const req = { clientID: 'a', subject: 'foo', inbox: '_INBOX.sub.early', maxInFlight: 10, ackWaitInSecs: 30, startPosition: pb.StartPosition.First };
    h.transport.inject(h.info.subscribe, pb.SubscriptionRequest.encode(req), subReply);
    const second = h.publish('a', 'foo', 'second');
    await settle();
    assert.is(h.pubAck(early), undefined, 'waiting for the connect');
    await h.connect('a');
    await settle();
    assert.is(h.pubAck(early), '');
    assert.is(h.pubAck(second), '');
    assert.is(pb.SubscriptionResponse.decode(h.on(subReply)[0]!).error, '');
    assert.equal(h.delivered('_INBOX.sub.early').map((d) => d.data), ['early', 'second'], 'in publish order');
    // Never connected: refused after the wait, with Go's errors.
    const never = h.publish('nobody', 'foo', 'x');
    const neverSub = '_INBOX.sub.never.reply';
    h.transport.inject(h.info.subscribe, pb.SubscriptionRequest.encode({ ...req, clientID: 'nobody', inbox: '_INBOX.sub.never' }), neverSub);
    await h.advance(999);
    assert.is(h.pubAck(never), undefined);
    await h.advance(1);
    assert.is(h.pubAck(never), 'stan: invalid publish request');
    assert.is(pb.SubscriptionResponse.decode(h.on(neverSub)[0]!).error, 'stan: invalid subscription request');
  } finally {
    await h.stop();
  }
});

server.run();

// ---------- end to end: servers of ours on Debian's nats-server ----------

const e2e = suite('streaming/partitions: servers on one NATS network');

/** A partitioned server process on `natsUrl` owning `channels`; resolves once ready. */
async function startPartitioned(nats: string | string[], channels: string[]): Promise<{ server: ServerChild; http: number }> {
  const conf = join(tempDir(), 'stan.conf');
  writeFileSync(conf, `partitioning: true\nstore_limits {\n  channels {\n${channels.map((c) => `    "${c}": {}\n`).join('')}  }\n}\n`);
  const server = new ServerChild([...(typeof nats === 'string' ? ['-ns', nats] : nats), '-sc', conf, '-m', '-1']);
  const http = Number((await server.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
  await server.waitFor(/Streaming Server is ready/);
  return { server, http };
}

async function channelsOf(http: number): Promise<string[]> {
  const r = await fetch(`http://127.0.0.1:${http}/streaming/channelsz`);
  return (((await r.json()) as { names?: string[] }).names ?? []).sort();
}

if (!haveNatsServer()) {
  console.log('SKIP streaming/partitions end to end: nats-server is not installed (apt-get install nats-server)');
} else {
  e2e('two servers share the channels: clients reach both, each stores its own; an overlapping third is refused', async () => {
    const nats = await startGoNats();
    const url = `nats://127.0.0.1:${nats.port}`;
    const started: ServerChild[] = [];
    try {
      const a = await startPartitioned(url, ['orders.eu', 'audit.*']);
      started.push(a.server);
      const b = await startPartitioned(url, ['orders.us', 'logs.>']);
      started.push(b.server);
      const sc = await stanConnect(url, 'part-client', { ackTimeout: 2000 });
      const channels = ['orders.eu', 'audit.x', 'orders.us', 'logs.a.b'];
      const subs = await Promise.all(channels.map((c) => subscribe(sc, c, { start: 'first' })));
      for (const c of channels) assert.is(typeof (await publish(sc, c, `to ${c}`)), 'string', `PubAck for ${c}`);
      for (let i = 0; i < channels.length; i++) {
        await subs[i]!.waitCount(1);
        assert.equal(subs[i]!.got.map((m) => m.data), [`to ${channels[i]}`]);
      }
      assert.equal(await channelsOf(a.http), ['audit.x', 'orders.eu']);
      assert.equal(await channelsOf(b.http), ['logs.a.b', 'orders.us']);
      // A channel nobody owns: no server answers, the client's ack times out.
      await publish(sc, 'nobody', 'x').then(
        () => assert.unreachable('nobody stores it'),
        (err: Error) => assert.match(String(err), /timeout/i),
      );
      await closeClient(sc);

      const conf = join(tempDir(), 'overlap.conf');
      writeFileSync(conf, 'partitioning: true\nstore_limits { channels { "audit.eu": {}, "fresh": {} } }\n');
      const c = new ServerChild(['-ns', url, '-sc', conf]);
      const exit = await c.exit();
      assert.is(exit.code, 1, c.stderr);
      assert.match(c.stderr, /channel "audit\.eu" causes conflict with channels on server "[A-Za-z0-9]+"/);
    } finally {
      for (const s of started) await s.stop('SIGTERM');
      await stopProcess(nats.proc);
    }
  });

  e2e('two servers on their embedded NATS servers joined by a route: clients of either node reach both', async () => {
    const [pa, pb, ra, rb] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const node = (p: number, r: number, other: number) => [
      '-a', '127.0.0.1', '-p', String(p), '--cluster', `nats://127.0.0.1:${r}`, '--routes', `nats://127.0.0.1:${other}`, '--cluster_name', 'part',
    ];
    const started: ServerChild[] = [];
    const clients: unknown[] = [];
    try {
      const a = await startPartitioned(node(pa, ra, rb), ['orders.eu', 'audit.*']);
      started.push(a.server);
      const b = await startPartitioned(node(pb, rb, ra), ['orders.us', 'logs.>']);
      started.push(b.server);
      for (const http of [a.http, b.http]) await routesAt(http);
      const channels = ['orders.eu', 'audit.x', 'orders.us', 'logs.a.b'];
      for (const [k, port] of [pa, pb].entries()) {
        const sc = await stanConnect(`nats://127.0.0.1:${port}`, `part-route-${k}`, { ackTimeout: 2000 });
        clients.push(sc);
        const subs = await Promise.all(channels.map((c) => subscribe(sc, c, { start: 'first' })));
        for (const c of channels) assert.is(typeof (await publish(sc, c, `${k} to ${c}`)), 'string', `PubAck for ${c} from node ${k}`);
        for (let i = 0; i < channels.length; i++) await subs[i]!.waitCount(k + 1);
      }
      assert.equal(await channelsOf(a.http), ['audit.x', 'orders.eu']);
      assert.equal(await channelsOf(b.http), ['logs.a.b', 'orders.us']);
    } finally {
      for (const sc of clients) await closeClient(sc);
      for (const s of started) await s.stop('SIGTERM');
    }
  });

  e2e('partitioning with no channel listed does not start', async () => {
    const conf = join(tempDir(), 'none.conf');
    writeFileSync(conf, 'partitioning: true\n');
    const c = new ServerChild(['-sc', conf, '-a', '127.0.0.1', '-p', '-1']);
    const exit = await c.exit();
    assert.is(exit.code, 1, c.stderr);
    assert.match(c.stderr, /stan: no configured channel/, c.stderr);
  });
}

// ---------- with the Go server, when there is one ----------

const GO = process.env.GO_STAN_SERVER;

/** The Go server, partitioned on `natsUrl` with `channels`; resolves with it once ready, or with its output once it exits. */
function startGoPartitioned(natsUrl: string, channels: string[]): Promise<{ proc: ChildProcess | undefined; out: string }> {
  const conf = join(tempDir(), 'go.conf');
  writeFileSync(conf, `partitioning: true\nstore_limits {\n  channels {\n${channels.map((c) => `    "${c}": {}\n`).join('')}  }\n}\n`);
  const proc = spawn(GO!, ['-ns', natsUrl, '-sc', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve) => {
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Streaming Server is ready')) resolve({ proc, out });
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', () => resolve({ proc: undefined, out }));
  });
}

const go = suite('streaming/partitions: with the Go server');

if (GO === undefined || GO === '' || !haveNatsServer()) {
  go('skipped: GO_STAN_SERVER names no Go nats-streaming-server (or nats-server is missing)', () => {
    console.log('streaming/partitions with the Go server: skipped (set GO_STAN_SERVER to a Go nats-streaming-server binary)');
  });
} else {
  go('a Go server and ours partition the channels; each refuses an overlap with the other', async () => {
    const nats = await startGoNats();
    const url = `nats://127.0.0.1:${nats.port}`;
    const procs: ChildProcess[] = [];
    const ours: ServerChild[] = [];
    try {
      const g = await startGoPartitioned(url, ['go.*']);
      assert.ok(g.proc, g.out);
      procs.push(g.proc!);
      const a = await startPartitioned(url, ['ts.*']);
      ours.push(a.server);
      const sc = await stanConnect(url, 'mixed-client', { ackTimeout: 2000 });
      const subs = await Promise.all(['go.a', 'ts.a'].map((c) => subscribe(sc, c, { start: 'first' })));
      for (const c of ['go.a', 'ts.a']) assert.is(typeof (await publish(sc, c, `to ${c}`)), 'string', `PubAck for ${c}`);
      await subs[0]!.waitCount(1);
      await subs[1]!.waitCount(1);
      assert.equal([subs[0]!.got[0]!.data, subs[1]!.got[0]!.data], ['to go.a', 'to ts.a']);
      assert.equal(await channelsOf(a.http), ['ts.a']);
      await closeClient(sc);
      // Ours overlapping the Go server's: refused with the Go server's reply.
      const conf = join(tempDir(), 'overlap.conf');
      writeFileSync(conf, 'partitioning: true\nstore_limits { channels { "go.b": {} } }\n');
      const c = new ServerChild(['-ns', url, '-sc', conf]);
      assert.is((await c.exit()).code, 1, c.stderr);
      assert.match(c.stderr, /channel "go\.b" causes conflict with channels on server "[A-Za-z0-9]+"/);
      // The Go server overlapping ours: refused with our reply.
      const late = await startGoPartitioned(url, ['ts.b']);
      if (late.proc !== undefined) procs.push(late.proc);
      assert.is(late.proc, undefined, 'the Go server did not start');
      assert.match(late.out, /channel "ts\.b" causes conflict with channels on server "[A-Za-z0-9]+"/);
    } finally {
      for (const s of ours) await s.stop('SIGTERM');
      for (const p of procs) await stopProcess(p);
      await stopProcess(nats.proc);
    }
  });
}

e2e.run();
go.run();
