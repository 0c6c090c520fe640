// The MEMORY store: the shared store contract, plus what only it promises
// (byte accounting = encoded MsgProto size, arena chunks released, views
// that stay valid, the limit-reached report, a model check of the index;
// memory/record.test.ts checks the records themselves).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore, CHUNK_SIZE, HUGE_CHUNK, LARGE_PAYLOAD } from '../../src/stores/memory/index.js';
import { core } from '../../src/core/index.js';
import type { MemoryMsgStore } from '../../src/stores/memory/index.js';
import type { ChannelLimits, MsgStoreState } from '../../src/stores/store.js';
import { runStoreContract } from './contract.js';
import { msgProtoOf } from './msg-proto.js';
import { limitsOf } from './fixtures.js';
import { rng } from '../helpers/cores.js';

runStoreContract('MEMORY', async () => new MemoryStore());

/** protobufjs's encoded length of the message. */
function encodedSize(seq: number, subject: string, reply: string, data: Uint8Array, ts: bigint): number {
  return msgProtoOf(seq, subject, reply, data, ts).length;
}

const T0 = 1_700_000_000_123_456_789n;
const MS = 1_000_000n;

function channel(limits: Partial<ChannelLimits> = {}, store = new MemoryStore(), name = 'foo'): MemoryMsgStore {
  return store.createChannel(name, limitsOf(limits)).msgs;
}

// ---------- byte accounting ----------

const bytes = suite('stores/memory byte accounting');


bytes('state().bytes is the sum of encoded sizes, UTF-8 names and replies included', () => {
  const subject = 'prix.€uro';
  const m = channel({}, new MemoryStore(), subject);
  let want = 0;
  const msgs: [string, Uint8Array, bigint][] = [
    ['', new Uint8Array(128), T0],
    ['réponse', new Uint8Array(5), T0 + 1n],
    ['', new Uint8Array(0), T0 + 2n],
    ['x'.repeat(200), new Uint8Array(300), T0 + 3n],
  ];
  msgs.forEach(([reply, data, ts], i) => {
    m.store(data, reply, ts);
    want += encodedSize(i + 1, subject, reply, data, ts);
  });
  assert.is(m.state().bytes, want);
  m.setLimits(limitsOf({ maxMsgs: 2 }));
  const [r3, d3, t3] = msgs[2]!;
  const [r4, d4, t4] = msgs[3]!;
  assert.is(m.state().bytes, encodedSize(3, subject, r3, d3, t3) + encodedSize(4, subject, r4, d4, t4));
  assert.is(m.lookup(4)!.reply, 'x'.repeat(200));
});

bytes.run();

// ---------- arena ----------

const arena = suite('stores/memory arena');

// A record is the payload plus a few bytes of framing (its length and
// timestamp; for payloads of FULL_MIN bytes and more, the whole MsgProto),
// counted here with RECORD_SLACK.
const RECORD_SLACK = 64;

/** Chunks all in plain memory, CHUNK_SIZE each (huge pages are tested below). */
const plain = () => new MemoryStore({ hugeChunksAfter: Infinity });

arena('chunks are released once all their messages are dropped', () => {
  const m = channel({}, plain());
  const payload = new Uint8Array(CHUNK_SIZE / 8 - RECORD_SLACK);
  for (let i = 0; i < 8 * 5; i++) m.store(payload, '', T0);
  assert.is(m.arenaStats().chunks, 5);
  assert.is(m.arenaStats().bytes, 5 * CHUNK_SIZE);
  m.setLimits(limitsOf({ maxMsgs: 9 })); // the last chunk and one message of the one before
  assert.is(m.arenaStats().chunks, 2);
  m.setLimits(limitsOf({ maxMsgs: 1 }));
  assert.is(m.arenaStats().chunks, 1);
});

