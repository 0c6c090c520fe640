// An FT group of two servers of ours on one file store behind Debian's
// nats-server (-ns), as processes (issue #13): under continuous async
// publishing from node-nats-streaming the active one is SIGKILLed; the
// standby takes over and every acknowledged message is readable, and the
// durable, queue and plain subscriptions of a connection that survived
// go on (receiving every acknowledged message, the unacknowledged ones
// redelivered) without reconnecting. A standby killed does not disturb the
// active one; the killed server restarted is a standby. Bad input is
// ft-group-faults.test.ts.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ACK_TIMEOUT_MS, activeAndStandby, closeFtEnv, FT_CHANNEL, ftEnv, ftStatus, killActiveUnderLoad, Publisher, startMember,
} from '../helpers/ft-group.js';
import { closeClient, haveNatsServer, stanConnect, until } from '../helpers/stan.js';

const test = suite('streaming/ft-group');
const CHANNEL = FT_CHANNEL;
/** Publishes in flight at once. */
const WINDOW = 200;

if (!haveNatsServer()) {
  console.log('SKIP streaming/ft-group: nats-server is not installed (apt-get install nats-server)');
} else {
  test('the active killed under publishing: the standby takes over, nothing acknowledged is lost, subscriptions go on', async () => {
    const e = await ftEnv();
    try {
      await killActiveUnderLoad(e, 'ours', 'ours');
      const [a, b] = e.members;
      assert.ok(a!.child.stderr.includes('STREAM: Starting in standby mode\n'), 'the first member starts in standby too');
      assert.match(b!.child.stderr, /STREAM: Recovered 1 channel\(s\)/);
    } finally {
      await closeFtEnv(e);
    }
  });

  test('a standby killed does not disturb the active; the killed server restarted is a standby; a standby stops on SIGINT', async () => {
    const e = await ftEnv();
    try {
      const [a, b] = await activeAndStandby(e);
      const pub = await stanConnect(e.url, 'ft-pub-2', { ackTimeout: ACK_TIMEOUT_MS });
      const publisher = new Publisher(pub, CHANNEL, WINDOW);
      await until(() => publisher.acked.size >= 100, 'acks', 30_000);
      b.child.child.kill('SIGKILL');
      await b.child.exited;
      const at = publisher.acked.size;
      await until(() => publisher.acked.size >= at + 200, 'acks after the standby died', 30_000);
      await publisher.stop();
      assert.is(publisher.failed, 0);
      assert.equal(await ftStatus(a), { active: 200, state: 'FT_ACTIVE' });

      const again = await startMember(e.dir, e.url);
      e.members.push(again);
      await again.child.waitFor(/Starting in standby mode/);
      // Two missed windows: it heard the heartbeats and stayed in standby.
      await new Promise((r) => setTimeout(r, 2600));
      assert.equal(await ftStatus(again), { active: 204, state: 'FT_STANDBY' });
      assert.not.match(again.child.stderr, /Server is active/);
      // A standby stops cleanly on SIGINT, and the active goes on.
      assert.is((await again.child.stop('SIGINT')).code, 0);
      assert.equal(await ftStatus(a), { active: 200, state: 'FT_ACTIVE' });
      await closeClient(pub);
    } finally {
      await closeFtEnv(e);
    }
  });
}

test.run();
