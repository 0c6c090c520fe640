// Delivery's cursor over a store that does not hold the messages in memory
// (src/streaming/delivery-fetch.ts; STAN-REFERENCE §2.6): one read() per
// batch, the subscription "fetching" meanwhile, delivery resumed in
// sequence order when it resolves: nothing sent twice, nothing skipped,
// never past MaxInflight; acks and closes arriving meanwhile; queue
// groups; redeliveries of pending messages that are not in memory. The
// store's reads resolve when the test says (SlowMsgStore).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, SlowStore, type SlowMsgStore } from './fakes.js';

const test = suite('streaming/delivery-fetch');

const ACK_WAIT_MS = 30_000;

async function setup(channel: string, stored: number): Promise<{ h: Harness; slow: SlowMsgStore }> {
  const store = new SlowStore();
  const h = await new Harness(store).start();
  await h.connect('a');
  await h.connect('b');
  await h.publishN('a', channel, stored);
  const slow = store.slow.get(channel)!;
  slow.missing = undefined; // nothing in memory from now on
  return { h, slow };
}

test('a plain subscription reads the next batch, up to MaxInflight, and resumes in order after acks', async () => {
  const { h, slow } = await setup('plain', 10);
  const s = await h.subscribe('a', 'plain', { maxInFlight: 3 });
  const sub = h.server.channels.get('plain')!.plain.values().next().value!;
  assert.equal(h.seqs(s.inbox), [], 'nothing before the read resolves');
  assert.is(sub.fetching, true);
  assert.equal(
    slow.reads.map((r) => [r.from, r.max]),
    [[1, 3]],
  );
  // An ack and a new message while fetching start no second read.
  await h.publishN('b', 'plain', 1);
  assert.is(slow.reads.length, 1);
  await slow.release();
  assert.equal(h.seqs(s.inbox), [1, 2, 3]);
  assert.is(sub.fetching, false);
  assert.is(sub.stalled, true);
  await h.ack(s.ackInbox, 'plain', 1, 2);
  assert.equal(
    slow.reads.map((r) => [r.from, r.max]),
    [[4, 1]],
    'the room left by the first ack; the second waits for it',
  );
  await slow.release();
  // The read resolved with 4; the room of the second ack is read next.
  assert.equal(h.seqs(s.inbox), [1, 2, 3, 4]);
  await slow.release();
  assert.equal(h.seqs(s.inbox), [1, 2, 3, 4, 5]);
  assert.ok(sub.pending.size <= 3);
  await h.ack(s.ackInbox, 'plain', 3, 4, 5);
  while (slow.reads.length > 0) await slow.release();
  await h.ack(s.ackInbox, 'plain', ...h.seqs(s.inbox));
  while (slow.reads.length > 0) {
    await slow.release();
    await h.ack(s.ackInbox, 'plain', ...h.seqs(s.inbox));
  }
  assert.equal(h.seqs(s.inbox), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'each once, in order');
  await h.stop();
});

test('a subscription closed while its read is out drops the result', async () => {
  const { h, slow } = await setup('closed', 5);
  const s = await h.subscribe('a', 'closed');
  assert.is(slow.reads.length, 1);
  await h.unsubscribe('a', 'closed', s.ackInbox);
  await slow.release();
  assert.equal(h.seqs(s.inbox), []);
  assert.is(h.server.channels.get('closed')!.subs.size, 0);
  await h.stop();
});

test('a queue group reads for its members\' room and shares the batch', async () => {
  const { h, slow } = await setup('group', 6);
  const a = await h.subscribe('a', 'group', { queue: 'q', maxInFlight: 2 });
  assert.equal(
    slow.reads.map((r) => [r.from, r.max]),
    [[1, 2]],
  );
  const b = await h.subscribe('b', 'group', { queue: 'q', maxInFlight: 2 });
  assert.is(slow.reads.length, 1, 'one read for the group at a time');
  await slow.release();
  // The read was sized for A alone; the next one fills B's room.
  assert.equal(
    slow.reads.map((r) => [r.from, r.max]),
    [[3, 2]],
  );
  await slow.release();
  const all = [...h.seqs(a.inbox), ...h.seqs(b.inbox)].sort((x, y) => x - y);
  assert.equal(all, [1, 2, 3, 4]);
  assert.is(h.seqs(a.inbox).length, 2);
  assert.is(h.seqs(b.inbox).length, 2);
  const g = h.server.channels.get('group')!.queues.get('q')!;
  assert.is(g.lastSent, 4);
  await h.stop();
});