arena('large payloads get their own chunk, freed with them', () => {
  const m = channel({ maxMsgs: 2 }, plain());
  const big = new Uint8Array(LARGE_PAYLOAD + 1).fill(7);
  m.store(big, '', T0);
  m.store(new Uint8Array(10), '', T0);
  const record = m.encoded(1)!.length;
  assert.ok(record > LARGE_PAYLOAD + 1 && record < LARGE_PAYLOAD + 1 + RECORD_SLACK);
  assert.equal(m.arenaStats(), { chunks: 2, bytes: record + CHUNK_SIZE });
  assert.is(m.lookup(1)!.data.length, LARGE_PAYLOAD + 1);
  assert.is(m.lookup(1)!.data[LARGE_PAYLOAD], 7);
  m.store(new Uint8Array(10), '', T0);
  assert.equal(m.arenaStats(), { chunks: 1, bytes: CHUNK_SIZE });
});

arena('a busy store takes its chunks in huge pages where the core has them, released as in plain memory', () => {
  const huge = core().hugeAlloc?.(HUGE_CHUNK) !== undefined;
  const size = huge ? HUGE_CHUNK : CHUNK_SIZE;
  const m = channel({}, new MemoryStore({ hugeChunksAfter: 1 }));
  const payload = new Uint8Array(1000);
  const n = Math.ceil((CHUNK_SIZE + 3 * size) / 1000);
  for (let i = 0; i < n; i++) m.store(payload.fill(i & 0xff), '', T0 + BigInt(i));
  const { chunks, bytes: held } = m.arenaStats();
  assert.is(held, CHUNK_SIZE + (chunks - 1) * size, `${chunks} chunks: the first plain, the rest ${huge ? 'huge' : 'plain (no huge pages here)'}`);
  for (const seq of [1, Math.floor(n / 2), n]) {
    const d = m.lookup(seq)!.data;
    assert.is(d.length, 1000);
    assert.ok(d.every((b) => b === ((seq - 1) & 0xff)), `message ${seq}`);
    const got = m.lookup(seq)!;
    assert.ok(Buffer.from(m.encoded(seq)!).equals(msgProtoOf(seq, 'foo', '', got.data, got.timestamp)));
  }
  m.setLimits(limitsOf({ maxMsgs: 1 }));
  assert.equal(m.arenaStats(), { chunks: 1, bytes: size });
});

arena('by default even a busy store keeps to plain chunks (huge pages only when asked for)', () => {
  const m = channel({}, new MemoryStore());
  const payload = new Uint8Array(1000);
  for (let i = 0; i < Math.ceil((4 * CHUNK_SIZE) / 1000); i++) m.store(payload, '', T0 + BigInt(i));
  const { chunks, bytes } = m.arenaStats();
  assert.ok(chunks >= 4, `${chunks} chunks`);
  assert.is(bytes, chunks * CHUNK_SIZE);
});

arena('chunks are shared memory V8 does not count, and what the store drops is reported to it until collected', () => {
  const c = core();
  const adjust = c.adjustExternalMemory;
  const m = channel({ maxMsgs: 100 }, plain());
  m.store(new Uint8Array(1000), '', T0);
  const shared = m.lookup(1)!.data.buffer instanceof SharedArrayBuffer;
  assert.is(shared, adjust !== undefined, 'shared memory exactly where the core can report it');
  if (adjust === undefined) return;
  /** The core's adjustExternalMemory calls (the deltas) made while `fn` runs. */
  const reportedDuring = (fn: () => void): number[] => {
    const deltas: number[] = [];
    Object.defineProperty(c, 'adjustExternalMemory', { value: (d: number) => (deltas.push(d), adjust(d)), configurable: true });
    try {
      fn();
    } finally {
      Object.defineProperty(c, 'adjustExternalMemory', { value: adjust, configurable: true });
    }
    return deltas;
  };
  const deltas = reportedDuring(() => {
    for (let i = 0; i < 5 * (CHUNK_SIZE / 1000); i++) m.store(new Uint8Array(1000), '', T0 + BigInt(i));
  });
  assert.ok(deltas.length >= 3, `${deltas.length} chunks reported as dropped`);
  assert.ok(deltas.every((d) => d === CHUNK_SIZE), JSON.stringify(deltas));
  // The last 100 messages live in at most two chunks: everything else was dropped, and reported.
  const live = m.arenaStats();
  assert.ok(live.chunks <= 2, `${live.chunks} chunks live`);
  // Closed (its channel deleted): what it still holds is reported too, once, and stays readable.
  const atClose = reportedDuring(() => {
    m.close();
    m.close();
  });
  assert.equal(atClose, Array(live.chunks).fill(CHUNK_SIZE));
  assert.is(m.lookup(m.lastSeq)!.data.length, 1000);
});

