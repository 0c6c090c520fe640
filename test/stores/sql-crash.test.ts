// The crash test on the SQL store (issue #14; test/helpers/crash.ts) on
// PostgreSQL: the server is SIGKILLed under async publishing and restarted
// on the same database; every message whose PubAck arrived is replayed.

import { runCrashSuite } from '../helpers/crash.js';
import { sqlServer, skipSuite, sqlSkipReason } from '../helpers/sql-db.js';

const why = sqlSkipReason('postgres');
if (why !== undefined) {
  await skipSuite('stores/sql-crash', why);
} else {
  const db = await sqlServer('postgres');
  runCrashSuite('stores/sql crash (postgres)', async () => ({
    args: ['-st', 'sql', '--sql_driver', 'postgres', '--sql_source', await db.newDatabase()],
    cleanup: () => {},
  }));
}
