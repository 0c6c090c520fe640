// An FT group on the SQL store (issues #13 and #14): two of ours on one
// PostgreSQL database behind Debian's nats-server, the StoreLock row as the
// group's lock. Under async publishing from node-nats-streaming the active
// one is SIGKILLed; the standby steals the lock once its tick stops, takes
// over, and every acknowledged message is readable while the subscriptions
// of the connection that survived go on.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeFtEnv, ftEnv, killActiveUnderLoad } from '../helpers/ft-group.js';
import { haveNatsServer } from '../helpers/go-nats.js';
import { skipSuite, sqlServer, sqlSkipReason } from '../helpers/sql-db.js';

const why = sqlSkipReason('postgres') ?? (haveNatsServer() ? undefined : 'nats-server is not installed (apt-get install nats-server)');
if (why !== undefined) {
  await skipSuite('stores/sql-ft', why);
} else {
  const db = await sqlServer('postgres');
  const test = suite('stores/sql-ft');

  test('the active killed under publishing: the standby takes the StoreLock row over, nothing acknowledged is lost', async () => {
    const e = await ftEnv();
    e.storeArgs = ['-st', 'sql', '--sql_driver', 'postgres', '--sql_source', await db.newDatabase()];
    try {
      await killActiveUnderLoad(e, 'ours', 'ours');
      assert.match(e.members[1]!.child.stderr, /STREAM: Server is active/);
    } finally {
      await closeFtEnv(e);
    }
  });

  test.run();
}
