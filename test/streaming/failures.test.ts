// A request whose serving throws is answered with an error and the server
// keeps serving (issue #18 item 1; src/streaming/failures.ts). Over real
// sockets with node-nats-streaming on the FILE store: a channel name the
// filesystem refuses (300 bytes: ENAMETOOLONG) by publishing and by
// subscribing, on the embedded NATS server and with -ns. Over the fakes: a
// store whose writes throw (a full disk) for connect, subscribe,
// unsubscribe, subscription close and close, each answered with the
// store's text in its response and changing no state; a redelivery (its
// read) and an idle channel's deletion that throw in a timer; a heartbeat
// whose request throws; a NUL byte in a channel name reaching the file
// store.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger, type ServerLogger } from '../../src/log/logger.js';
import * as pb from '../../src/pb/protocol.js';
import { FileStore } from '../../src/stores/file/index.js';
import { DEFAULT_STORE_LIMITS } from '../../src/stores/store.js';
import type { StanOptions } from '../../src/streaming/options.js';
import { pubResult, publish, until } from '../helpers/stan.js';
import { type Env, withEnv } from '../helpers/stan-env.js';
import { subscribe, subscribeError, uniqueId, variants, type Variant } from '../helpers/stan-sub.js';
import { FailingStore, Harness } from './fakes.js';

/** A name the filesystem refuses as a directory (over 255 bytes). */
const TOO_LONG = 'a'.repeat(300);

/** A logger that keeps its ERR lines. */
function errLog(): { log: ServerLogger; errors: string[] } {
  const errors: string[] = [];
  return { log: { ...silentLogger, error: (t: string) => void errors.push(t) }, errors };
}

/** The message a promise rejects with (fails if it resolves). */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('resolved; a rejection was expected');
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'stan-failures-'));
}

