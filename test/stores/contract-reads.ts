// The read part of the store contract (test/stores/contract.ts): cached(),
// read(), seqFromTimestamp() and lock(), the interface delivery uses, held
// to lookup()/firstSeqAtOrAfter() and to what was stored — across a
// store's segments (file slices), with gaps from limits, past lastSeq, and
// racing with writes, limit drops, slice removal and close.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreError, type ChannelLimits, type MsgStore, type Store, type StoredMsg } from '../../src/stores/store.js';
import { limitsOf, storeFrom, storeN, T0 } from './fixtures.js';

export interface ReadContractOptions {
  /** A store whose segments hold few messages (file: 7 per slice), so reads cross them. */
  openSmall: () => Promise<Store>;
  /** Drops what the store holds in memory of written messages: reads go to its backing storage. */
  evict?: (m: MsgStore) => Promise<void>;
}

/** The message storeN(m, n) stored at `seq` of a channel filled from 1: checks it whole. */
function isStoredN(m: StoredMsg | undefined, seq: number, size = 10): void {
  assert.ok(m, `message ${seq}`);
  assert.is(m!.sequence, seq);
  assert.is(m!.subject, 'foo');
  assert.is(m!.timestamp, T0 + BigInt(seq - 1));
  assert.is(m!.data.length, size);
  assert.ok(
    m!.data.every((b) => b === ((seq - 1) & 0xff)),
    `data of ${seq}`,
  );
}

/** The sequences of a read, which must be contiguous. */
function seqsOf(msgs: StoredMsg[]): number[] {
  const seqs = msgs.map((m) => m.sequence);
  seqs.forEach((s, i) => i > 0 && assert.is(s, seqs[i - 1]! + 1, 'contiguous'));
  return seqs;
}

const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);

