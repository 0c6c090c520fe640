// Client heartbeats on the injected clock (src/streaming/clients.ts;
// STAN-REFERENCE §2.3): missed replies counted, the client closed by a
// disconnect operation after more than hb_fail_count, a PING re-arming a
// failing client at once; and the operation fenced to the connection that
// failed (a newer client with the same ID stays). No sleeping: the fake
// clock fires the timers.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OpKind } from '../../src/streaming/ops.js';
import { Harness } from './fakes.js';

const test = suite('streaming/clients');

const HB_MS = 1000;

async function harness(): Promise<Harness> {
  return new Harness(undefined, { hbIntervalMs: HB_MS, hbTimeoutMs: 100, hbFailCount: 2 }).start();
}

test('a client that stops answering heartbeats is closed after more than hb_fail_count misses', async () => {
  const h = await harness();
  await h.connect('a');
  await h.subscribe('a', 'hb');
  const c = h.server.clients.get('a')!;
  await h.advance(HB_MS);
  assert.is(c.hbFailed, 0, 'answered');
  h.transport.answerRequests = false;
  await h.advance(HB_MS);
  assert.is(c.hbFailed, 1);
  await h.advance(HB_MS);
  assert.is(c.hbFailed, 2);
  assert.ok(h.server.clients.get('a') !== undefined, 'two misses are tolerated');
  await h.advance(HB_MS);
  assert.is(h.server.clients.get('a'), undefined, 'the third closes it');
  assert.is(c.closed, true);
  assert.is(h.server.channels.get('hb')!.subs.size, 0, 'its plain subscription removed');
  await h.stop();
});

test('an answer resets the count', async () => {
  const h = await harness();
  await h.connect('a');
  const c = h.server.clients.get('a')!;
  h.transport.answerRequests = false;
  // One interval per advance: the next heartbeat is armed once the reply (or its absence) is in.
  await h.advance(HB_MS);
  await h.advance(HB_MS);
  assert.is(c.hbFailed, 2);
  h.transport.answerRequests = true;
  await h.advance(HB_MS);
  assert.is(c.hbFailed, 0);
  for (let i = 0; i < 5; i++) await h.advance(HB_MS);
  assert.is(c.hbFailed, 0);
  assert.ok(h.server.clients.get('a') === c);
  await h.stop();
});

test('a heartbeat close names its connection (heartbeat inbox): a client under the ID with another inbox stays', async () => {
  const h = await harness();
  await h.connect('a');
  const old = h.server.clients.get('a')!;
  // As when an older instance's close is decided and a newer one registered before it applied.
  h.server.sequencer.submit({ kind: OpKind.Disconnect, clientId: 'a', why: 'heartbeat timeout', hbInbox: 'not-the-current-inbox', reply: undefined });
  await h.advance(0);
  assert.ok(h.server.clients.get('a') === old, 'not closed');
  await h.stop();
});

test('a heartbeat in flight at shutdown arms no other when its reply comes back', async () => {
  const h = await harness();
  await h.connect('a');
  let reply: (r: Uint8Array | null) => void = () => {};
  h.transport.request = () => new Promise((resolve) => (reply = resolve));
  await h.advance(HB_MS);
  assert.is(h.server.clients.get('a')!.hbInFlight, true, 'the heartbeat is out');
  await h.stop();
  reply(null);
  await h.advance(0);
  assert.is(h.clock.armed, 0, 'no heartbeat armed after the shutdown');
});

test.run();
