// Operations as data (src/streaming/apply.ts, ops.ts): what a server
// applied, recorded as it happened (publishes, connects, subscriptions with
// the values the first server decided, sent and acked messages through
// delivery's journal, removals, closes) and applied in the same order to a
// second server, gives the same clients, channels and subscriptions: what
// a standby or a replica will rely on.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StanSub } from '../../src/streaming/model.js';
import { OpKind, type Op, type SentAndAckOp } from '../../src/streaming/ops.js';
import { Harness } from './fakes.js';

const test = suite('streaming/apply');

test('the operations a server applied, applied in order on a second one, give the same state', async () => {
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
