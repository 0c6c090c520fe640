// The SQL store against the Go server (issue #14) on one PostgreSQL
// database, with node-nats-streaming: what the Go server wrote opens in
// ours with a durable resuming in the right place, and the Go server reads
// back what ours wrote (the same durable, a message ours stored). The Go
// server's path comes from GO_STAN_SERVER; skipped when unset.

import { existsSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlStore } from '../../src/stores/sql/index.js';
import { dialectOf, TABLES } from '../../src/stores/sql/dialect.js';
import { openDb } from '../../src/stores/sql/drivers.js';
import { parseSource } from '../../src/stores/sql/options.js';
import { closeClient, publish, stanConnect, startStan } from '../helpers/stan.js';
import { publishRange, range, subscribe } from '../helpers/stan-sub.js';
import { sqlServer, skipSuite, sqlSkipReason } from '../helpers/sql-db.js';
import { subscriptionsOf } from '../helpers/stan-state.js';
import { until } from '../helpers/wait.js';
import { ServerChild } from '../helpers/server-child.js';

const GO = process.env.GO_STAN_SERVER;
const why = GO === undefined || !existsSync(GO) ? 'GO_STAN_SERVER is not set to the Go nats-streaming-server binary' : sqlSkipReason('postgres');

/** The Go server on the database `source`, ready. */
async function startGo(source: string): Promise<{ url: string; stop(): Promise<unknown> }> {
  const go = new ServerChild(['-a', '127.0.0.1', '-p', '-1', '-st', 'sql', '--sql_driver', 'postgres', '--sql_source', source], GO);
  const port = await go.port();
  await go.waitFor(/Streaming Server is ready/);
  return { url: `nats://127.0.0.1:${port}`, stop: () => go.stop('SIGTERM') };
}

if (why !== undefined) {
  await skipSuite('stores/sql-go-interop', why);
} else {
  const db = await sqlServer('postgres');
  const t = suite('stores/sql interop with the Go server (postgres)');

  t('Go writes, ours resumes the durable; ours writes, Go resumes it', async () => {
    const source = await db.newDatabase();
    // The Go server wants the tables made beforehand (its scripts/postgres.db.sql).
    const conn = await openDb('postgres', parseSource('postgres', source), { maxConns: 1 });
    for (const tbl of TABLES) for (const s of dialectOf('postgres').create(tbl)) await conn.query(s);
    await conn.close();

    const go = await startGo(source);
    try {
      const sc = await stanConnect(go.url, 'c1');
      await publishRange(sc, 'orders', 1, 10);
      const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100, ackWaitMs: 60_000 });
      await dur.waitCount(10);
      dur.ack(1, 2, 3, 4, 5);
      await new Promise((r) => setTimeout(r, 300)); // acks are fire-and-forget; the Go server has no hook to wait on
      await dur.close();
      await closeClient(sc);
    } finally {
      await go.stop();
    }

    const store = await SqlStore.open({ driver: 'postgres', source, noCaching: false, maxOpenConns: 0, bulkInsertLimit: 0 });
    const ours = await startStan({ store });
    try {
      assert.equal(ours.stan.channels.get('orders')!.msgs.state().msgs, 10);
      const sc = await stanConnect(ours.url, 'c1');
      const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100, ackWaitMs: 60_000 });
      await dur.waitCount(5);
      assert.equal(dur.seqs(), range(6, 10));
      assert.equal(dur.got.map((m) => m.data), range(6, 10).map((i) => `m${i}`));
      dur.ack(6, 7);
      await publish(sc, 'orders', 'm11');
      await dur.waitSeq(11);
      await until(() => subscriptionsOf(ours.stan, 'orders').find((x) => x.durable_name === 'dur')?.pending_count === 4, 'the acks of 6 and 7');
      await ours.stan.channels.get('orders')!.subStore.flush();
      await dur.close();
      await closeClient(sc);
    } finally {
      await ours.stop();
    }

    const again = await startGo(source);
    try {
      const sc = await stanConnect(again.url, 'c1');
      const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100 });
      await dur.waitCount(4);
      assert.equal(dur.seqs().sort((a, b) => a - b), [8, 9, 10, 11]);
      assert.is(dur.got.find((m) => m.seq === 11)!.data, 'm11');
      const all = await subscribe(sc, 'orders', { start: 'first' });
      await all.waitCount(11);
      assert.equal(all.seqs(), range(1, 11));
      await closeClient(sc);
    } finally {
      await again.stop();
    }
  });

  t.run();
}
