// Publishing (STAN-REFERENCE §2.4, §2.9, §2.10, §4 items 4, 8, 12, §11.6,
// §11.12) and store limits as publishes meet them (§2.9, §7.3): PubAcks,
// per-channel sequences and timestamps, channel name validation, the
// case-clash and max_channels errors, malformed PubMsgs, publish order,
// max_msgs / max_bytes / max_age dropping the oldest, subscriptions
// skipping dropped messages, per-channel limits with wildcards and
// inheritance, and a throughput smoke test. Over real sockets with
// node-nats-streaming (and raw pb requests over `nats` v2 where exact
// bytes matter), on the embedded NATS server and with -ns on Debian's
// nats-server.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as pb from '../../src/pb/protocol.js';
import * as spb from '../../src/pb/spb.js';
import { DEFAULT_STORE_LIMITS, type ChannelLimits, type StoreLimits } from '../../src/stores/store.js';
import { closeClient, publish, pubResult, startStan, stanConnect, until, type StanFixture } from '../helpers/stan.js';
import { errText, RawSession } from '../helpers/stan-raw.js';
import { settled } from '../helpers/stan-state.js';
import { exactly, range, subscribe, uniqueId, variants, type Got, type Variant } from '../helpers/stan-sub.js';

const INVALID_PUB = 'stan: invalid publish request';
const caseClash = (name: string, existing: string) =>
  `rejecting channel "${name}" because channel "${existing}" alreay exists (different cases not allowed)`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function publishN(sc: any, channel: string, from: number, to: number, data = (i: number) => `m${i}`): Promise<void> {
  await Promise.all(range(from, to).map((i) => publish(sc, channel, data(i))));
}

function brief(got: Got[]): string {
  return JSON.stringify(got.map((g) => `${g.seq}${g.redelivered ? `r${g.count}` : ''}`));
}

function limits(over: Partial<StoreLimits>, perChannel: [string, Partial<ChannelLimits>][] = []): StoreLimits {
  return { ...DEFAULT_STORE_LIMITS, ...over, perChannel: new Map(perChannel) };
}

/** Fixture, clients closed after each test. */
function harness(test: ReturnType<typeof suite>, v: Variant, storeLimits?: StoreLimits) {
  const h = {
    fx: undefined as unknown as StanFixture,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    clients: [] as any[],
    raws: [] as RawSession[],
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async connect(): Promise<any> {
      const sc = await stanConnect(h.fx.url, uniqueId('pub'));
      h.clients.push(sc);
      return sc;
    },
    async raw(): Promise<RawSession> {
      const r = await RawSession.connect(h.fx.url, uniqueId('raw'));
      h.raws.push(r);
      return r;
    },
    /** What a new DeliverAllAvailable subscriber receives, once it has `n` messages. */
    async stored(channel: string, n: number): Promise<Got[]> {
      const sc = await h.connect();
      const s = await subscribe(sc, channel, { all: true });
      // Delivery starts at the first stored message and nothing newer exists.
      await until(() => s.got.length >= n, `${n} stored messages on ${channel} (got ${brief(s.got)})`);
      return s.got;
    },
  };
  test.before(async () => {
    h.fx = await startStan({ external: v.external, stan: storeLimits ? { storeLimits } : {} });
  });
  test.after.each(async () => {
    for (const sc of h.clients.splice(0)) await closeClient(sc);
    for (const r of h.raws.splice(0)) await r.close();
  });
  test.after(async () => {
    await h.fx.stop();
  });
  return h;
}

