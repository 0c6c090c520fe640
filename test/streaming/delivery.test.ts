// Delivery to subscriptions (STAN-REFERENCE §2.6, §4 items 5-7, §11.9),
// without sockets or real time: a StanServer over a fake transport (what
// it publishes is recorded) and a fake clock (ack-wait timers fire when
// the test advances it). MaxInflight, acks, redelivery timing (the
// expiration pushed by exactly AckWait), the redelivered flag and count,
// queue member choice and redistribution, fan-out. The end-to-end path
// with real clients is in delivery-sockets.test.ts.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Delivered } from './fakes.js';
import { Harness } from './fakes.js';

const test = suite('streaming/delivery');

const ACK_WAIT_S = 30;
const ACK_WAIT_MS = ACK_WAIT_S * 1000;

function brief(got: Delivered[]): string[] {
  return got.map((g) => `${g.seq}${g.redelivered ? `r${g.count}` : ''}`);
}

async function harness(...clients: string[]): Promise<Harness> {
  const h = await new Harness().start();
  for (const c of clients) await h.connect(c);
  return h;
}

test('max in flight: exactly MaxInflight un-acked messages, then one more per ack', async () => {
  const h = await harness('a');
  const s = await h.subscribe('a', 'mif', { maxInFlight: 3 });
  await h.publishN('a', 'mif', 10);
  assert.equal(h.seqs(s.inbox), [1, 2, 3]);
  const sub = h.server.channels.get('mif')!.plain.values().next().value!;
  assert.is(sub.stalled, true);
  assert.equal([...sub.pending.keys()], [1, 2, 3]);
  await h.ack(s.ackInbox, 'mif', 1);
  assert.equal(h.seqs(s.inbox), [1, 2, 3, 4]);
  await h.ack(s.ackInbox, 'mif', 2, 3);
  assert.equal(h.seqs(s.inbox), [1, 2, 3, 4, 5, 6]);
  await h.ack(s.ackInbox, 'mif', 4, 5, 6, 7, 8, 9);
  assert.equal(h.seqs(s.inbox), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(
    h.delivered(s.inbox).map((d) => d.data),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `m${i}`),
  );
  assert.ok(h.delivered(s.inbox).every((d) => !d.redelivered));
  await h.stop();
});

test('ack wait: redelivered at exactly AckWait after the send, count 1, then 2 AckWait later count 2; an ack stops it', async () => {
  const h = await harness('a');
  const s = await h.subscribe('a', 'aw', { ackWaitSecs: ACK_WAIT_S });
  h.publish('a', 'aw', 'only');
  await h.advance(0);
  assert.equal(brief(h.delivered(s.inbox)), ['1']);
  const sub = h.server.channels.get('aw')!.plain.values().next().value!;
  const sentAt = h.clock.now();
  assert.is(sub.pending.get(1), sentAt + ACK_WAIT_MS, 'expires AckWait after the send');
  await h.advance(ACK_WAIT_MS - 16); // just outside the 15 ms slack
  assert.equal(brief(h.delivered(s.inbox)), ['1']);
  await h.advance(16);
  assert.equal(brief(h.delivered(s.inbox)), ['1', '1r1']);
  assert.is(sub.pending.get(1), sentAt + 2 * ACK_WAIT_MS, 'expiration pushed by exactly AckWait');
  await h.advance(ACK_WAIT_MS);
  assert.equal(brief(h.delivered(s.inbox)), ['1', '1r1', '1r2']);
  assert.is(sub.redelivered, 2);
  await h.ack(s.ackInbox, 'aw', 1);
  assert.is(sub.pending.size, 0);
  assert.is(sub.ackTimer, undefined, 'no timer left once nothing is pending');
  await h.advance(3 * ACK_WAIT_MS);
  assert.is(h.delivered(s.inbox).length, 3);
  await h.stop();
});

test('ack wait: redeliveries come in sequence order; acked ones stop coming back', async () => {
  const h = await harness('a');
  const s = await h.subscribe('a', 'order', { ackWaitSecs: ACK_WAIT_S });
  await h.publishN('a', 'order', 5);
  await h.advance(ACK_WAIT_MS);
  assert.equal(brief(h.delivered(s.inbox)), ['1', '2', '3', '4', '5', '1r1', '2r1', '3r1', '4r1', '5r1']);
  await h.ack(s.ackInbox, 'order', 1, 3, 5);
  await h.advance(ACK_WAIT_MS);
  assert.equal(brief(h.delivered(s.inbox).slice(10)), ['2r2', '4r2']);
  await h.ack(s.ackInbox, 'order', 2, 4);
  await h.advance(5 * ACK_WAIT_MS);
  assert.is(h.delivered(s.inbox).length, 12);
  await h.stop();
});

