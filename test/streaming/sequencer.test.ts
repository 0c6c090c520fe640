// The sequencer (src/streaming/sequencer.ts; STAN-REFERENCE §2.4, §4 items
// 12-13): publishes stored at once and completed per batch (flush, then
// delivery, then the PubAcks), other operations applied behind the
// publishes before them, and a failed flush answered with error PubAcks
// that leave nothing deliverable. Over the fakes (no sockets, no real time).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
