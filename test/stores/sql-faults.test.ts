// The SQL store when its database goes away while the server runs (issue
// #14), with node-nats-streaming clients on PostgreSQL: publishes get error
// PubAcks (never an "ok" for what is not stored), the store reconnects with
// back-off once the database is back, publishing resumes, and every
// acknowledged message is delivered, in contiguous sequences. This file
// stops and restarts its own database server.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlStore } from '../../src/stores/sql/index.js';
import { closeClient, pubResult, stanConnect, startStan } from '../helpers/stan.js';
import { subscribe } from '../helpers/stan-sub.js';
import { sqlServer, skipSuite, sqlSkipReason } from '../helpers/sql-db.js';

const why = sqlSkipReason('postgres');
if (why !== undefined) {
  await skipSuite('stores/sql-faults', why);
} else {
  const db = await sqlServer('postgres');
  const t = suite('stores/sql faults (postgres)');

  t('database lost while running: error PubAcks, reconnect, resume, nothing acknowledged lost', async () => {
    const source = await db.newDatabase();
    const store = await SqlStore.open({ driver: 'postgres', source, noCaching: false, maxOpenConns: 0, bulkInsertLimit: 0 });
    const s = await startStan({ store });
    try {
      const sc = await stanConnect(s.url, 'c1');
      const acked: string[] = [];
      const send = async (data: string) => {
        const err = await pubResult(sc, 'orders', data);
        if (err === '') acked.push(data);
        return err;
      };
      for (let i = 0; i < 5; i++) assert.is(await send(`before-${i}`), '');
      await db.stop();
      // Nothing can be stored: the PubAck carries the error.
      const err = await send('while-down');
      assert.match(err, /sql: /);
      await db.start();
      // Back-off, reconnection: publishing works again.
      let n = 0;
      while ((await send(`after-${n++}`)) !== '') assert.ok(n < 1000, 'a publish acknowledged after the database is back');
      for (let i = 0; i < 5; i++) assert.is(await send(`later-${i}`), '');
      const sub = await subscribe(sc, 'orders', { start: 'first' });
      const last = s.stan.channels.get('orders')!.msgs.lastSeq;
      await sub.waitCount(last);
      const seqs = sub.seqs();
      seqs.forEach((q, i) => assert.is(q, i + 1, 'contiguous sequences'));
      const got = new Set(sub.got.map((m) => m.data));
      for (const a of acked) assert.ok(got.has(a), `acknowledged "${a}" delivered`);
      await closeClient(sc);
    } finally {
      await s.stop();
    }
  });

  t.run();
}