export function runReadContract(name: string, o: ReadContractOptions): void {
  const evict = o.evict ?? (async () => {});

  async function withChannel(limits: ChannelLimits, fn: (msgs: MsgStore, store: Store) => Promise<void>): Promise<void> {
    const store = await o.openSmall();
    try {
      await store.recover();
      await fn(store.createChannel('foo', limits).msgs, store);
    } finally {
      await store.close();
    }
  }

  const t = suite(`stores/contract ${name}: reads`);

  t('read of an empty channel, and past lastSeq, is []', () =>
    withChannel(limitsOf(), async (m) => {
      assert.equal(await m.read(1, 10), []);
      assert.equal(await m.read(0, 10), []);
      storeN(m, 3);
      assert.equal(await m.read(4, 10), []);
      assert.equal(await m.read(100, 1), []);
      await evict(m);
      assert.equal(await m.read(4, 10), []);
    }));

  t('read returns what lookup does, in order, from memory and from storage', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 30);
      const check = async () => {
        const got = await m.read(1, 100);
        assert.equal(seqsOf(got), range(1, 30));
        got.forEach((x) => isStoredN(x, x.sequence));
        got.forEach((x) => assert.equal(x, m.lookup(x.sequence)));
      };
      await check();
      await m.flush();
      await evict(m);
      await check();
    }));

  t('read across segments: every start and every max', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 23);
      await m.flush();
      await evict(m);
      storeFrom(m, 24, 4); // these stay in memory
      for (let from = 1; from <= 28; from++) {
        for (const max of [1, 2, 6, 7, 8, 15, 64]) {
          const got = await m.read(from, max);
          assert.equal(seqsOf(got), range(from, Math.min(27, from + max - 1)), `read(${from}, ${max})`);
          got.forEach((x) => isStoredN(x, x.sequence));
        }
      }
    }));

  t('read skips what limits dropped; max counts messages returned', () =>
    withChannel(limitsOf({ maxMsgs: 10 }), async (m) => {
      storeN(m, 40);
      await m.flush();
      await evict(m);
      assert.equal(seqsOf(await m.read(1, 3)), [31, 32, 33]);
      assert.equal(seqsOf(await m.read(0, 100)), range(31, 40));
      assert.equal(seqsOf(await m.read(35, 1)), [35]);
      assert.equal(seqsOf(await m.read(40, 5)), [40]);
    }));

  t('read of a big batch, in the order stored, whatever the store caps a batch at', () =>
    withChannel(limitsOf(), async (m) => {
      const n = 1100; // 5.5 MB: more than a file store reads at once
      storeN(m, n, 5000);
      await m.flush();
      await evict(m);
      let next = 1;
      while (next <= n) {
        const got = await m.read(next, 1024);
        assert.ok(got.length > 0 && got.length <= 1024, `read(${next}) returned ${got.length}`);
        assert.is(got[0]!.sequence, next);
        got.forEach((x) => isStoredN(x, x.sequence, 5000));
        next = got[got.length - 1]!.sequence + 1;
      }
      assert.equal(await m.read(next, 1024), []);
    }));

  t('read with odd arguments', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 5);
      assert.equal(await m.read(1, 0), []);
      assert.equal(await m.read(1, -1), []);
      assert.equal(await m.read(Number.NaN, 5), []);
      assert.equal(seqsOf(await m.read(-5, 2)), [1, 2]);
    }));

  t('cached() is lookup() or undefined, never another message', () =>
    withChannel(limitsOf({ maxMsgs: 20 }), async (m) => {
      storeN(m, 30);
      for (const seq of [0, 5, 10, 11, 30, 31, 2.5]) {
        const c = m.cached(seq);
        if (c !== undefined) assert.equal(c, m.lookup(seq), `cached(${seq})`);
      }
      assert.is(m.cached(5), undefined, 'dropped');
      assert.is(m.cached(31), undefined, 'past lastSeq');
      await m.flush();
      await evict(m);
      for (const seq of range(11, 30)) {
        const c = m.cached(seq);
        if (c !== undefined) isStoredN(c, seq);
      }
    }));

  t('seqFromTimestamp agrees with firstSeqAtOrAfter, across segments and after drops', () =>
    withChannel(limitsOf({ maxMsgs: 30 }), async (m) => {
      assert.is(await m.seqFromTimestamp(T0), 0);
      storeN(m, 40); // 11..40 remain, timestamps T0+10 .. T0+39
      await m.flush();
      await evict(m);
      for (const d of [0n, 9n, 10n, 11n, 17n, 20n, 21n, 38n, 39n, 40n, 1000n]) {
        const want = m.firstSeqAtOrAfter(T0 + d);
        assert.is(await m.seqFromTimestamp(T0 + d), want, `ts +${d}`);
      }
      assert.is(await m.seqFromTimestamp(T0 + 39n), 40);
      assert.is(await m.seqFromTimestamp(T0 + 40n), 41);
      assert.is(await m.seqFromTimestamp(0n), 11);
    }));

  t('reads racing with writes return what was stored, contiguous', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 50);
      await m.flush();
      await evict(m);
      const reads: Promise<StoredMsg[]>[] = [];
      for (let i = 0; i < 40; i++) {
        reads.push(m.read(1 + i * 3, 16));
        storeFrom(m, 51 + i, 1);
        if (i % 10 === 0) void m.flush();
      }
      for (const [i, r] of reads.entries()) {
        const got = await r;
        // What was stored when it was asked (50 + i messages), not what came after.
        assert.equal(seqsOf(got), range(1 + i * 3, Math.min(1 + i * 3 + 15, 50 + i)), `read ${i}`);
        got.forEach((x) => isStoredN(x, x.sequence));
      }
    }));

  t('reads racing with limit drops and segment removal skip what was removed', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 60);
      await m.flush();
      await evict(m);
      const reads = [m.read(1, 20), m.read(1, 100), m.read(30, 5), m.read(55, 10)];
      const stamps = [m.seqFromTimestamp(T0 + 3n), m.seqFromTimestamp(T0 + 56n)];
      m.setLimits(limitsOf({ maxMsgs: 8 })); // 53..60 remain
      await m.flush(); // removed segments go now
      for (const r of reads) {
        const got = await r;
        const seqs = seqsOf(got);
        assert.ok(got.length > 0, 'what is left is returned');
        assert.ok(seqs[0]! >= 53 || seqs[0]! <= 30, `starts at ${seqs[0]}`);
        got.forEach((x) => isStoredN(x, x.sequence));
      }
      assert.equal(seqsOf(await m.read(1, 100)), range(53, 60));
      const [a, b] = await Promise.all(stamps);
      assert.ok(a === 4 || a === 53, `seqFromTimestamp +3 = ${a}`);
      assert.is(b, 57);
    }));

  t('a big read whose every message is dropped meanwhile goes on from what is left', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 1100, 5000); // more than a file store reads at once
      await m.flush();
      await evict(m);
      const r = m.read(1, 1100);
      m.setLimits(limitsOf({ maxMsgs: 100 })); // 1001..1100 remain
      await m.flush();
      const got = await r;
      const seqs = seqsOf(got);
      assert.ok(got.length > 0, 'not [] while messages are left');
      assert.ok(seqs[0] === 1 || seqs[0]! >= 1001, `starts at ${seqs[0]}`);
      got.forEach((x) => isStoredN(x, x.sequence, 5000));
    }));

  t('a read racing with close returns correct messages or rejects with StoreError', async () => {
    const store = await o.openSmall();
    await store.recover();
    const m = store.createChannel('foo', limitsOf()).msgs;
    storeN(m, 30);
    await m.flush();
    await evict(m);
    const r = m.read(1, 30);
    await store.close();
    try {
      (await r).forEach((x) => isStoredN(x, x.sequence));
    } catch (err) {
      assert.ok(err instanceof StoreError, String(err));
    }
  });

  t('lock() owns the store before and after recover(), every time asked', async () => {
    const store = await o.openSmall();
    try {
      assert.is(await store.lock(), true);
      assert.is(await store.lock(), true);
      await store.recover();
      assert.is(await store.lock(), true);
    } finally {
      await store.close();
    }
  });

  t.run();
}