test('a full queue group starts no read, and a read that can send nothing starts no other', async () => {
  const { h, slow } = await setup('full', 4);
  const a = await h.subscribe('a', 'full', { queue: 'q', maxInFlight: 1 });
  await slow.release();
  assert.equal(h.seqs(a.inbox), [1]);
  assert.equal(slow.reads.length, 0, 'A is full: no read for 2');
  const g = h.server.channels.get('full')!.queues.get('q')!;
  assert.is(g.members[0]!.stalled, true);
  await h.publishN('b', 'full', 1);
  assert.equal(slow.reads.length, 0, 'a new message does not read while the group is full');
  await h.ack(a.ackInbox, 'full', 1);
  assert.equal(
    slow.reads.map((r) => [r.from, r.max]),
    [[2, 1]],
  );
  await slow.release();
  assert.equal(h.seqs(a.inbox), [1, 2]);
  assert.equal(slow.reads.length, 0);
  await h.stop();
});

test('redelivery of pending messages that are no longer in memory waits for their read', async () => {
  const store = new SlowStore();
  const h = await new Harness(store).start();
  await h.connect('a');
  const s = await h.subscribe('a', 'redeliver');
  await h.publishN('a', 'redeliver', 3);
  assert.equal(h.seqs(s.inbox), [1, 2, 3]);
  const slow = store.slow.get('redeliver')!;
  slow.missing = new Set([2]);
  await h.advance(ACK_WAIT_MS);
  assert.equal(h.seqs(s.inbox), [1, 2, 3], 'the timer pass waits for the read of 2');
  await h.ack(s.ackInbox, 'redeliver', 3);
  // A new message (in memory) arms the timer again; when it fires, the first pass still reads.
  await h.publishN('a', 'redeliver', 1);
  await h.advance(ACK_WAIT_MS);
  assert.is(slow.reads.length, 1, 'no second pass while the first one reads');
  await slow.release();
  const d = h.delivered(s.inbox).slice(3);
  assert.equal(
    d.map((m) => [m.seq, m.redelivered, m.count]),
    [
      [4, false, 0],
      [1, true, 1],
      [2, true, 1],
    ],
    'in order, once; 3, acked meanwhile, not redelivered',
  );
  await h.stop();
});

test('a durable resumed with pending messages not in memory gets them first, then new ones', async () => {
  const store = new SlowStore();
  const h = await new Harness(store).start();
  await h.connect('a');
  const s = await h.subscribe('a', 'dur', { durable: 'd', maxInFlight: 10 });
  await h.publishN('a', 'dur', 2);
  assert.equal(h.seqs(s.inbox), [1, 2]);
  await h.unsubscribe('a', 'dur', s.ackInbox, true);
  await h.publishN('a', 'dur', 1);
  const slow = store.slow.get('dur')!;
  slow.missing = undefined;
  const again = await h.subscribe('a', 'dur', { durable: 'd', maxInFlight: 10 });
  assert.equal(h.seqs(again.inbox), [], 'held for the read');
  await slow.release(); // pending 1 and 2
  assert.equal(
    h.delivered(again.inbox).map((m) => `${m.seq}${m.redelivered ? 'r' : ''}`),
    ['1r', '2r'],
  );
  await slow.release(); // the new message 3
  assert.equal(
    h.delivered(again.inbox).map((m) => `${m.seq}${m.redelivered ? 'r' : ''}`),
    ['1r', '2r', '3'],
  );
  await h.stop();
});

test('TimeDeltaStart: the start sequence comes from seqFromTimestamp; the response precedes the first message', async () => {
  const h = await new Harness().start();
  await h.connect('a');
  await h.publishN('a', 'time', 2);
  await h.advance(10_000);
  await h.publishN('a', 'time', 2);
  const inbox = '_INBOX.time';
  const req = { clientID: 'a', subject: 'time', inbox, maxInFlight: 10, ackWaitInSecs: 30, startPosition: 2, startTimeDelta: 5_000_000_000n };
  const { SubscriptionRequest } = await import('../../src/pb/protocol.js');
  h.transport.inject(h.info.subscribe, SubscriptionRequest.encode(req), `${inbox}.reply`);
  await h.advance(0);
  const order = h.transport.sent.filter((m) => m.subject.startsWith(inbox)).map((m) => m.subject);
  assert.equal(order, [`${inbox}.reply`, inbox, inbox]);
  assert.equal(h.seqs(inbox), [3, 4]);
  await h.stop();
});

test.run();
