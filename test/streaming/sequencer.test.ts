// The sequencer (src/streaming/sequencer.ts; STAN-REFERENCE §2.4, §4 items
// 12-13): publishes stored at once and completed per batch (flush, then
// delivery, then the PubAcks), other operations applied behind the
// publishes before them, and a failed flush answered with error PubAcks
// that leave nothing deliverable. Over the fakes (no sockets, no real time).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StanSub } from '../../src/streaming/model.js';
import { OpKind, type Op, type SentAndAckOp } from '../../src/streaming/ops.js';
import { Harness, SlowStore } from './fakes.js';

const test = suite('streaming/sequencer');

async function setup(channel: string): Promise<{ h: Harness; store: SlowStore }> {
  const store = new SlowStore();
  const h = await new Harness(store).start();
  await h.connect('a');
  await h.publishN('a', channel, 1); // creates the channel (and its SlowMsgStore)
  return { h, store };
}

test('a failed flush answers the batch\'s publishers with the store\'s error and delivers nothing', async () => {
  const { h, store } = await setup('fail');
  const s = await h.subscribe('a', 'fail');
  assert.equal(h.seqs(s.inbox), [1]);
  const slow = store.slow.get('fail')!;
  slow.flushError = new Error('no space left on device');
  const acks = [h.publish('a', 'fail', 'x'), h.publish('a', 'fail', 'y')];
  await h.advance(0);
  assert.equal(
    acks.map((r) => h.pubAck(r)),
    ['no space left on device', 'no space left on device'],
  );
  const c = h.server.channels.get('fail')!;
  assert.is(c.deliverable, 1, 'nothing new is deliverable');
  assert.equal(h.seqs(s.inbox), [1]);
  // A publish to another channel in the same batch is not affected.
  slow.flushError = undefined;
  const ok = h.publish('a', 'fail', 'z');
  await h.advance(0);
  assert.is(h.pubAck(ok), '');
  await h.stop();
});

test('PubAcks and delivery wait for the flush; delivery goes out before the PubAck', async () => {
  const { h, store } = await setup('order');
  const s = await h.subscribe('a', 'order');
  const slow = store.slow.get('order')!;
  slow.holdFlushes = true;
  const ack = h.publish('a', 'order', 'x');
  await h.advance(0);
  assert.is(h.pubAck(ack), undefined, 'no PubAck before the flush');
  assert.equal(h.seqs(s.inbox), [1]);
  // Messages published while a flush runs are stored at once and wait for the next one.
  const ack2 = h.publish('a', 'order', 'y');
  await h.advance(0);
  assert.is(h.server.channels.get('order')!.msgs.lastSeq, 3);
  await slow.openFlushes();
  await h.advance(0);
  assert.equal(h.seqs(s.inbox), [1, 2, 3]);
  assert.equal([h.pubAck(ack), h.pubAck(ack2)], ['', '']);
  const subjects = h.transport.sent.map((m) => m.subject);
  assert.ok(subjects.indexOf(s.inbox, subjects.indexOf(s.inbox) + 1) < subjects.indexOf(ack), 'message 2 before its PubAck');
  await h.stop();
});

test('an unsubscribe waits for the publishes received before it: their messages are delivered first', async () => {
  const { h, store } = await setup('unsub');
  const s = await h.subscribe('a', 'unsub');
  const slow = store.slow.get('unsub')!;
  slow.holdFlushes = true;
  h.publish('a', 'unsub', 'x');
  await h.unsubscribe('a', 'unsub', s.ackInbox);
  assert.is(h.on(`_INBOX.unsub.${s.ackInbox}`).length, 0, 'no response while the publish before it is flushing');
  assert.is(h.server.channels.get('unsub')!.plain.size, 1);
  await slow.openFlushes();
  assert.equal(h.seqs(s.inbox), [1, 2]);
  assert.is(h.on(`_INBOX.unsub.${s.ackInbox}`).length, 1);
  assert.is(h.server.channels.get('unsub')!.plain.size, 0);
  await h.stop();
});

test('operations: applying the same operations on a second server reaches the same state', async () => {
  const h = await new Harness().start();
  const log: Op[] = [];
  const applier = h.server.applier;
  const apply = applier.apply.bind(applier);
  const publish = applier.publish.bind(applier);
  applier.apply = (op) => (log.push(structuredClone(op)), apply(op));
  applier.publish = (op) => (log.push({ ...op, data: op.data.slice() }), publish(op));
  const sentAndAck = (sub: StanSub, sent: number[], acked: number[]): SentAndAckOp => ({
    kind: OpKind.SentAndAck,
    channel: sub.channel.name,
    subId: sub.state.id,
    sent,
    acked,
  });
  h.server.delivery.journal = {
    sent: (sub, seq) => log.push(sentAndAck(sub, [seq], [])),
    acked: (sub, seq) => log.push(sentAndAck(sub, [], [seq])),
  };
  await h.connect('a');
  await h.connect('b');
  await h.publishN('a', 'replay', 3);
  const s = await h.subscribe('a', 'replay', { durable: 'd', maxInFlight: 2 });
  await h.ack(s.ackInbox, 'replay', 1);
  await h.subscribe('b', 'replay', { queue: 'q', startPosition: 0 });
  await h.unsubscribe('a', 'replay', s.ackInbox, true);
  await h.publishN('b', 'other', 1);
  await h.closeClient('b');

  const replica = await new Harness().start();
  for (const op of log) {
    if (op.kind === OpKind.Publish) replica.server.applier.publish(op);
    else replica.server.applier.apply(op);
  }
  const state = (x: Harness) => ({
    clients: [...x.server.clients.values()].map((c) => c.id),
    channels: [...x.server.channels.values()].map((c) => ({
      name: c.name,
      last: c.msgs.lastSeq,
      ts: c.lastTimestamp,
      nextSubId: c.nextSubId,
      subs: [...c.subs].map((sub) => ({ ...sub.state, group: sub.group?.name, pending: [...sub.pending.keys()] })),
    })),
  });
  assert.equal(state(replica), state(h));
  await replica.stop();
  await h.stop();
});

test.run();
