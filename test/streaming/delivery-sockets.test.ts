// Delivery to subscriptions end to end (STAN-REFERENCE §2.6, §4 items 5-7,
// §11.9): MaxInflight and acks, a queue member's unacked message
// redelivered to another (flag and count as the client decodes them), a
// member leaving, and fan-out. Over real sockets with node-nats-streaming,
// on the embedded NATS server and with -ns on Debian's nats-server. The
// rules themselves (timing, order, counts, member choice) are unit-tested
// on the fake clock and transport in delivery.test.ts.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeClient, publish, startStan, stanConnect, until, type StanFixture } from '../helpers/stan.js';
import { closeSub, exactly, range, subscribe, uniqueId, variants, type Got, type Variant } from '../helpers/stan-delivery.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function publishN(sc: any, channel: string, from: number, to: number): Promise<void> {
  await Promise.all(range(from, to).map((i) => publish(sc, channel, `m${i}`)));
}

function brief(got: Got[]): string {
  return JSON.stringify(got.map((g) => `${g.seq}${g.redelivered ? `r${g.count}` : ''}`));
}

function define(v: Variant): void {
  const test = suite(`streaming/delivery-sockets [${v.name}]`);
  let fx: StanFixture;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const clients: any[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const connect = async (): Promise<any> => {
    const sc = await stanConnect(fx.url, uniqueId('dlv'));
    clients.push(sc);
    return sc;
  };

  test.before(async () => {
    fx = await startStan({ external: v.external });
  });
  test.after.each(async () => {
    for (const sc of clients.splice(0)) await closeClient(sc);
  });
  test.after(async () => {
    await fx.stop();
  });

  // ---------- MaxInflight ----------

  test('max in flight: exactly MaxInflight un-acked messages, then one more per ack', async () => {
    const sc = await connect();
    const h = await subscribe(sc, 'mif.basic', { manual: true, maxInFlight: 3 });
    await publishN(sc, 'mif.basic', 1, 10);
    await exactly(h, 3, 'before any ack', 5000, 300);
    assert.equal(h.seqs(), [1, 2, 3]);
    h.ack(1);
    await exactly(h, 4, 'after acking 1', 5000, 300);
    assert.is(h.got[3]!.seq, 4);
    h.ack(2);
    h.ack(3);
    await exactly(h, 6, 'after acking 2 and 3', 5000, 300);
    assert.equal(h.seqs(), [1, 2, 3, 4, 5, 6]);
    h.ackEverything();
    await exactly(h, 10, 'after acking everything', 5000, 200);
    assert.equal(h.seqs(), range(1, 10));
    assert.equal(
      h.got.map((g) => g.data),
      range(1, 10).map((i) => `m${i}`),
    );
    assert.ok(h.got.every((g) => !g.redelivered), brief(h.got));
  });

  // ---------- Queue groups ----------

  test('queue group: a message one member does not ack is redelivered to another member', async () => {
    const [scA, scB] = [await connect(), await connect()];
    const a = await subscribe(scA, 'qg.redeliver', { queue: 'q', manual: true, maxInFlight: 1, ackWaitMs: 1000 });
    const b = await subscribe(scB, 'qg.redeliver', { queue: 'q', ackWaitMs: 1000 });
    await publishN(scA, 'qg.redeliver', 1, 4);
    await until(() => a.got.length + b.got.length >= 4, 'the first deliveries');
    // A has MaxInflight 1 and never acks: it holds exactly one message.
    assert.is(a.got.length, 1, `A got ${brief(a.got)}, B got ${brief(b.got)}`);
    const held = a.got[0]!;
    await until(() => b.got.some((g) => g.seq === held.seq), `B to get ${held.seq} (B got ${brief(b.got)})`, 4000);
    const moved = b.got.find((g) => g.seq === held.seq)!;
    assert.is(moved.redelivered, true);
    assert.is(moved.count, 1);
    assert.is(moved.data, held.data);
    assert.is(a.got.length, 1, `A must not get it back: ${brief(a.got)}`);
    assert.equal([...new Set([...a.seqs(), ...b.seqs()])].sort(), [1, 2, 3, 4]);
  });

  async function leaving(channel: string, how: 'subscription close' | 'connection close'): Promise<void> {
    const [scA, scB] = [await connect(), await connect()];
    const a = await subscribe(scA, channel, { queue: 'q', manual: true }); // AckWait 30 s: only leaving moves them
    const b = await subscribe(scB, channel, { queue: 'q' });
    await publishN(scB, channel, 1, 6);
    await until(() => a.got.length + b.got.length >= 6, 'the first deliveries');
    assert.ok(a.got.length >= 1, `A (first in the group) holds at least one message: A ${brief(a.got)}`);
    const held = a.seqs();
    const seen = b.got.length;
    if (how === 'subscription close') await closeSub(a);
    else await closeClient(scA);
    await until(
      () => held.every((s) => b.got.slice(seen).some((g) => g.seq === s)),
      `B to get A's ${JSON.stringify(held)} (B got ${brief(b.got)})`,
      3000,
    );
    const moved = b.got.slice(seen).filter((g) => held.includes(g.seq));
    assert.ok(moved.every((g) => g.redelivered && g.count === 1), `moved: ${brief(moved)}`);
    assert.equal(
      moved.map((g) => g.seq),
      held,
      'moved in sequence order',
    );
  }

  test('queue group: a member whose connection closes hands its pending messages to the others', async () => {
    await leaving('qg.leave.conn', 'connection close');
  });

  // ---------- Fan-out ----------

  test('fan-out: several plain subscribers each get every message once, in order', async () => {
    const [sc1, sc2] = [await connect(), await connect()];
    const subs = [
      await subscribe(sc1, 'fan.out'),
      await subscribe(sc1, 'fan.out'),
      await subscribe(sc2, 'fan.out', { manual: true }),
    ];
    subs[2]!.ackEverything();
    await publishN(sc2, 'fan.out', 1, 50);
    for (const [i, h] of subs.entries()) {
      await exactly(h, 50, `subscriber ${i}`, 5000, i === 0 ? 300 : 0);
      assert.equal(h.seqs(), range(1, 50), `subscriber ${i}`);
      assert.equal(
        h.got.map((g) => g.data),
        range(1, 50).map((n) => `m${n}`),
      );
      assert.ok(h.got.every((g) => !g.redelivered));
    }
  });

  test.run();
}

for (const v of variants('streaming/delivery')) define(v);

// ---------- A backed-up subscriber (embedded NATS) ----------

// MaxInflight x message size can pass max_pending (the Go client's 1024 x
// 64 KB does the default 64 MB): the streaming layer holds a subscription
// whose connection is past half of max_pending, as nats-server makes a
// socket publisher wait, instead of having it dropped as a slow consumer
// and its messages come again only after AckWait. With -ns the external
// server stalls the streaming layer's own connection instead.
const backlog = suite('streaming/delivery-sockets backlog');

/** 32 KB payloads: 1000 of them in flight are past what the kernel's socket buffers take, 128 x max_pending. */
const BACKLOG_BODY = 32 * 1024;

/**
 * A server with max_pending 256 KB; `run` connects its clients through
 * `connect` (closed afterwards); then no connection may have been dropped
 * as a slow consumer.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Connect = (name: string) => Promise<any>;

async function withSmallMaxPending(run: (connect: Connect) => Promise<void>): Promise<void> {
  const fx = await startStan({ nats: { maxPending: 256 * 1024 } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const clients: any[] = [];
  try {
    await run(async (name) => {
      const sc = await stanConnect(fx.url, uniqueId(name));
      clients.push(sc);
      return sc;
    });
    assert.is(fx.nats!.slowConsumers, 0, 'no connection dropped as a slow consumer');
  } finally {
    for (const sc of clients) await closeClient(sc);
    await fx.stop();
  }
}

backlog('a subscriber that stops reading is held past half of max_pending, not dropped: each message arrives once', () =>
  withSmallMaxPending(async (connect) => {
    const pub = await connect('bl-pub');
    const subc = await connect('bl-sub');
    const n = 1000;
    const h = await subscribe(subc, 'backlog.held', { maxInFlight: n, ackWaitMs: 60_000 });
    subc.nc.stream.pause();
    const body = 'x'.repeat(BACKLOG_BODY);
    await Promise.all(range(1, n).map((i) => publish(pub, 'backlog.held', `${i}:${body}`)));
    subc.nc.stream.resume();
    await until(() => h.got.length >= n, `${n} messages (got ${h.got.length})`, 20_000);
    assert.equal(h.seqs(), range(1, n));
    assert.ok(
      h.got.every((g, i) => g.data.startsWith(`${i + 1}:`) && g.data.length === body.length + `${i + 1}:`.length),
      'payloads in order and whole',
    );
    assert.ok(h.got.every((g) => !g.redelivered));
  }),
);

backlog('a queue member that stops reading holds its group past half of max_pending, not dropped: each message reaches one member once', () =>
  withSmallMaxPending(async (connect) => {
    const pub = await connect('blq-pub');
    const [sa, sb] = [await connect('blq-a'), await connect('blq-b')];
    const n = 1000;
    const a = await subscribe(sa, 'backlog.group', { queue: 'q', maxInFlight: n, ackWaitMs: 60_000 });
    const b = await subscribe(sb, 'backlog.group', { queue: 'q', maxInFlight: n, ackWaitMs: 60_000 });
    sa.nc.stream.pause();
    const body = 'y'.repeat(BACKLOG_BODY);
    await Promise.all(range(1, n).map((i) => publish(pub, 'backlog.group', `${i}:${body}`)));
    sa.nc.stream.resume();
    await until(() => a.got.length + b.got.length >= n, `${n} messages (got ${a.got.length} + ${b.got.length})`, 20_000);
    const seqs = [...a.seqs(), ...b.seqs()].sort((x, y) => x - y);
    assert.equal(seqs, range(1, n), 'each message once, to one member');
    assert.ok([...a.got, ...b.got].every((g) => !g.redelivered));
  }),
);

backlog.run();
