// The FILE store's cache of recent messages (src/stores/file/recent.ts):
// written messages stay one second (as the Go file store's msgsCache),
// within the caps; messages not yet written always stay.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RECENT_TTL_MS, RecentMsgs } from '../../src/stores/file/recent.js';

const chunk = Buffer.alloc(1024, 1);

function filled(n: number, atMs: (seq: number) => number): RecentMsgs {
  const r = new RecentMsgs();
  for (let seq = 1; seq <= n; seq++) r.push(seq, chunk, seq, 10, BigInt(seq), atMs(seq));
  return r;
}

test('written messages stay for the TTL, then leave oldest first', () => {
  const r = filled(10, (seq) => seq * 100); // stored at 100 .. 1000 ms
  r.trim(10, 1000);
  assert.is(r.count, 10, 'all younger than a second at 1000 ms');
  r.trim(10, 1100 + RECENT_TTL_MS - 1000 - 1);
  assert.is(r.first, 1);
  r.trim(10, 1500);
  assert.is(r.first, 6, 'stored at or before 500 ms: gone at 1500 ms');
  assert.is(r.count, 5);
  assert.ok(r.has(6) && !r.has(5));
  r.trim(10, 5000);
  assert.is(r.count, 0);
});

test('a message not yet written stays whatever its age', () => {
  const r = filled(10, () => 0);
  r.trim(4, 60_000);
  assert.is(r.first, 5, 'written 1..4 dropped');
  assert.is(r.count, 6, 'unwritten 5..10 kept');
  r.trim(4, 60_000, 0);
  assert.is(r.count, 6, 'even with a TTL of 0');
});

test('the message and byte caps bound a channel publishing fast', () => {
  const r = filled(100, () => 1000);
  r.trim(100, 1000, RECENT_TTL_MS, 30);
  assert.is(r.count, 30);
  assert.is(r.first, 71);
  r.trim(100, 1000, RECENT_TTL_MS, 1000, 100);
  assert.is(r.count, 10, '10 bytes each, 100 bytes at most');
  assert.is(r.bytes, 100);
});

test('views and timestamps survive the ring growing', () => {
  const r = filled(1000, (seq) => seq);
  r.trim(1000, 1500);
  assert.is(r.first, 501);
  for (let seq = 1001; seq <= 3000; seq++) r.push(seq, chunk, seq % 1000, 10, BigInt(seq), seq);
  assert.is(r.ts(2500), 2500n);
  assert.is(r.off(2500), 500);
  assert.is(r.buf(777), chunk);
  r.trim(3000, 2700);
  assert.is(r.first, 1701);
});

test.run();
