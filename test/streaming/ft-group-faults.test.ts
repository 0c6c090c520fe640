// An FT group's bad input (issue #13), as processes behind Debian's
// nats-server: a memory store, a second server without FT on the group's
// store, a store directory that cannot be reached, another active server
// that claims to have been first (split brain), the lock file removed
// under the active (it locks a new one): clear errors, nothing lost.

import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFtHeartbeat } from '../../src/streaming/ft-heartbeat.js';
import {
  ACK_TIMEOUT_MS, activeAndStandby, closeFtEnv, FT_CHANNEL, ftEnv, ftStatus, GROUP, lastSeq, Publisher, readAll, startMember,
} from '../helpers/ft-group.js';
import { ServerChild } from '../helpers/server-child.js';
import { closeClient, haveNatsServer, stanConnect, until } from '../helpers/stan.js';

const test = suite('streaming/ft-group-faults');
const CHANNEL = FT_CHANNEL;
/** Publishes in flight at once. */
const WINDOW = 200;

if (!haveNatsServer()) {
  console.log('SKIP streaming/ft-group-faults: nats-server is not installed (apt-get install nats-server)');
} else {
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

  test('the lock file removed under the active: it locks a new one, a standby stays out (or is stopped by the split brain guard), then takes over with everything', async () => {
    const e = await ftEnv();
    try {
      const [a, first] = await activeAndStandby(e);
      let b = first;
      // The OS lock's file, or the pid file that stands in for it without the addon (the WASM core).
      const lockFile = ['.rootdir.lck', '.pid.lck'].map((f) => join(e.dir, f)).find((f) => existsSync(f))!;
      unlinkSync(lockFile);
      // The active notices at its next heartbeat and locks a new lock file.
      await a.child.waitFor(/the store lock file ".*" was removed or replaced: locking it again/);
      await until(() => existsSync(lockFile), 'the new lock file');
      if (/Server is active/.test(b.child.stderr)) {
        // The standby missed a heartbeat (a loaded machine) before the new
        // lock file was there and locked the store too: the split brain
        // guard stopped it, as the later of the two actives.
        assert.is((await b.child.exited).code, 2);
        assert.match(b.child.stderr, /claims to be active, aborting/);
        b = await startMember(e.dir, e.url);
        e.members.push(b);
        await b.child.waitFor(/Starting in standby mode/);
      }
      const pub = await stanConnect(e.url, 'ft-pub-lck', { ackTimeout: ACK_TIMEOUT_MS });
      const publisher = new Publisher(pub, CHANNEL, WINDOW);
      await until(() => publisher.acked.size >= 200, 'acks', 30_000);
      // A standby that misses heartbeats now finds the lock taken.
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
