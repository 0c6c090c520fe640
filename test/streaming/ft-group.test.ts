// An FT group of two servers of ours on one file store behind Debian's
// nats-server (-ns), as processes (issue #13): under continuous async
// publishing from node-nats-streaming the active one is SIGKILLed; the
// standby takes over and every acknowledged message is readable, and the
// durable, queue and plain subscriptions of a connection that survived
// go on (receiving every acknowledged message, the unacknowledged ones
// redelivered) without reconnecting. A standby killed does not disturb the
// active one; the killed server restarted is a standby. Then bad input:
// a memory store, a second server without FT on the store, another active
// server that claims to be first, the lock file removed (the active
// locks a new one), a store directory that cannot be reached.

import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFtHeartbeat } from '../../src/streaming/ft-heartbeat.js';
import {
  ACK_TIMEOUT_MS, activeAndStandby, closeFtEnv, FT_CHANNEL, ftEnv, ftStatus, GROUP, killActiveUnderLoad, lastSeq, Publisher, readAll, startMember,
} from '../helpers/ft-group.js';
import { ServerChild } from '../helpers/server-child.js';
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

  test('a standby killed does not disturb the active; the killed server restarted is a standby', async () => {
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
      await closeClient(pub);
    } finally {
      await closeFtEnv(e);
    }
  });

  test('bad input: a memory store, a second server without FT, a store that cannot be reached', async () => {
    const e = await ftEnv();
    try {
      const mem = new ServerChild(['-ns', e.url, '--ft_group', GROUP]);
      const memExit = await mem.exit();
      assert.is(memExit.code, 1);
      assert.match(mem.stderr, 'ft: only FILE or SQL stores supported in FT mode');

      const [a] = await activeAndStandby(e);
      const plain = new ServerChild(['-st', 'file', '--dir', e.dir, '-ns', e.url]);
      assert.is((await plain.exit()).code, 1);
      assert.match(plain.stderr, /is in use by another server/);
      assert.equal(await ftStatus(a), { active: 200, state: 'FT_ACTIVE' });

      const file = join(e.dir, 'not-a-dir');
      writeFileSync(file, '');
      const unreachable = await startMember(join(file, 'store'), e.url, 'ours', ['-cid', 'other']);
      e.members.push(unreachable);
      await unreachable.child.waitFor(/ft: error attempting to get the store lock: ft: fatal error getting the store lock: /);
      assert.equal(await ftStatus(unreachable), { active: 204, state: 'FT_STANDBY' });
    } finally {
      await closeFtEnv(e);
    }
  });

  test('two actives: the one that became active later aborts with the Go server\'s error', async () => {
    const e = await ftEnv();
    try {
      const a = await startMember(e.dir, e.url);
      e.members.push(a);
      await a.child.waitFor(/Streaming Server is ready/);
      // Another member (on a store whose lock it got, say through a lock file removed) claims to be active since earlier.
      const { connect } = await import('nats');
      const nc = await connect({ servers: e.url });
      nc.publish(`_STAN.ft.test-cluster.${GROUP}`, encodeFtHeartbeat('EARLIER', 1_000_000_000n));
      await nc.flush();
      const exit = await a.child.exit();
      await nc.close();
      assert.is(exit.code, 2);
      assert.match(a.child.stderr, 'STREAM: ft: serverID "EARLIER" claims to be active, aborting');
    } finally {
      await closeFtEnv(e);
    }
  });

  test('the lock file removed under the active: it locks a new one, the standby stays out, then takes over with everything', async () => {
    const e = await ftEnv();
    try {
      const [a, b] = await activeAndStandby(e);
      unlinkSync(join(e.dir, '.rootdir.lck'));
      // The active notices at its next heartbeat and locks a new lock file.
      await a.child.waitFor(/the store lock file ".*" was removed or replaced: locking it again/);
      await until(() => existsSync(join(e.dir, '.rootdir.lck')), 'the new lock file');
      const pub = await stanConnect(e.url, 'ft-pub-lck', { ackTimeout: ACK_TIMEOUT_MS });
      const publisher = new Publisher(pub, CHANNEL, WINDOW);
      await until(() => publisher.acked.size >= 200, 'acks', 30_000);
      assert.not.match(b.child.stderr, /Server is active/);
      a.child.child.kill('SIGKILL');
      await b.child.waitFor(/Streaming Server is ready/);
      await publisher.stop();
      const reader = await stanConnect(e.url, 'ft-reader-lck');
      const stored = new Set(await readAll(reader, CHANNEL, await lastSeq(b, CHANNEL)));
      assert.equal([...publisher.acked.keys()].filter((i) => !stored.has(i)), []);
      await Promise.all([closeClient(pub), closeClient(reader)]);
    } finally {
      await closeFtEnv(e);
    }
  });
}

test.run();
