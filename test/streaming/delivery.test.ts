// Delivery to subscriptions (STAN-REFERENCE §2.6, §4 items 5-7, §11.9):
// MaxInflight, ack wait and redelivery (flag, count, order, timing), acks,
// auto-ack, queue groups (redelivery to another member, the implicit ack on
// the original member, a member leaving), and fan-out to plain
// subscribers. Over real sockets with node-nats-streaming, on the embedded
// NATS server and with -ns on Debian's nats-server.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeClient, publish, sleep, startStan, stanConnect, until, type StanFixture } from '../helpers/stan.js';
import { closeSub, exactly, range, subscribe, uniqueId, variants, type Got, type Variant } from '../helpers/stan-delivery.js';

/** Redelivery after AckWait = 1 s is expected within this window (ms). */
const WINDOW: [number, number] = [900, 2500];

function within(ms: number, what: string, [lo, hi] = WINDOW): void {
  assert.ok(ms >= lo && ms <= hi, `${what}: ${ms} ms, expected within ${lo}-${hi} ms`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function publishN(sc: any, channel: string, from: number, to: number): Promise<void> {
  await Promise.all(range(from, to).map((i) => publish(sc, channel, `m${i}`)));
}

function brief(got: Got[]): string {
  return JSON.stringify(got.map((g) => `${g.seq}${g.redelivered ? `r${g.count}` : ''}`));
}

function define(v: Variant): void {
  const test = suite(`streaming/delivery [${v.name}]`);
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

  test('max in flight: redeliveries are not bounded by it, and nothing new comes while stalled', async () => {
    const sc = await connect();
    const h = await subscribe(sc, 'mif.redeliver', { manual: true, maxInFlight: 3, ackWaitMs: 1000 });
    await publishN(sc, 'mif.redeliver', 1, 10);
    await exactly(h, 3, 'first deliveries');
    await until(() => h.got.length >= 6, `redelivery of 1-3 (got ${brief(h.got)})`, 4000);
    await sleep(300);
    assert.is(brief(h.got), JSON.stringify(['1', '2', '3', '1r1', '2r1', '3r1']));
    within(h.got[3]!.at - h.got[0]!.at, 'first redelivery of 1');
    // Acking one releases exactly one new message (4), not a redelivered one.
    h.ack(1);
    await until(() => h.got.some((g) => g.seq === 4), `seq 4 after an ack (got ${brief(h.got)})`, 3000);
    const four = h.got.filter((g) => g.seq === 4);
    assert.is(four.length, 1);
    assert.is(four[0]!.redelivered, false);
    assert.ok(h.got.every((g) => g.seq <= 4), brief(h.got));
  });

  // ---------- Ack wait, redelivery ----------

  test('ack wait: an un-acked message comes back after AckWait, redelivered with count 1, then 2', async () => {
    const sc = await connect();
    const h = await subscribe(sc, 'aw.single', { manual: true, ackWaitMs: 1000 });
    await publish(sc, 'aw.single', 'only');
    await until(() => h.got.length >= 1, 'first delivery');
    await until(() => h.got.length >= 2, `first redelivery (got ${brief(h.got)})`, 4000);
    await until(() => h.got.length >= 3, `second redelivery (got ${brief(h.got)})`, 4000);
    const [g0, g1, g2] = h.got as [Got, Got, Got];
    assert.equal([g0.seq, g1.seq, g2.seq], [1, 1, 1]);
    assert.equal([g0.data, g1.data, g2.data], ['only', 'only', 'only']);
    assert.equal([g0.redelivered, g0.count], [false, 0]);
    assert.equal([g1.redelivered, g1.count], [true, 1]);
    assert.equal([g2.redelivered, g2.count], [true, 2]);
    within(g1.at - g0.at, 'first redelivery');
    within(g2.at - g1.at, 'second redelivery');
    h.ack(1);
    await sleep(1600);
    assert.is(h.got.length, 3, `no redelivery after the ack: ${brief(h.got)}`);
  });

  test('ack wait: redeliveries come in order; acked messages stop coming back', async () => {
    const sc = await connect();
    const h = await subscribe(sc, 'aw.order', { manual: true, ackWaitMs: 1000 });
    await publishN(sc, 'aw.order', 1, 5);
    await until(() => h.got.length >= 10, `a redelivery round (got ${brief(h.got)})`, 4000);
    assert.equal(h.seqs().slice(0, 10), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    assert.ok(h.got.slice(0, 5).every((g) => !g.redelivered && g.count === 0), brief(h.got));
    assert.ok(h.got.slice(5, 10).every((g) => g.redelivered && g.count === 1), brief(h.got));
    h.ack(1);
    h.ack(3);
    h.ack(5);
    await until(() => h.got.length >= 12, `the second round (got ${brief(h.got)})`, 4000);
    await sleep(200);
    assert.is(brief(h.got.slice(10)), JSON.stringify(['2r2', '4r2']));
    h.ack(2);
    h.ack(4);
    await sleep(1600);
    assert.is(h.got.length, 12, `nothing after acking everything: ${brief(h.got)}`);
  });

  test('ack wait: an auto-ack subscription never gets a redelivery', async () => {
    const sc = await connect();
    const h = await subscribe(sc, 'aw.auto', { ackWaitMs: 1000 });
    await publishN(sc, 'aw.auto', 1, 3);
    await exactly(h, 3, 'auto-ack subscription', 5000, 1600);
    assert.is(brief(h.got), JSON.stringify(['1', '2', '3']));
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
    within(moved.at - held.at, 'redelivery to the other member');
    assert.is(a.got.length, 1, `A must not get it back: ${brief(a.got)}`);
    assert.equal([...new Set([...a.seqs(), ...b.seqs()])].sort(), [1, 2, 3, 4]);
  });

  test('queue group: the member whose message moved is released by the implicit ack', async () => {
    // §2.6: the original member gets an internal ack, which (like any ack)
    // un-stalls it once its pending count is under MaxInflight.
    const [scA, scB] = [await connect(), await connect()];
    const a = await subscribe(scA, 'qg.release', { queue: 'q', manual: true, maxInFlight: 1, ackWaitMs: 1000 });
    const b = await subscribe(scB, 'qg.release', { queue: 'q', ackWaitMs: 1000 });
    await publishN(scA, 'qg.release', 1, 4);
    await until(() => a.got.length + b.got.length >= 4, 'the first deliveries');
    assert.is(a.got.length, 1);
    const held = a.got[0]!;
    await until(() => b.got.some((g) => g.seq === held.seq && g.redelivered), 'the move to B', 4000);
    // A holds nothing now: the next new messages are shared with it again.
    await publishN(scA, 'qg.release', 5, 6);
    await until(() => b.got.filter((g) => g.seq >= 5).length + a.got.filter((g) => g.seq >= 5).length >= 2, 'seq 5 and 6');
    await sleep(200);
    const aNew = a.got.filter((g) => g.seq >= 5);
    assert.is(aNew.length, 1, `A should get one of 5 and 6 (A got ${brief(a.got)}, B got ${brief(b.got)})`);
    assert.is(aNew[0]!.redelivered, false);
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
    const t0 = Date.now();
    if (how === 'subscription close') await closeSub(a);
    else await closeClient(scA);
    await until(
      () => held.every((s) => b.got.slice(seen).some((g) => g.seq === s)),
      `B to get A's ${JSON.stringify(held)} (B got ${brief(b.got)})`,
      3000,
    );
    const elapsed = Date.now() - t0;
    assert.ok(elapsed <= 1000, `moved messages arrived after ${elapsed} ms, expected within ~1 s`);
    const moved = b.got.slice(seen).filter((g) => held.includes(g.seq));
    assert.ok(moved.every((g) => g.redelivered && g.count === 1), `moved: ${brief(moved)}`);
    assert.equal(
      moved.map((g) => g.seq),
      held,
      'moved in sequence order',
    );
  }

  test('queue group: a member closing its subscription hands its pending messages to the others', async () => {
    await leaving('qg.leave.sub', 'subscription close');
  });

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
