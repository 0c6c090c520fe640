// An FT group of two servers of ours on one file store behind Debian's
// nats-server (-ns), as processes (issue #13): under continuous async
// publishing from node-nats-streaming the active one is SIGKILLed; the
// standby takes over and every acknowledged message is readable, and the
// durable, queue and plain subscriptions of a connection that survived
// go on (receiving every acknowledged message, the unacknowledged ones
// redelivered) without reconnecting. A standby killed does not disturb the
// active one; the killed server restarted is a standby. Then bad input:
// a memory store, a second server without FT on the store, another active
// server that claims to be first, the lock file removed, a store
// directory that cannot be reached.

import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFtHeartbeat } from '../../src/streaming/ft-heartbeat.js';
import { ftStatus, GROUP, indexOf, lastSeq, type Member, Publisher, readAll, startMember } from '../helpers/ft-group.js';
import { ServerChild } from '../helpers/server-child.js';
import { closeClient, haveNatsServer, stanConnect, startGoNats, until } from '../helpers/stan.js';
import { stopProcess } from '../helpers/wait.js';

const test = suite('streaming/ft-group');
const CHANNEL = 'ft';
/** Publishes in flight at once. */
const WINDOW = 200;
/** Acknowledged messages before the kill, and after the takeover. */
const BEFORE = 300;
const AFTER = 300;
/** A publish lost in the takeover fails this fast (node-nats-streaming's default is 30 s). */
const ACK_TIMEOUT_MS = 2000;
/** The subscriptions' AckWait: what was sent and not acknowledged comes again this soon. */
const ACK_WAIT_MS = 2000;

interface Env {
  dir: string;
  url: string;
  nats: Awaited<ReturnType<typeof startGoNats>>;
  members: Member[];
}

async function setUp(): Promise<Env> {
  const nats = await startGoNats();
  return { dir: mkdtempSync(join(tmpdir(), 'stan-ft-')), url: `nats://127.0.0.1:${nats.port}`, nats, members: [] };
}

async function tearDown(e: Env): Promise<void> {
  for (const m of e.members) await m.child.stop('SIGKILL');
  await stopProcess(e.nats.proc);
  rmSync(e.dir, { recursive: true, force: true });
}

/** The first member (active once it logs ready) and a second one in standby. */
async function activeAndStandby(e: Env): Promise<[Member, Member]> {
  const a = await startMember(e.dir, e.url);
  e.members.push(a);
  await a.child.waitFor(/Streaming Server is ready/);
  const b = await startMember(e.dir, e.url);
  e.members.push(b);
  await b.child.waitFor(/Starting in standby mode/);
  return [a, b];
}

if (!haveNatsServer()) {
  console.log('SKIP streaming/ft-group: nats-server is not installed (apt-get install nats-server)');
} else {
  test('the active killed under publishing: the standby takes over, nothing acknowledged is lost, subscriptions go on', async () => {
    const e = await setUp();
    try {
      const [a, b] = await activeAndStandby(e);
      assert.equal(await ftStatus(a), { active: 200, state: 'FT_ACTIVE' });
      assert.equal(await ftStatus(b), { active: 204, state: 'FT_STANDBY' });
      assert.ok(a.child.stderr.includes('STREAM: Starting in standby mode\n'), 'the first member starts in standby too');
      assert.ok(a.child.stderr.includes('STREAM: Server is active\n'));

      const subscriber = await stanConnect(e.url, 'ft-subscriber');
      const received = { durable: new Set<number>(), queue: new Set<number>(), plain: new Set<number>() };
      const opts = () => subscriber.subscriptionOptions().setDeliverAllAvailable().setAckWait(ACK_WAIT_MS).setMaxInFlight(1000);
      const subs = [
        subscriber.subscribe(CHANNEL, opts().setDurableName('dur')),
        subscriber.subscribe(CHANNEL, 'workers', opts()),
        subscriber.subscribe(CHANNEL, opts()),
      ];
      const sets = [received.durable, received.queue, received.plain];
      subs.forEach((s: any, k: number) => s.on('message', (m: any) => sets[k]!.add(indexOf(m))));
      await Promise.all(subs.map((s: any) => new Promise((r) => s.once('ready', r))));

      const pub = await stanConnect(e.url, 'ft-publisher', { ackTimeout: ACK_TIMEOUT_MS });
      const publisher = new Publisher(pub, CHANNEL, WINDOW);
      await until(() => publisher.acked.size >= BEFORE, 'acks before the kill', 30_000);
      a.child.child.kill('SIGKILL');
      await a.child.exited;
      await b.child.waitFor(/STREAM: Server is active\n/);
      await b.child.waitFor(/Streaming Server is ready/);
      const ackedAtTakeover = publisher.acked.size;
      await until(() => publisher.acked.size >= ackedAtTakeover + AFTER, 'acks from the new active', 30_000);
      await publisher.stop();
      assert.equal(await ftStatus(b), { active: 200, state: 'FT_ACTIVE' });
      assert.ok(/Recovered 1 channel\(s\)/.test(b.child.stderr));

      // Every acknowledged message is in the store, in one gapless sequence.
      const last = await lastSeq(b, CHANNEL);
      const reader = await stanConnect(e.url, 'ft-reader');
      const bySeq = await readAll(reader, CHANNEL, last);
      const stored = new Set(bySeq);
      const lost = [...publisher.acked.keys()].filter((i) => !stored.has(i));
      assert.equal(lost, [], `acknowledged and lost: ${lost.length} of ${publisher.acked.size}`);
      assert.is(bySeq.length, last);

      // The connection that survived: each subscription gets every acknowledged message.
      for (const [name, set] of Object.entries(received)) {
        await until(() => [...publisher.acked.keys()].every((i) => set.has(i)), `the ${name} subscription's messages`, 20_000);
      }
      // Its heartbeats and requests go on with the new active: a new subscription works.
      const more = subscriber.subscribe(CHANNEL, subscriber.subscriptionOptions().setStartAtSequence(last));
      await new Promise((resolve) => more.once('message', resolve));
      await Promise.all([closeClient(pub), closeClient(subscriber), closeClient(reader)]);
    } finally {
      await tearDown(e);
    }
  });

  test('a standby killed does not disturb the active; the killed server restarted is a standby', async () => {
    const e = await setUp();
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
      await tearDown(e);
    }
  });

  test('bad input: a memory store, a second server without FT, a store that cannot be reached', async () => {
    const e = await setUp();
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
      await tearDown(e);
    }
  });

  test('two actives: the one that became active later aborts with the Go server\'s error', async () => {
    const e = await setUp();
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
      await tearDown(e);
    }
  });

  test('the lock file removed under the active: the standby waits on heartbeats, then takes over with everything', async () => {
    const e = await setUp();
    try {
      const [a, b] = await activeAndStandby(e);
      unlinkSync(join(e.dir, '.rootdir.lck'));
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
      await tearDown(e);
    }
  });
}

test.run();