function definePublish(v: Variant): void {
  const test = suite(`streaming/publish [${v.name}]`);
  const h = harness(test, v);

  test('every publish gets its PubAck; sequences are contiguous from 1 per channel; timestamps never decrease', async () => {
    const sc = await h.connect();
    const raw = await h.raw();
    const before = BigInt(Date.now()) * 1_000_000n;
    const pending: Promise<string>[] = [];
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      pending.push(publish(sc, 'seq.a', `a${i}`), publish(sc, 'seq.b', `b${i}`));
    }
    const guids = await Promise.all(pending);
    const after = BigInt(Date.now() + 1) * 1_000_000n; // stamps have sub-millisecond parts
    sent.push(...guids);
    assert.is(new Set(sent).size, 60, 'one PubAck per publish, each with its own guid');
    for (const ch of ['seq.a', 'seq.b']) {
      const s = await raw.subscribe(ch);
      await until(() => s.got.length >= 30, `30 messages on ${ch}`);
      assert.equal(
        s.got.map((m) => m.sequence),
        range(1, 30),
        ch,
      );
      assert.equal(
        s.got.map((m) => Buffer.from(m.data).toString()),
        range(0, 29).map((i) => `${ch.slice(-1)}${i}`),
      );
      for (const [i, m] of s.got.entries()) {
        assert.is(m.subject, ch);
        assert.is(m.reply, '');
        assert.is(m.redelivered, false);
        assert.is(m.redeliveryCount, 0);
        assert.is(m.CRC32, 0);
        assert.ok(m.timestamp >= before && m.timestamp <= after, `timestamp ${m.timestamp} within the publishes (ns)`);
        if (i > 0) assert.ok(m.timestamp >= s.got[i - 1]!.timestamp, `timestamp of ${m.sequence} not before ${i}`);
      }
      // Stamped in ns as the Go server does (time.Now()), not whole milliseconds.
      assert.ok(s.got.some((m) => m.timestamp % 1_000_000n !== 0n), `${ch}: sub-millisecond timestamps`);
    }
  });

  test('PubAck on the wire: the guid echoed and no error field', async () => {
    const raw = await h.raw();
    const guid = 'GUID-exact-1';
    const bytes = await raw.publishBytes('wire.ack', raw.pubMsg('wire.ack', 'x', { guid }));
    assert.ok(bytes !== undefined, 'a PubAck');
    assert.equal([...bytes!], [...pb.PubAck.encode({ guid })]);
    assert.equal([...bytes!], [0x0a, guid.length, ...Buffer.from(guid)]);
  });

  test('invalid channel names are refused with "stan: invalid publish request"', async () => {
    const raw = await h.raw();
    const names = ['foo.*', 'foo.>', 'a..b', '.a', 'a.', 'a/b', '*', '>', 'foo*', 'a>b', ''];
    for (const name of names) {
      // The channel is PubMsg.subject; the NATS subject is a valid one.
      const guid = `g-${names.indexOf(name)}`;
      const ack = await raw.publish(name, 'x', { guid }, 'valid.nats.subject');
      assert.equal([ack.guid, ack.error], [guid, INVALID_PUB], `channel ${JSON.stringify(name)}`);
      assert.is(h.fx.stan.channels.get(name), undefined, `no channel ${JSON.stringify(name)} created`);
    }
    // Through node-nats-streaming, for the names a NATS subject can carry.
    const sc = await h.connect();
    for (const name of ['foo.*', 'foo.>', 'a/b']) {
      assert.is(await pubResult(sc, name, 'x'), INVALID_PUB, `node client on ${name}`);
    }
    // A valid name still works.
    assert.is(await pubResult(sc, 'valid.name', 'x'), '');
  });

  test('a channel differing only by case is refused with the exact (misspelled) text', async () => {
    const sc = await h.connect();
    assert.is(await pubResult(sc, 'foo', 'x'), '');
    assert.is(await pubResult(sc, 'Foo', 'x'), caseClash('Foo', 'foo'));
    assert.is(await pubResult(sc, 'FOO', 'x'), caseClash('FOO', 'foo'));
    assert.is(await pubResult(sc, 'foo', 'y'), '', 'the original still takes publishes');
    const raw = await h.raw();
    const ack = await raw.publish('fOo', 'x', { guid: 'clash-guid' });
    assert.equal([ack.guid, ack.error], ['clash-guid', caseClash('fOo', 'foo')]);
    // Subscribing creates channels too: same text in the SubscriptionResponse.
    let subErr = '';
    await subscribe(sc, 'Foo').catch((e: unknown) => (subErr = errText(e)));
    assert.is(subErr, caseClash('Foo', 'foo'));
    const stored = await h.stored('foo', 2);
    assert.equal(
      stored.map((g) => [g.seq, g.data]),
      [
        [1, 'x'],
        [2, 'y'],
      ],
    );
  });

  test('a PubMsg with an empty guid, garbage bytes or an unknown client: "stan: invalid publish request"', async () => {
    const raw = await h.raw();
    let ack = await raw.publish('bad.pub', 'x', { guid: '' });
    assert.equal([ack.guid, ack.error], ['', INVALID_PUB], 'empty guid');
    for (const garbage of [Buffer.from('this is not a protobuf'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])]) {
      const bytes = await raw.publishBytes('bad.pub', garbage);
      assert.ok(bytes !== undefined, `a PubAck for ${garbage.toString('hex')}`);
      ack = pb.PubAck.decode(bytes!);
      assert.equal([ack.guid, ack.error], ['', INVALID_PUB], `garbage ${garbage.toString('hex')}`);
    }
    ack = await raw.publish('bad.pub', 'x', { guid: 'g-unknown', clientID: 'nobody', connID: new Uint8Array(0) });
    assert.equal([ack.guid, ack.error], ['g-unknown', INVALID_PUB], 'unknown clientID');
    ack = await raw.publish('bad.pub', 'x', { guid: 'g-conn', connID: Buffer.from('not-a-connection') });
    assert.equal([ack.guid, ack.error], ['g-conn', INVALID_PUB], 'unknown connID');
    assert.is(h.fx.stan.channels.get('bad.pub'), undefined, 'nothing stored');
  });

  test('a legacy spb.CtrlMsg on the publish subject is ignored silently', async () => {
    const raw = await h.raw();
    const ctrl = spb.CtrlMsg.encode({ MsgType: spb.CtrlMsgType.FTHeartbeat, ServerID: 'other-server' });
    assert.is(await raw.publishBytes('ctrl', ctrl, 500), undefined, 'no reply');
    // The server is still fine.
    const ack = await raw.publish('ctrl.after', 'x', { guid: 'after' });
    assert.equal([ack.guid, ack.error], ['after', '']);
  });

  test('publishes from one client are stored in the order they were sent', async () => {
    const sc = await h.connect();
    const errors: unknown[] = [];
    let acked = 0;
    for (let i = 0; i < 300; i++) {
      sc.publish('order.one', `o${i}`, (err: unknown) => {
        if (err) errors.push(err);
        acked++;
      });
    }
    await until(() => acked === 300, `300 PubAcks (got ${acked})`);
    assert.equal(errors, []);
    const raw = await h.raw();
    const s = await raw.subscribe('order.one');
    await until(() => s.got.length >= 300, '300 stored messages');
    assert.equal(
      s.got.map((m) => m.sequence),
      range(1, 300),
    );
    assert.equal(
      s.got.map((m) => Buffer.from(m.data).toString()),
      range(0, 299).map((i) => `o${i}`),
    );
  });

  test('throughput smoke: 10k async publishes with a subscriber, all received in order', async () => {
    const pubSc = await h.connect();
    const subSc = await h.connect();
    const N = 10_000;
    const seqs: number[] = [];
    const datas: string[] = [];
    const sub = await subscribe(subSc, 'smoke', {});
    sub.sub.removeAllListeners('message');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    sub.sub.on('message', (m: any) => {
      seqs.push(m.getSequence());
      datas.push(m.getData());
    });
    const errors: unknown[] = [];
    let acked = 0;
    for (let i = 1; i <= N; i++) {
      pubSc.publish('smoke', `s${i}`, (err: unknown) => {
        if (err) errors.push(err);
        acked++;
      });
    }
    await until(() => acked === N && seqs.length >= N, `${N} acks and messages (acks ${acked}, messages ${seqs.length})`, 45_000);
    // A last message: delivery is in order, so nothing else came in between.
    await publish(pubSc, 'smoke', 'end');
    await until(() => datas.includes('end'), 'the last message');
    assert.equal(errors, []);
    assert.is(seqs.length, N + 1);
    let inOrder = true;
    for (let i = 0; i < N; i++) if (seqs[i] !== i + 1 || datas[i] !== `s${i + 1}`) inOrder = false;
    assert.ok(inOrder, 'sequences 1..N with their data, in order');
  });

  test.run();
}

