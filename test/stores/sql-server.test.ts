// The SQL store under the streaming server with node-nats-streaming
// clients (issue #14): publish, subscribe, a restart resuming a durable
// where it was; and the server process on `-st sql`: tables created and
// logged, the source's password never printed, a database that is down at
// start refused with an error naming host and database, exit non-zero.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlStore } from '../../src/stores/sql/index.js';
import type { SqlDriver } from '../../src/stores/sql/options.js';
import { closeClient, publish, stanConnect, startStan, type StanFixture } from '../helpers/stan.js';
import { publishRange, range, subscribe } from '../helpers/stan-sub.js';
import { subscriptionsOf } from '../helpers/stan-state.js';
import { until } from '../helpers/wait.js';
import { ServerChild } from '../helpers/server-child.js';
import { SQL_PASSWORD, sqlServer, skipSuite, sqlSkipReason, type SqlKind } from '../helpers/sql-db.js';
import { freePort } from '../../bench/server-proc.js';

const kinds = (process.env.SQL_KINDS ?? 'postgres,mysql').split(',') as SqlKind[];

for (const kind of kinds) {
  const why = sqlSkipReason(kind);
  if (why !== undefined) {
    await skipSuite(`stores/sql-server ${kind}`, why);
    continue;
  }
  const db = await sqlServer(kind);
  const start = async (source: string): Promise<StanFixture> =>
    startStan({ store: await SqlStore.open({ driver: kind as SqlDriver, source, noCaching: false, maxOpenConns: 0, bulkInsertLimit: 0 }) });

  const srv = suite(`stores/sql ${kind} under the server`);

  srv('publish, subscribe, and a restart resuming a durable with its pending messages', async () => {
    const source = await db.newDatabase();
    let s = await start(source);
    let stamps: bigint[] = [];
    try {
      const sc = await stanConnect(s.url, 'c1');
      await publishRange(sc, 'orders', 1, 10);
      const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100, ackWaitMs: 60_000 });
      await dur.waitCount(10);
      stamps = dur.got.map((m) => BigInt(m.msg.getTimestampRaw()));
      dur.ack(1, 2, 3, 4, 5);
      await publish(sc, 'orders', 'm11');
      await dur.waitSeq(11);
      dur.ack(11);
      await until(() => subscriptionsOf(s.stan, 'orders').find((x) => x.durable_name === 'dur')?.pending_count === 5, 'the acks of 1-5 and 11');
      await dur.close();
      await closeClient(sc);
    } finally {
      await s.stop();
    }

    s = await start(source);
    try {
      assert.equal(s.stan.channels.get('orders')!.msgs.state().msgs, 11);
      const sc = await stanConnect(s.url, 'c1');
      const dur = await subscribe(sc, 'orders', { durable: 'dur', start: 'first', manual: true, maxInFlight: 100 });
      await dur.waitCount(5);
      assert.equal(dur.seqs(), range(6, 10));
      assert.equal(dur.got.map((m) => BigInt(m.msg.getTimestampRaw())), stamps.slice(5, 10));
      assert.equal(dur.got.map((m) => m.data), range(6, 10).map((i) => `m${i}`));
      assert.ok(dur.got.every((m) => m.redelivered));
      await publish(sc, 'orders', 'm12');
      await dur.waitSeq(12);
      const from = await subscribe(sc, 'orders', { start: { seq: 3 } });
      await from.waitCount(10);
      assert.equal(from.seqs(), range(3, 12));
      await closeClient(sc);
    } finally {
      await s.stop();
    }
  });

  srv('the server process on -st sql: tables created and logged, no password in the output', async () => {
    const source = await db.newDatabase();
    const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-st', 'sql', '--sql_driver', kind, '--sql_source', source]);
    try {
      await s.waitFor(/Streaming Server is ready/);
      assert.match(s.stderr, /SQL store: created the missing tables ServerInfo, Clients, Channels, Messages, Subscriptions, SubsPending, StoreLock/);
      assert.match(s.stderr, /Message store is SQL/);
      assert.match(s.stderr, /Store location: (postgres|mysql) .*\*\*\*\*/);
      assert.not.ok(s.stderr.includes(SQL_PASSWORD), 'the password is not logged');
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });

  srv('a database that is down at start: an error naming host and database, exit non-zero', async () => {
    const port = await freePort(); // nothing listens there
    const source =
      kind === 'postgres'
        ? `host=127.0.0.1 port=${port} user=stan password=${SQL_PASSWORD} dbname=gone sslmode=disable`
        : `stan:${SQL_PASSWORD}@tcp(127.0.0.1:${port})/gone`;
    const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-st', 'sql', '--sql_driver', kind, '--sql_source', source]);
    const exit = await s.exited;
    assert.ok(exit.code !== 0 && exit.code !== null, `exit code ${exit.code}`);
    assert.match(s.stderr, new RegExp(`database "gone" on 127\\.0\\.0\\.1:${port}`));
    assert.not.ok(s.stderr.includes(SQL_PASSWORD), 'the password is not printed');
  });

  srv.run();
}
