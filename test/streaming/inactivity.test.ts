// max_inactivity (STAN-REFERENCE §2.9): a channel with no active
// subscription and no new message for that long is deleted, offline
// durables and all; an active subscription keeps it.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_STORE_LIMITS } from '../../src/stores/store.js';
import { closeClient, publish, stanConnect, startStan, until, type StanFixture } from '../helpers/stan.js';

const test = suite('streaming/inactivity');
const IDLE_MS = 300;
let f: StanFixture;

test.before(async () => {
  f = await startStan({ stan: { storeLimits: { ...DEFAULT_STORE_LIMITS, maxInactivityMs: IDLE_MS, perChannel: new Map() } } });
});
test.after(async () => {
  await f.stop();
});

test('an idle channel without subscriptions is deleted, then starts afresh', async () => {
  const sc = await stanConnect(f.url, 'idle-1');
  await publish(sc, 'idle.a', 'x');
  await publish(sc, 'idle.a', 'y');
  assert.is(f.stan.channels.get('idle.a')?.msgs.lastSeq, 2);
  await until(() => f.stan.channels.get('idle.a') === undefined, 'the idle channel to be deleted', 5000);
  // A new publish creates it again, from sequence 1.
  await publish(sc, 'idle.a', 'z');
  assert.is(f.stan.channels.get('idle.a')?.msgs.lastSeq, 1);
  await closeClient(sc);
});

test('an active subscription keeps the channel; once it leaves the channel goes, offline durable included', async () => {
  const sc = await stanConnect(f.url, 'idle-2');
  const sub = sc.subscribe('idle.b', sc.subscriptionOptions().setDurableName('d'));
  await new Promise((r) => sub.once('ready', r));
  await publish(sc, 'idle.b', 'x');
  // A witness channel, idle from the same moment and never subscribed: once
  // it is deleted, the server has judged idle.b's inactivity too.
  await publish(sc, 'idle.witness', 'x');
  await until(() => f.stan.channels.get('idle.witness') === undefined, 'the idle witness channel to be deleted', 5000);
  assert.ok(f.stan.channels.get('idle.b'), 'kept while subscribed');
  await new Promise((r) => {
    sub.once('closed', r);
    sub.close();
  });
  // Offline durable: not an active subscription.
  await until(() => f.stan.channels.get('idle.b') === undefined, 'the channel to be deleted after the close', 5000);
  await closeClient(sc);
});

test.run();
