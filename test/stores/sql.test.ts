// The SQL store: the shared store contract (recovery and reads included)
// on PostgreSQL and on MariaDB, each a throwaway server of its own
// (test/helpers/sql-db.ts), a fresh database per store.

import { SqlStore, type SqlMsgStore } from '../../src/stores/sql/index.js';
import type { SqlDriver } from '../../src/stores/sql/options.js';
import type { Store } from '../../src/stores/store.js';
import { runStoreContract } from './contract.js';
import { sqlServer, skipSuite, sqlSkipReason, type SqlKind } from '../helpers/sql-db.js';

const sources = new WeakMap<Store, string>();

async function openSql(driver: SqlDriver, source: string): Promise<SqlStore> {
  const store = await SqlStore.open({ driver, source, noCaching: false, maxOpenConns: 0, bulkInsertLimit: 0 });
  sources.set(store, source);
  return store;
}

// SQL_KINDS=postgres (or mysql) runs one of them.
const kinds = (process.env.SQL_KINDS ?? 'postgres,mysql').split(',') as SqlKind[];
for (const kind of kinds) {
  const why = sqlSkipReason(kind);
  if (why !== undefined) {
    await skipSuite(`stores/sql ${kind}`, why);
    continue;
  }
  const server = await sqlServer(kind);
  const open = async () => openSql(kind, await server.newDatabase());
  runStoreContract(`SQL ${kind}`, open, {
    storeWideSubIds: true,
    reopen: async (s) => (await s.close(), openSql(kind, sources.get(s)!)),
    evict: async (m) => (m as SqlMsgStore).evictRecent(),
  });
}