arena('a view stays valid and unchanged after its message is dropped', () => {
  const m = channel({ maxMsgs: 1 });
  m.store(new Uint8Array(1000).fill(1), '', T0);
  const view = m.lookup(1)!.data;
  const record = m.encoded(1)!;
  const copy = Buffer.from(record);
  for (let i = 0; i < 3 * (CHUNK_SIZE / 1000); i++) m.store(new Uint8Array(1000).fill(2), '', T0);
  assert.is(m.lookup(1), undefined);
  assert.is(m.arenaStats().chunks, 1);
  assert.is(view.length, 1000);
  assert.ok(view.every((b) => b === 1));
  assert.ok(Buffer.from(record).equals(copy));
});

arena('encoded() is the MsgProto, data and all', () => {
  const m = channel();
  m.store(Buffer.from('hello'), 'rep', 5n);
  const rec = Buffer.from(m.encoded(1)!);
  // seq 1, subject "foo", reply "rep", data "hello", timestamp 5
  assert.is(rec.toString('hex'), '0801' + '1203666f6f' + '1a03726570' + '220568656c6c6f' + '2805');
  assert.is(Buffer.from(m.lookup(1)!.data).toString(), 'hello');
});

arena('an empty store references no chunk', () => {
  const m = channel({ maxMsgs: 1 });
  assert.equal(m.arenaStats(), { chunks: 0, bytes: 0 });
});

arena.run();

// ---------- limits ----------

const limits = suite('stores/memory limits');

limits('onLimitReached is called once, right after the first drop', () => {
  const calls: [string, MsgStoreState, ChannelLimits][] = [];
  const store = new MemoryStore({ onLimitReached: (...args) => calls.push(args) });
  const m = channel({ maxMsgs: 2 }, store);
  for (let i = 0; i < 5; i++) m.store(new Uint8Array(10), '', T0);
  assert.is(calls.length, 1);
  const [name, state, lim] = calls[0]!;
  assert.is(name, 'foo');
  assert.equal([state.firstSeq, state.lastSeq, state.msgs], [2, 3, 2]);
  assert.is(lim.maxMsgs, 2);
  // Not for setLimits, nor for another store's first time only.
  m.setLimits(limitsOf({ maxMsgs: 1 }));
  const other = channel({ maxBytes: 1 }, store, 'bar');
  other.store(new Uint8Array(1), '', T0);
  other.store(new Uint8Array(1), '', T0);
  assert.is(calls.length, 2);
  assert.is(calls[1]![0], 'bar');
});

limits('onLimitReached: the state after the first drop, even when more follow', () => {
  const calls: MsgStoreState[] = [];
  const store = new MemoryStore({ onLimitReached: (_c, s) => calls.push(s) });
  const m = channel({}, store);
  for (let i = 0; i < 4; i++) m.store(new Uint8Array(10), '', T0);
  m.setLimits(limitsOf({ maxBytes: 1 }));
  assert.is(calls.length, 0);
  const big = channel({ maxMsgs: 10, maxBytes: 1000 }, store, 'big');
  for (let i = 0; i < 4; i++) big.store(new Uint8Array(20), '', T0);
  big.store(new Uint8Array(950), '', T0); // 970 bytes: all four older ones go
  assert.equal(calls.length, 1);
  assert.is(calls[0]!.msgs, 4);
  assert.is(big.state().msgs, 1);
});

