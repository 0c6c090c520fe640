// An FT group of two servers of ours on one file store behind Debian's
// nats-server (-ns), as processes (issue #13): under continuous async
// publishing from node-nats-streaming the active one is SIGKILLed; the
// standby takes over and every acknowledged message is readable, and the
// durable, queue and plain subscriptions of a connection that survived
// go on (receiving every acknowledged message, the unacknowledged ones
// redelivered) without reconnecting. A standby killed does not disturb the
// active one; the killed server restarted is a standby. And in one
// process on the embedded NATS server with short test timings: a graceful
// shutdown of the active hands over too. Bad input is
// ft-group-faults.test.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../src/log/logger.js';
import type { NatsServer } from '../../src/nats/server.js';
import { FileStore } from '../../src/stores/file/index.js';
import { startInStandby } from '../../src/streaming/ft-group.js';
import { defaultStanOptions } from '../../src/streaming/options.js';
import { StanServer } from '../../src/streaming/server.js';
import { EmbeddedTransport } from '../../src/streaming/transport-embedded.js';
import {
  ACK_TIMEOUT_MS, activeAndStandby, closeFtEnv, FT_CHANNEL, ftClusterEnv, ftEnv, ftStatus, GROUP, killActiveUnderLoad, Publisher, startMember,
} from '../helpers/ft-group.js';
import { startServer } from '../helpers/nats.js';
import { closeClient, haveNatsServer, publish, sleep, stanConnect, until } from '../helpers/stan.js';

const test = suite('streaming/ft-group');

/** Short heartbeat timings for the in-process group (the real ones are 1 s and 1.25 s). */
const FAST = { hbIntervalMs: 50, missedMs: 100 };

/** A streaming server of the group on the embedded NATS server, on a file store of `dir`, in standby. */
function inProcessMember(nats: NatsServer, dir: string, fatals: string[]): StanServer {
  const s = new StanServer({ ...defaultStanOptions() }, new FileStore({ dir }), new EmbeddedTransport(nats, 'ft-member'), silentLogger);
  startInStandby(s, GROUP, () => s.start(), { timings: FAST, fatal: (err) => fatals.push(err.message) });
  return s;
}

test('in process on the embedded NATS server: one active, one standby; the active shut down, the standby serves', async () => {
  const nats = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'stan-ft-embedded-'));
  const fatals: string[] = [];
  const a = inProcessMember(nats, dir, fatals);
  let b: StanServer | undefined;
  try {
    await until(() => a.ft?.state === 'FT_ACTIVE', 'the first member active');
    b = inProcessMember(nats, dir, fatals);
    const url = `nats://127.0.0.1:${nats.port}`;
    const sc = await stanConnect(url, 'ft-embedded', { ackTimeout: ACK_TIMEOUT_MS });
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) acked.push(await publish(sc, CHANNEL, `m${i}`));
    // Many missed windows long: the standby hears the heartbeats (or finds the lock held).
    await sleep(20 * FAST.missedMs);
    assert.is(b.ft?.state, 'FT_STANDBY');
    await a.shutdown();
    await until(() => b!.ft?.state === 'FT_ACTIVE', 'the standby active');
    for (let i = 20; i < 40; i++) acked.push(await publish(sc, CHANNEL, `m${i}`));
    assert.is(b.channels.get(CHANNEL)?.msgs.lastSeq, 40);
    assert.equal(fatals, []);
    await closeClient(sc);
  } finally {
    await a.shutdown().catch(() => undefined);
    await b?.shutdown();
    await nats.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
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

  test('an embedded route cluster of two: the active node SIGKILLed, the standby takes over, clients on its node carry on', async () => {
    const e = await ftClusterEnv();
    try {
      await killActiveUnderLoad(e, 'ours', 'ours');
      assert.match(e.members[1]!.child.stderr, /STREAM: Recovered 1 channel\(s\)/);
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
