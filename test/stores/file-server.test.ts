// The FILE store under the streaming server, through a real restart with
// node-nats-streaming clients (issue #5): durables resume where they were,
// messages keep their sequences and timestamps, queue groups and
// subscriptions come back, and new messages follow the recovered ones.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileStore } from '../../src/stores/file/index.js';
import { closeClient, publish, stanConnect, startStan, type StanFixture } from '../helpers/stan.js';
import { publishRange, range, subscribe } from '../helpers/stan-sub.js';
import { subscriptionsOf } from '../helpers/stan-state.js';
import { until } from '../helpers/wait.js';
import { tempDir } from './file-helpers.js';

const start = (dir: string): Promise<StanFixture> => startStan({ store: new FileStore({ dir }) });

const srv = suite('stores/file under the server');

srv('a restart resumes durables, sequences and timestamps', async () => {
  const dir = tempDir();
  let s = await start(dir);
  let stamps: bigint[] = [];
  try {
    const sc = await stanConnect(s.url, 'c1');
    await publishRange(sc, 'orders', 1, 10);
    const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100, ackWaitMs: 60_000 });
    await dur.waitCount(10);
    stamps = dur.got.map((m) => BigInt(m.msg.getTimestampRaw()));
    dur.ack(1, 2, 3, 4, 5);
    // A plain subscription and a durable queue group too.
    await subscribe(sc, 'orders', { queue: 'workers', durable: 'q', start: 'first' });
    await publish(sc, 'orders', 'm11');
    await dur.waitSeq(11);
    dur.ack(11);
    // Acks are asynchronous: wait until the server has taken them (6..10 left pending).
    await until(() => subscriptionsOf(s.stan, 'orders').find((x) => x.durable_name === 'dur')?.pending_count === 5, 'the acks of 1-5 and 11');
    await dur.close();
    await closeClient(sc);
  } finally {
    await s.stop();
  }

  s = await start(dir);
  try {
    const ch = s.stan.channels.get('orders')!;
    assert.equal(ch.msgs.state().msgs, 11);
    const sc = await stanConnect(s.url, 'c1');
    // The durable resumes: its unacked messages first, with their sequences and timestamps.
    const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100 });
    await dur.waitCount(5);
    assert.equal(dur.seqs(), range(6, 10));
    assert.equal(
      dur.got.map((m) => BigInt(m.msg.getTimestampRaw())),
      stamps.slice(5, 10),
    );
    assert.equal(
      dur.got.map((m) => m.data),
      range(6, 10).map((i) => `m${i}`),
    );
    assert.ok(dur.got.every((m) => m.redelivered));
    // New messages follow the recovered ones.
    await publish(sc, 'orders', 'm12');
    await dur.waitSeq(12);
    const last = dur.got.find((m) => m.seq === 12)!;
    assert.is(last.data, 'm12');
    assert.ok(BigInt(last.msg.getTimestampRaw()) >= stamps[9]!);
    // A new subscription from a sequence reads the recovered messages back.
    const from = await subscribe(sc, 'orders', { start: { seq: 3 } });
    await from.waitCount(10);
    assert.equal(from.seqs(), range(3, 12));
    await closeClient(sc);
  } finally {
    await s.stop();
  }
});

srv('a second server on the same directory is refused', async () => {
  const dir = tempDir();
  const s = await start(dir);
  try {
    const other = new FileStore({ dir });
    try {
      await other.recover();
      assert.unreachable('second store opened');
    } catch (err) {
      assert.match((err as Error).message, 'already in use');
    }
  } finally {
    await s.stop();
  }
});

srv.run();