function defineMaxChannels(v: Variant): void {
  const test = suite(`streaming/publish max_channels [${v.name}]`);
  const h = harness(test, v, limits({ maxChannels: 2 }));

  test('max_channels reached: "too many channels"; existing channels still take publishes', async () => {
    const sc = await h.connect();
    assert.is(await pubResult(sc, 'mc.a', 'x'), '');
    assert.is(await pubResult(sc, 'mc.b', 'x'), '');
    assert.is(await pubResult(sc, 'mc.c', 'x'), 'too many channels');
    assert.is(await pubResult(sc, 'mc.a', 'y'), '');
    const raw = await h.raw();
    const ack = await raw.publish('mc.d', 'x', { guid: 'mc-guid' });
    assert.equal([ack.guid, ack.error], ['mc-guid', 'too many channels']);
    let subErr = '';
    await subscribe(sc, 'mc.e').catch((e: unknown) => (subErr = errText(e)));
    assert.is(subErr, 'too many channels');
    assert.is(h.fx.stan.channels.size, 2);
  });

  test.run();
}

/** Encoded MsgProto size, what the MEMORY store counts against max_bytes (§2.9). */
function protoSize(seq: number, channel: string, data: string): number {
  return pb.MsgProto.encode({ sequence: seq, subject: channel, data: Buffer.from(data), timestamp: BigInt(Date.now()) * 1_000_000n })
    .length;
}