/** Runs fn on a server of the variant over a FILE store in a fresh directory, with the ERR lines it logs. */
async function onFileStore(v: Variant, fn: (env: Env, errors: string[]) => Promise<void>): Promise<void> {
  const dir = tempDir();
  const { log, errors } = errLog();
  try {
    await withEnv(v, { store: new FileStore({ dir }), log }, (env) => fn(env, errors));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Another channel works, end to end. */
async function assertServes(sc: unknown): Promise<void> {
  const s = await subscribe(sc, 'other');
  await publish(sc, 'other', 'after');
  await until(() => s.got.length === 1, 'the message after');
  assert.equal(s.got.map((m) => m.data), ['after']);
}

function socketSuite(v: Variant): void {
  const test = suite(`streaming/failures: file store, ${v.name}`);

  test('a publish to a channel the filesystem refuses gets the error in its PubAck; the server goes on', async () => {
    await onFileStore(v, async (env, errors) => {
      const sc = await env.connect(uniqueId('pub'));
      assert.match(await pubResult(sc, TOO_LONG, 'hi'), /ENAMETOOLONG/);
      assert.ok(errors.some((l) => l.includes('ENAMETOOLONG')), 'logged at ERR level');
      await assertServes(sc);
    });
  });

  test('a subscription to a channel the filesystem refuses gets the error in its response; the server goes on', async () => {
    await onFileStore(v, async (env, errors) => {
      const sc = await env.connect(uniqueId('sub'));
      assert.match(await subscribeError(sc, TOO_LONG), /ENAMETOOLONG/);
      assert.ok(errors.some((l) => l.includes('ENAMETOOLONG')), 'logged at ERR level');
      assert.is(env.f.stan.channels.get(TOO_LONG), undefined, 'no channel');
      await assertServes(sc);
    });
  });

  test.run();
}

for (const v of variants('streaming/failures')) socketSuite(v);

const fake = suite('streaming/failures: a store that throws');

/** The error text of the last response the fake transport sent on `reply` with `decode`. */
function lastError(h: Harness, reply: string, decode: (b: Uint8Array) => { error: string }): string {
  const got = h.on(reply);
  assert.ok(got.length > 0, `a response on ${reply}`);
  return decode(got.at(-1)!).error;
}

/** A server over a FailingStore (failing nothing yet) with client c1 connected. */
async function connected(opts: Partial<StanOptions> = {}): Promise<{ store: FailingStore; h: Harness }> {
  const store = new FailingStore();
  const h = await new Harness(store, opts).start();
  await h.connect('c1');
  return { store, h };
}

fake('connect: a failing addClient is a ConnectResponse error, the client is not registered', async () => {
  const store = new FailingStore();
  const { log, errors } = errLog();
  const h = await new Harness(store, {}, log).start();
  store.failing = 'addClient';
  assert.match(await rejection(h.connect('c1')), /addClient: no space left on device/);
  assert.is(h.server.clients.get('c1'), undefined);
  assert.ok(errors.some((l) => l.includes('addClient: no space left on device')));
  store.failing = undefined;
  await h.connect('c1');
  await h.stop();
});

fake('subscribe: a failing createChannel is a SubscriptionResponse error, no channel; the next one works', async () => {
  const { store, h } = await connected();
  store.failing = 'createChannel';
  assert.match(await rejection(h.subscribe('c1', 'foo')), /createChannel: no space left on device/);
  assert.is(h.server.channels.get('foo'), undefined);
  // A publish is refused the same way, in its PubAck.
  const ack = h.publish('c1', 'bar', 'x');
  await h.publishN('c1', 'unused', 0);
  assert.is(h.pubAck(ack), 'createChannel: no space left on device');
  store.failing = undefined;
  const { inbox } = await h.subscribe('c1', 'foo');
  await h.publishN('c1', 'foo', 1);
  assert.equal(h.seqs(inbox), [1]);
  await h.stop();
});

fake('subscribe: a failing subscription write leaves the channel without the subscription', async () => {
  const { store, h } = await connected();
  await h.subscribe('c1', 'foo');
  store.failing = 'subs.create';
  assert.match(await rejection(h.subscribe('c1', 'foo')), /subs\.create: no space left on device/);
  const c = h.server.channels.get('foo')!;
  assert.is(c.subs.size, 1);
  assert.is(c.nextSubId, 2, 'no id used');
  store.failing = undefined;
  await h.subscribe('c1', 'foo');
  assert.is(c.subs.size, 2);
  await h.stop();
});

for (const close of [false, true]) {
  const what = close ? 'subscription close' : 'unsubscribe';
  fake(`${what}: a failing store write is an error response; the next request is served`, async () => {
    const { store, h } = await connected();
    const { ackInbox } = await h.subscribe('c1', 'foo');
    // A plain subscription's close deletes it too; a durable's updates it.
    const durable = close ? (await h.subscribe('c1', 'foo', { durable: 'd' })).ackInbox : ackInbox;
    store.failing = close ? 'subs.update' : 'subs.delete';
    await h.unsubscribe('c1', 'foo', durable, close);
    assert.is(lastError(h, `_INBOX.unsub.${durable}`, pb.SubscriptionResponse.decode), `${store.failing}: no space left on device`);
    const sub = h.server.channels.get('foo')!.findSub(durable)!;
    assert.ok(sub !== undefined && sub.client !== undefined, 'the subscription is as it was');
    store.failing = undefined;
    await h.unsubscribe('c1', 'foo', ackInbox, close);
    assert.is(lastError(h, `_INBOX.unsub.${ackInbox}`, pb.SubscriptionResponse.decode), '');
    await h.stop();
  });
}

fake('close: a failing deleteClient is a CloseResponse error, the client stays registered', async () => {
  const { store, h } = await connected();
  store.failing = 'deleteClient';
  await h.closeClient('c1');
  assert.is(lastError(h, '_INBOX.close.c1', pb.CloseResponse.decode), 'deleteClient: no space left on device');
  assert.ok(h.server.clients.get('c1') !== undefined);
  store.failing = undefined;
  await h.closeClient('c1');
  assert.is(lastError(h, '_INBOX.close.c1', pb.CloseResponse.decode), '');
  assert.is(h.server.clients.get('c1'), undefined);
  await h.stop();
});

fake('a redelivery whose store read throws is logged and tried again one AckWait later', async () => {
  const { store, h } = await connected();
  const { inbox } = await h.subscribe('c1', 'foo', { ackWaitSecs: 1 });
  await h.publishN('c1', 'foo', 1);
  assert.equal(h.seqs(inbox), [1]);
  store.failing = 'msgs.cached';
  await h.advance(1000); // threw out of the timer before
  assert.equal(h.seqs(inbox), [1], 'not redelivered');
  store.failing = undefined;
  await h.advance(1000);
  assert.equal(h.seqs(inbox), [1, 1], 'redelivered one AckWait later');
  await h.stop();
});

fake('an idle channel whose deletion the store refuses stays, and goes at the next sweep', async () => {
  const storeLimits = { ...DEFAULT_STORE_LIMITS, maxInactivityMs: 1000, perChannel: new Map() };
  const { store, h } = await connected({ storeLimits });
  await h.publishN('c1', 'foo', 1);
  store.failing = 'deleteChannel';
  await h.advance(2000); // threw out of the timer before
  assert.ok(h.server.channels.get('foo') !== undefined, 'the channel is as it was');
  store.failing = undefined;
  await h.advance(1000);
  assert.is(h.server.channels.get('foo'), undefined);
  await h.stop();
});

fake('a heartbeat whose request throws counts as a miss, never an unhandled rejection', async () => {
  const { log, errors } = errLog();
  const h = await new Harness(new FailingStore(), { hbIntervalMs: 1000, hbFailCount: 1 }, log).start();
  await h.connect('c1');
  h.transport.request = () => Promise.reject(new Error('transport closed'));
  await h.advance(1000); // an unhandled rejection before: the process ended
  assert.ok(errors.some((l) => l.includes('Error sending heartbeat: transport closed')));
  assert.ok(h.server.clients.get('c1') !== undefined, 'one miss allowed');
  await h.advance(1000);
  assert.is(h.server.clients.get('c1'), undefined, 'closed after the second miss');
  await h.stop();
});

fake('a NUL byte in a channel name reaches the file store: refused with its error, by publish and subscribe', async () => {
  const dir = tempDir();
  try {
    const h = await new Harness(new FileStore({ dir })).start();
    await h.connect('c1');
    const ack = h.publish('c1', 'a\u0000b', 'x');
    await h.publishN('c1', 'unused', 0);
    assert.match(h.pubAck(ack)!, /unable to create channel/);
    assert.match(await rejection(h.subscribe('c1', 'a\u0000b')), /unable to create channel/);
    await h.subscribe('c1', 'ok');
    await h.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

fake.run();
