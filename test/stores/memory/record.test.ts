// The MEMORY store's records (src/stores/memory/record.ts) through the
// message store: every kind of record (compact, MsgProto in the arena,
// MsgProto outside it), timestamps coded in microseconds, nanoseconds or
// escaped (far apart, negative, zero), read back in any order — lookup()
// and encoded() against protobufjs's encoding of the same message — and
// the bytes a 128-byte message costs.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CHUNK_SIZE, LARGE_PAYLOAD, MemoryStore } from '../../../src/stores/memory/index.js';
import { FULL_MIN } from '../../../src/stores/memory/record.js';
import { limitsOf } from '../fixtures.js';
import { msgProtoOf } from '../msg-proto.js';
import { rng } from '../../helpers/cores.js';

const T0 = 1_700_000_000_123_456_000n;

interface Kept {
  seq: number;
  reply: string;
  data: Uint8Array;
  ts: bigint;
}

const records = suite('stores/memory records');

/** A payload length of one of the three record kinds, or 0. */
function lengthOf(next: () => number): number {
  const k = next() % 10;
  if (k === 0) return 0;
  if (k < 6) return next() % 300;
  if (k < 8) return FULL_MIN - 2 + (next() % 4); // around the compact/full edge
  if (k < 9) return FULL_MIN + (next() % 20_000);
  return LARGE_PAYLOAD - 1 + (next() % 3) + (next() % 2) * 100_000; // around and past the arena's edge
}

/** Timestamps that exercise every code: µs steps, ns steps, far jumps, backwards, negative, zero. */
function tsAfter(prev: bigint, next: () => number): bigint {
  return BigInt.asIntN(64, step(prev, next)); // int64, as MsgProto's
}

function step(prev: bigint, next: () => number): bigint {
  const k = next() % 20;
  if (k < 10) return prev + BigInt(next() % 5000) * 1000n;
  if (k < 14) return prev + BigInt(next() % 100_000);
  if (k === 14) return prev + BigInt(next()) * 1_000_000_000_000n; // far past 2^48 ns
  if (k === 15) return prev - BigInt(next() % 1000) * 1000n - 7n;
  if (k === 16) return -BigInt(next()) * 1_000_003n;
  if (k === 17) return 0n;
  if (k === 18) return 0x7fff_ffff_ffff_ffffn - BigInt(next() % 1000);
  return -0x8000_0000_0000_0000n + BigInt(next() % 1000);
}

records('every record kind and timestamp code reads back, in any order, as protobufjs encodes it', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const next = rng(seed);
    const subject = seed % 2 ? 'foo' : 'bench.stan.€.12345';
    const m = new MemoryStore().createChannel(subject, limitsOf({ maxMsgs: 150 })).msgs;
    const kept: Kept[] = [];
    let ts = T0;
    for (let i = 0; i < 400; i++) {
      ts = tsAfter(ts, next);
      const data = new Uint8Array(lengthOf(next)).fill(i & 0xff);
      if (data.length > 0) data[0] = next() & 0xff;
      const reply = next() % 7 === 0 ? `_INBOX.${i}` : '';
      const seq = m.store(data, reply, ts);
      kept.push({ seq, reply, data, ts });
      if (kept.length > 150) kept.shift();
      // Read a few at random, then in order from somewhere: every path of the lookup.
      for (let k = 0; k < 3; k++) check(kept[next() % kept.length]!);
      if (i % 37 === 0) for (const x of kept.slice(next() % kept.length)) check(x);
    }
    let bytes = 0;
    for (const x of kept) bytes += msgProtoOf(x.seq, subject, x.reply, x.data, x.ts).length;
    assert.is(m.state().bytes, bytes, `seed ${seed}: bytes`);
    assert.is(m.lookup(kept[0]!.seq - 1), undefined);

    function check(x: Kept): void {
      const got = m.lookup(x.seq)!;
      assert.is(got.timestamp, x.ts, `seed ${seed} seq ${x.seq}: timestamp`);
      assert.is(got.reply, x.reply);
      assert.ok(Buffer.from(got.data).equals(Buffer.from(x.data)), `seed ${seed} seq ${x.seq}: data`);
      assert.is(m.timestampOf(x.seq), x.ts);
      const want = msgProtoOf(x.seq, subject, x.reply, x.data, x.ts);
      assert.ok(Buffer.from(m.encoded(x.seq)!).equals(want), `seed ${seed} seq ${x.seq}: MsgProto`);
    }
  }
});