function defineLimits(v: Variant): void {
  const test = suite(`streaming/publish limits [${v.name}]`);
  const h = harness(
    test,
    v,
    limits({ maxMsgs: 10 }, [
      ['lim.msgs', { maxMsgs: 5 }],
      ['lim.bytes', { maxBytes: 400 }],
      ['lim.big', { maxBytes: 400 }],
      ['lim.age', { maxAgeMs: 1000 }],
      ['lim.skip', { maxMsgs: 3 }],
      ['lim.skip2', { maxMsgs: 3 }],
      ['wild.>', { maxMsgs: 2 }],
      ['wild.lit', { maxMsgs: 4 }],
      ['star.*', { maxMsgs: 3 }],
      ['unl.x', { maxMsgs: -1 }],
      ['inh.>', { maxBytes: 400 }],
      ['inh.lit', { maxMsgs: 5 }],
    ]),
  );

  test('max_msgs drops the oldest; the newest N keep their sequences', async () => {
    const sc = await h.connect();
    await publishN(sc, 'lim.msgs', 1, 12);
    const got = await h.stored('lim.msgs', 5);
    assert.equal(
      got.map((g) => [g.seq, g.data]),
      range(8, 12).map((i) => [i, `m${i}`]),
    );
    // The global max_msgs (10) for a channel without an entry.
    await publishN(sc, 'lim.global', 1, 13);
    const g2 = await h.stored('lim.global', 10);
    assert.equal(
      g2.map((g) => g.seq),
      range(4, 13),
    );
  });

  test('max_bytes drops the oldest, counting the encoded MsgProto size', async () => {
    const sc = await h.connect();
    const data = (i: number) => `${i}`.padEnd(100, '.');
    await publishN(sc, 'lim.bytes', 1, 10, data);
    // The newest k whose sizes add up to at most 400 bytes.
    let k = 0;
    for (let total = 0, i = 10; i >= 1; i--) {
      total += protoSize(i, 'lim.bytes', data(i));
      if (total > 400) break;
      k++;
    }
    assert.is(k, 3, 'three 125-byte MsgProtos fit in 400 bytes');
    const got = await h.stored('lim.bytes', k);
    assert.equal(
      got.map((g) => [g.seq, g.data]),
      range(11 - k, 10).map((i) => [i, data(i)]),
    );
  });

  test('the newest message is kept even when alone bigger than max_bytes', async () => {
    const sc = await h.connect();
    await publishN(sc, 'lim.big', 1, 3);
    const big = 'B'.repeat(1000);
    assert.is(await pubResult(sc, 'lim.big', big), '', 'the publish does not fail');
    let got = await h.stored('lim.big', 1);
    assert.equal(
      got.map((g) => [g.seq, g.data.length]),
      [[4, 1000]],
    );
    assert.is(await pubResult(sc, 'lim.big', 'small'), '');
    got = await h.stored('lim.big', 1);
    assert.equal(
      got.map((g) => [g.seq, g.data]),
      [[5, 'small']],
    );
  });

  test('max_age removes old messages (about 1 s granularity)', async () => {
    const sc = await h.connect();
    await publishN(sc, 'lim.age', 1, 3);
    const got = await h.stored('lim.age', 3);
    assert.equal(
      got.map((g) => g.seq),
      [1, 2, 3],
      'still there right after publishing',
    );
    const c = h.fx.stan.channels.get('lim.age')!;
    // The server looks once a second; a loaded machine may be later still.
    await until(() => c.msgs.state().msgs === 0, 'expiry of lim.age', 10_000);
    const newest = Math.max(...got.map((g) => g.tsMs));
    assert.ok(Date.now() - newest >= 1000, 'removed once older than max_age (by the stored timestamps)');
    assert.is(await pubResult(sc, 'lim.age', 'late'), '');
    const after = await h.stored('lim.age', 1);
    assert.equal(
      after.map((g) => [g.seq, g.data]),
      [[4, 'late']],
    );
  });

  test('a subscription whose next message was dropped skips ahead to the new first', async () => {
    const sc = await h.connect();
    const s = await subscribe(sc, 'lim.skip', { manual: true, maxInFlight: 1 });
    await publish(sc, 'lim.skip', 'm1');
    await exactly(s, 1, 'seq 1');
    await publishN(sc, 'lim.skip', 2, 10); // only 8, 9, 10 remain
    s.ack(1);
    await until(() => s.got.length >= 2, `the next message (got ${brief(s.got)})`);
    assert.is(s.got[1]!.seq, 8);
    s.ackEverything();
    await settled(h.fx.stan, 'lim.skip');
    await exactly(s, 4, 'the rest');
    assert.equal(
      s.got.map((g) => [g.seq, g.data, g.redelivered]),
      [
        [1, 'm1', false],
        [8, 'm8', false],
        [9, 'm9', false],
        [10, 'm10', false],
      ],
    );
  });

  test('a pending message dropped by limits is not redelivered; the stalled subscription goes on', async () => {
    // §2.6: when the redelivery of a message removed by limits comes up it is
    // treated as acked, and an ack un-stalls a subscription under MaxInflight.
    const sc = await h.connect();
    const s = await subscribe(sc, 'lim.skip2', { manual: true, maxInFlight: 1, ackWaitMs: 1000 });
    await publish(sc, 'lim.skip2', 'm1');
    await exactly(s, 1, 'seq 1');
    await publishN(sc, 'lim.skip2', 2, 10); // only 8, 9, 10 remain; 1 is pending
    await until(() => s.got.length >= 2, `something after AckWait (got ${brief(s.got)})`, 4000);
    assert.equal([s.got[1]!.seq, s.got[1]!.redelivered], [8, false], brief(s.got));
    s.ackEverything();
    await settled(h.fx.stan, 'lim.skip2');
    await exactly(s, 4, 'the rest');
    assert.is(brief(s.got), JSON.stringify(['1', '8', '9', '10']));
  });

  test('per-channel limits: literal and wildcard entries override the globals, unset fields inherit', async () => {
    const sc = await h.connect();
    const cases: [channel: string, published: number, kept: number[]][] = [
      ['wild.x', 6, [5, 6]], // wild.> max_msgs 2
      ['wild.a.b', 6, [5, 6]], // wild.> covers several tokens
      ['wild.lit', 6, [3, 4, 5, 6]], // a literal entry wins over wild.>
      ['star.x', 6, [4, 5, 6]], // star.* max_msgs 3
      ['star.x.y', 12, range(3, 12)], // star.* does not match two tokens: global 10
      ['unl.x', 12, range(1, 12)], // explicitly unlimited (negative) beats the global 10
    ];
    for (const [ch, n, kept] of cases) {
      await publishN(sc, ch, 1, n);
      const got = await h.stored(ch, kept.length);
      assert.equal(
        got.map((g) => g.seq),
        kept,
        ch,
      );
    }
    // inh.lit sets max_msgs 5 and inherits max_bytes 400 from inh.>: bytes win here.
    const data = (i: number) => `${i}`.padEnd(100, '.');
    await publishN(sc, 'inh.lit', 1, 10, data);
    const got = await h.stored('inh.lit', 3);
    assert.equal(
      got.map((g) => g.seq),
      [8, 9, 10],
    );
  });

  test.run();
}

for (const v of variants('streaming/publish')) {
  definePublish(v);
  defineMaxChannels(v);
  defineLimits(v);
}