test('max in flight: redeliveries are not bounded by it, and nothing new comes while stalled', async () => {
  const h = await harness('a');
  const s = await h.subscribe('a', 'stall', { maxInFlight: 3, ackWaitSecs: ACK_WAIT_S });
  await h.publishN('a', 'stall', 10);
  await h.advance(ACK_WAIT_MS);
  assert.equal(brief(h.delivered(s.inbox)), ['1', '2', '3', '1r1', '2r1', '3r1']);
  // Acking one releases exactly one new message (4), not a redelivered one.
  await h.ack(s.ackInbox, 'stall', 1);
  assert.equal(brief(h.delivered(s.inbox)), ['1', '2', '3', '1r1', '2r1', '3r1', '4']);
  await h.stop();
});

test('queue group: a message one member does not ack is redelivered to another, which the first is no longer held by', async () => {
  const h = await harness('a', 'b');
  const a = await h.subscribe('a', 'qg', { queue: 'q', maxInFlight: 1, ackWaitSecs: ACK_WAIT_S });
  const b = await h.subscribe('b', 'qg', { queue: 'q', ackWaitSecs: ACK_WAIT_S });
  await h.publishN('a', 'qg', 4);
  // Fewest pending first, round robin among ties: A gets 1, B the rest.
  assert.equal(h.seqs(a.inbox), [1]);
  assert.equal(h.seqs(b.inbox), [2, 3, 4]);
  await h.ack(b.ackInbox, 'qg', 2, 3, 4);
  await h.advance(ACK_WAIT_MS);
  assert.equal(brief(h.delivered(a.inbox)), ['1'], 'A does not get it back');
  assert.equal(brief(h.delivered(b.inbox)), ['2', '3', '4', '1r1']);
  const g = h.server.channels.get('qg')!.queues.get('q')!;
  const [subA, subB] = [g.members.find((m) => m.state.inbox === a.inbox)!, g.members.find((m) => m.state.inbox === b.inbox)!];
  assert.equal([...subA.pending.keys()], [], 'the implicit ack on A');
  assert.equal([...subB.pending.keys()], [1]);
  assert.is(subA.stalled, false, 'A released');
  // A takes its share of new messages again.
  await h.publishN('a', 'qg', 2);
  assert.equal(h.seqs(a.inbox), [1, 5]);
  assert.equal(h.seqs(b.inbox), [2, 3, 4, 1, 6]);
  await h.stop();
});

for (const how of ['subscription close', 'connection close'] as const) {
  test(`queue group: a member leaving (${how}) hands its pending messages to the others within 100 ms, in order`, async () => {
    const h = await harness('a', 'b');
    const a = await h.subscribe('a', 'leave', { queue: 'q', ackWaitSecs: ACK_WAIT_S });
    const b = await h.subscribe('b', 'leave', { queue: 'q', ackWaitSecs: ACK_WAIT_S });
    await h.publishN('b', 'leave', 6);
    const held = h.seqs(a.inbox);
    assert.equal(held, [1, 3, 5]);
    await h.ack(b.ackInbox, 'leave', ...h.seqs(b.inbox));
    if (how === 'subscription close') await h.unsubscribe('a', 'leave', a.ackInbox, true);
    else await h.closeClient('a');
    const seen = h.delivered(b.inbox).length;
    await h.advance(99);
    assert.is(h.delivered(b.inbox).length, seen, 'not before 100 ms');
    await h.advance(1);
    assert.equal(brief(h.delivered(b.inbox).slice(seen)), ['1r1', '3r1', '5r1']);
    await h.stop();
  });
}

test('fan-out: several plain subscribers each get every message once, in order', async () => {
  const h = await harness('a', 'b');
  const subs = [await h.subscribe('a', 'fan'), await h.subscribe('a', 'fan'), await h.subscribe('b', 'fan')];
  await h.publishN('b', 'fan', 50);
  const all = Array.from({ length: 50 }, (_, i) => i + 1);
  for (const s of subs) assert.equal(h.seqs(s.inbox), all);
  await h.stop();
});

test('a standby-like clock: no timer fires unless time moves', async () => {
  const h = await harness('a');
  await h.subscribe('a', 'quiet', { ackWaitSecs: ACK_WAIT_S });
  await h.publishN('a', 'quiet', 3);
  const n = h.transport.sent.length;
  await h.advance(0);
  assert.is(h.transport.sent.length, n);
  assert.ok(h.clock.armed >= 1, 'the ack timer is armed on the fake clock');
  await h.stop();
});

test.run();