records('firstSeqAtOrAfter and max_age across blocks and chunks', () => {
  let now = T0;
  const m = new MemoryStore({ now: () => now }).createChannel('foo', limitsOf()).msgs;
  const payload = new Uint8Array(3000);
  for (let i = 0; i < 2000; i++) m.store(payload, '', T0 + BigInt(i) * 1_000_000n); // 1 ms apart, ~6 MB: several chunks
  for (const i of [0, 1, 15, 16, 17, 999, 1998, 1999]) {
    assert.is(m.firstSeqAtOrAfter(T0 + BigInt(i) * 1_000_000n), i + 1);
    assert.is(m.firstSeqAtOrAfter(T0 + BigInt(i) * 1_000_000n - 1n), i + 1);
  }
  assert.is(m.firstSeqAtOrAfter(T0 + 2000n * 1_000_000n), 2001);
  now = T0 + 1500n * 1_000_000n;
  m.setLimits(limitsOf({ maxAgeMs: 700 }));
  // Messages stamped at or before now - 700 ms go: the first 801.
  assert.is(m.firstSeq, 802);
  assert.is(m.lookup(802)!.timestamp, T0 + 801n * 1_000_000n);
  assert.ok(m.arenaStats().chunks < 6);
});

records('a store emptied by its limits stores on, in the middle of a block', () => {
  let now = T0;
  const m = new MemoryStore({ now: () => now }).createChannel('foo', limitsOf({ maxAgeMs: 10 })).msgs;
  for (let i = 0; i < 21; i++) m.store(new Uint8Array([i]), '', T0);
  now = T0 + 20n * 1_000_000n;
  assert.is(m.expire(now), 21);
  assert.equal(m.state(), { firstSeq: 22, lastSeq: 21, msgs: 0, bytes: 0 });
  assert.is(m.arenaStats().chunks, 1);
  for (let i = 22; i < 40; i++) assert.is(m.store(new Uint8Array([i]), '', now + BigInt(i)), i);
  for (let i = 22; i < 40; i++) assert.equal([...m.lookup(i)!.data], [i]);
  assert.is(m.timestampOf(39), now + 39n);
});

records('a 128-byte message costs 130 bytes of arena (plus under 1 byte of index)', () => {
  const m = new MemoryStore({ hugeChunksAfter: Infinity }).createChannel('bench.stan.12345.1', limitsOf({ maxMsgs: 0, maxBytes: 0 })).msgs;
  const perChunk = Math.floor(CHUNK_SIZE / 130);
  // Stamped as the streaming layer does: whole microseconds, a few apart.
  for (let i = 0; i < 3 * perChunk; i++) m.store(new Uint8Array(128), '', T0 + BigInt(i) * 3000n);
  assert.is(m.arenaStats().chunks, 3);
  m.store(new Uint8Array(128), '', T0);
  assert.is(m.arenaStats().chunks, 4);
});

records('MsgProtos built for delivery are remembered per store: same sequences in two channels', () => {
  const store = new MemoryStore();
  const a = store.createChannel('a', limitsOf()).msgs;
  const b = store.createChannel('b', limitsOf()).msgs;
  for (let i = 0; i < 50; i++) {
    a.store(new Uint8Array([1, i]), '', T0 + BigInt(i));
    b.store(new Uint8Array([2, i, i]), '', T0 - BigInt(i));
  }
  for (let round = 0; round < 2; round++) {
    for (let seq = 1; seq <= 50; seq++) {
      assert.ok(Buffer.from(a.encoded(seq)!).equals(msgProtoOf(seq, 'a', '', new Uint8Array([1, seq - 1]), T0 + BigInt(seq - 1))));
      assert.ok(Buffer.from(b.encoded(seq)!).equals(msgProtoOf(seq, 'b', '', new Uint8Array([2, seq - 1, seq - 1]), T0 - BigInt(seq - 1))));
    }
  }
  // The same bytes for a second subscription, and nothing for a dropped message.
  assert.is(a.encoded(7), a.encoded(7));
  a.setLimits(limitsOf({ maxMsgs: 10 }));
  assert.is(a.encoded(7), undefined);
});

records.run();
