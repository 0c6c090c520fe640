// The FT lock of the SQL store (STAN-REFERENCE §8.1; src/stores/sql/lock.ts)
// on PostgreSQL and MariaDB: one owner of the StoreLock row at a time, a
// free row after a clean close, a row whose tick stopped moving stolen
// after 3 x 1.5 update intervals (injected clock), and an owner that finds
// another id in the row told it lost the lock.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlStore } from '../../src/stores/sql/index.js';
import { SqlLock } from '../../src/stores/sql/lock.js';
import { dialectOf } from '../../src/stores/sql/dialect.js';
import { openDb } from '../../src/stores/sql/drivers.js';
import { parseSource, type SqlDriver } from '../../src/stores/sql/options.js';
import { sqlServer, skipSuite, sqlSkipReason, type SqlKind } from '../helpers/sql-db.js';

const kinds = (process.env.SQL_KINDS ?? 'postgres,mysql').split(',') as SqlKind[];

for (const kind of kinds) {
  const why = sqlSkipReason(kind);
  if (why !== undefined) {
    await skipSuite(`stores/sql-lock ${kind}`, why);
    continue;
  }
  const server = await sqlServer(kind);
  const driver = kind as SqlDriver;
  const open = (source: string) => SqlStore.open({ driver, source, noCaching: false, maxOpenConns: 0, bulkInsertLimit: 0 });
  const t = suite(`stores/sql ${kind} FT lock`);

  t('one owner at a time; a clean close frees the row at once', async () => {
    const source = await server.newDatabase();
    const a = await open(source);
    const b = await open(source);
    try {
      assert.is(await a.lock(), true);
      assert.is(await a.lock(), true);
      assert.is(await b.lock(), false);
      await a.close();
      assert.is(await b.lock(), true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  t('a row whose tick stopped is stolen after 3 x 1.5 intervals; an owner finding another id is told it lost the lock', async () => {
    const source = await server.newDatabase();
    await (await open(source)).close(); // creates the tables
    const d = dialectOf(driver);
    const db = await openDb(driver, parseSource(driver, source), { maxConns: 2 });
    let now = 0;
    const lost: string[] = [];
    const a = new SqlLock(db, d, (w) => lost.push(w), () => now, 20);
    const b = new SqlLock(db, d, () => {}, () => now, 20);
    try {
      assert.is(await a.tryLock(), true);
      a.stop(); // a hangs: its tick no longer moves
      assert.is(await b.tryLock(), false);
      now += 80; // 4 intervals: not yet 4.5
      assert.is(await b.tryLock(), false);
      now += 10;
      assert.is(await b.tryLock(), true, 'stolen');
      // a, alive again, checks the row: another id is there.
      const c = new SqlLock(db, d, (w) => lost.push(w), () => now, 20);
      await db.query(d.sql("UPDATE StoreLock SET id=?, tick=1"), [c.id]);
      assert.is(await c.tryLock(), true);
      await db.query(d.sql('UPDATE StoreLock SET id=?'), ['intruder']);
      const deadline = Date.now() + 5000;
      while (lost.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.match(lost[0] ?? '', /store lock taken by "intruder"/);
      b.stop();
      c.stop();
    } finally {
      await db.close();
    }
  });

  t.run();
}