limits('setLimits applies max_age with the store clock', () => {
  let now = T0;
  const m = channel({}, new MemoryStore({ now: () => now }));
  for (const ms of [0n, 1000n, 2000n]) m.store(new Uint8Array(1), '', T0 + ms * MS);
  now = T0 + 2500n * MS;
  m.setLimits(limitsOf({ maxAgeMs: 1000 }));
  assert.equal([m.firstSeq, m.state().msgs], [3, 1]);
});

limits('store after close fails', () => {
  const store = new MemoryStore();
  const m = channel({}, store);
  store.deleteChannel('foo');
  assert.throws(() => m.store(new Uint8Array(1), '', T0), /closed/);
  store.deleteChannel('foo'); // unknown names are ignored
});

limits.run();

// ---------- model check ----------

const model = suite('stores/memory index against a model');

interface Model {
  seq: number;
  reply: string;
  data: Uint8Array;
  ts: bigint;
  size: number;
}

model('random stores, limit changes and expiries', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const next = rng(seed);
    let now = T0;
    const m = channel({}, new MemoryStore({ now: () => now }));
    let kept: Model[] = [];
    let last = 0;
    let lim = limitsOf();
    const dropOverLimits = () => {
      let bytes = kept.reduce((n, x) => n + x.size, 0);
      const over = () => (lim.maxMsgs > 0 && kept.length > lim.maxMsgs) || (lim.maxBytes > 0 && bytes > lim.maxBytes);
      while (kept.length > 1 && over()) bytes -= kept.shift()!.size;
    };
    const expire = () => {
      const before = kept.length;
      if (lim.maxAgeMs > 0) kept = kept.filter((x) => x.ts > now - BigInt(lim.maxAgeMs) * MS);
      return before - kept.length;
    };
    for (let op = 0; op < 3000; op++) {
      const r = next() % 100;
      if (r < 85) {
        now += BigInt(next() % 3) * MS;
        const data = new Uint8Array(next() % 3 === 0 ? 0 : next() % 600).fill(op & 0xff);
        const reply = next() % 10 === 0 ? `r${op}` : '';
        assert.is(m.store(data, reply, now), ++last);
        kept.push({ seq: last, reply, data, ts: now, size: encodedSize(last, 'foo', reply, data, now) });
        dropOverLimits();
      } else if (r < 95) {
        lim = limitsOf({
          maxMsgs: next() % 4 === 0 ? 0 : 1 + (next() % 300),
          maxBytes: next() % 2 ? 0 : 50 + (next() % 40_000),
          maxAgeMs: next() % 3 ? 0 : 1 + (next() % 50),
        });
        m.setLimits(lim);
        dropOverLimits();
        expire();
      } else {
        now += BigInt(next() % 20) * MS;
        assert.is(m.expire(now), expire(), `seed ${seed} op ${op} expire`);
      }
      const bytes = kept.reduce((n, x) => n + x.size, 0);
      const first = kept.length > 0 ? kept[0]!.seq : last === 0 ? 0 : last + 1;
      assert.equal(m.state(), { firstSeq: first, lastSeq: last, msgs: kept.length, bytes }, `seed ${seed} op ${op}`);
    }
    for (const x of kept) {
      const got = m.lookup(x.seq)!;
      assert.is(got.reply, x.reply);
      assert.is(got.timestamp, x.ts);
      assert.equal(got.data, x.data);
    }
    assert.is(m.lookup(kept.length > 0 ? kept[0]!.seq - 1 : last), undefined);
    if (kept.length > 0) assert.is(m.firstSeqAtOrAfter(kept[0]!.ts), kept[0]!.seq);
  }
});

model.run();
