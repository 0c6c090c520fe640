// The store contract (src/stores/store.ts) as one behaviour suite, run
// against every store through its public interface only: a store's test
// file calls runStoreContract('FILE', open) and adds its own checks.
// Persistent stores also pass `reopen`, which enables the recovery tests.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreError, type ChannelLimits, type MsgStore, type Store } from '../../src/stores/store.js';
import { bytes, clientInfo, limitsOf, MS, serverInfo, storeN, subState, T0 } from './fixtures.js';
import { runRecoveryContract } from './contract-recovery.js';
import { runReadContract, type ReadContractOptions } from './contract-reads.js';
import type { MsgProto } from '../../src/pb/protocol.js';
import { reference } from '../../src/pb/reflect.js';
import type { StoredMsg } from '../../src/stores/store.js';

/** protobufjs's encoding of a stored message as delivered first (the reference). */
const MsgProtoRef = reference<MsgProto>('pb.MsgProto');
function encodeMsgProtoRef(s: StoredMsg): Uint8Array {
  return MsgProtoRef.encode({ sequence: s.sequence, subject: s.subject, reply: s.reply, data: s.data, timestamp: s.timestamp });
}

export interface ContractOptions extends Partial<ReadContractOptions> {
  /** Closes `store` and opens the same data again; enables the recovery suite. */
  reopen?: (store: Store) => Promise<Store>;
  /**
   * Subscription ids are unique in the whole store rather than per channel
   * (the SQL store: Go's SubsPending rows are keyed by subid alone).
   */
  storeWideSubIds?: boolean;
}

export function runStoreContract(name: string, open: () => Promise<Store>, opts: ContractOptions = {}): void {
  /** A fresh, recovered store for one test; closed after it. */
  async function withStore(fn: (store: Store) => Promise<void> | void): Promise<void> {
    const store = await open();
    try {
      await store.recover();
      await fn(store);
    } finally {
      await store.close();
    }
  }

  async function withChannel(limits: ChannelLimits, fn: (msgs: MsgStore) => Promise<void> | void): Promise<void> {
    await withStore((store) => fn(store.createChannel('foo', limits).msgs));
  }

  // ---------- messages ----------

  const msgs = suite(`stores/contract ${name}: messages`);

  msgs('an empty channel has no sequences', () =>
    withChannel(limitsOf(), (m) => {
      assert.is(m.firstSeq, 0);
      assert.is(m.lastSeq, 0);
      assert.equal(m.state(), { firstSeq: 0, lastSeq: 0, msgs: 0, bytes: 0 });
      assert.is(m.lookup(1), undefined);
      assert.is(m.timestampOf(1), undefined);
      assert.is(m.firstSeqAtOrAfter(0n), 0);
    }));

  msgs('sequences start at 1 and are contiguous', () =>
    withChannel(limitsOf(), (m) => {
      assert.equal(storeN(m, 5), [1, 2, 3, 4, 5]);
      assert.is(m.firstSeq, 1);
      assert.is(m.lastSeq, 5);
      const s = m.state();
      assert.is(s.firstSeq, 1);
      assert.is(s.lastSeq, 5);
      assert.is(s.msgs, 5);
      assert.ok(s.bytes > 0);
    }));

  msgs('encoded(), where a store has it, is the MsgProto of what lookup() returns, unchanged by later stores', () =>
    withChannel(limitsOf(), (m) => {
      if (m.encoded === undefined) return;
      m.store(bytes('hello'), 'reply.to', T0);
      const held = m.encoded(1);
      assert.ok(held !== undefined, 'a message just stored is served encoded');
      const copy = Uint8Array.from(held!);
      storeN(m, 50);
      const want = encodeMsgProtoRef(m.lookup(1)!);
      assert.equal([...held!], [...want], 'the record is {sequence, subject, reply, data, timestamp}');
      assert.equal([...copy], [...held!], 'its bytes never change while held');
      assert.is(m.encoded(999), undefined);
    }));

  msgs('lookup returns what was stored, as a copy of the input', () =>
    withChannel(limitsOf(), (m) => {
      const data = bytes('hello');
      m.store(data, '', T0);
      m.store(bytes('world'), 'reply.to', T0 + 1n);
      m.store(new Uint8Array(0), '', T0 + 2n);
      data.fill(0); // the caller's buffer is reused: the store must have copied
      const a = m.lookup(1)!;
      assert.is(a.sequence, 1);
      assert.is(a.subject, 'foo');
      assert.is(a.reply, '');
      assert.equal([...a.data], [...bytes('hello')]);
      assert.is(a.timestamp, T0);
      const b = m.lookup(2)!;
      assert.is(b.reply, 'reply.to');
      assert.equal([...b.data], [...bytes('world')]);
      assert.is(m.lookup(3)!.data.length, 0);
    }));

  msgs('lookup of absent sequences', () =>
    withChannel(limitsOf({ maxMsgs: 2 }), (m) => {
      storeN(m, 4);
      for (const seq of [0, -1, 1, 2, 5, 100, 2.5, Number.NaN]) {
        assert.is(m.lookup(seq), undefined, `lookup(${seq})`);
        assert.is(m.timestampOf(seq), undefined, `timestampOf(${seq})`);
      }
      assert.ok(m.lookup(3));
      assert.ok(m.lookup(4));
    }));

  msgs('timestamps round-trip as bigint', () =>
    withChannel(limitsOf(), (m) => {
      const stamps = [1n, T0, 9_223_372_036_854_775_807n];
      for (const ts of stamps) m.store(bytes('x'), '', ts);
      stamps.forEach((ts, i) => {
        assert.is(m.lookup(i + 1)!.timestamp, ts);
        assert.is(m.timestampOf(i + 1), ts);
        assert.is(typeof m.timestampOf(i + 1), 'bigint');
      });
    }));

  msgs('firstSeqAtOrAfter finds the first message at or after a time', () =>
    withChannel(limitsOf(), (m) => {
      for (const ts of [10n, 20n, 20n, 30n]) m.store(bytes('x'), '', T0 + ts);
      const cases: [bigint, number][] = [
        [0n, 1],
        [10n, 1],
        [15n, 2],
        [20n, 2],
        [25n, 4],
        [30n, 4],
        [31n, 5], // after the last: lastSeq + 1
      ];
      for (const [ts, seq] of cases) assert.is(m.firstSeqAtOrAfter(T0 + ts), seq, `ts +${ts}`);
    }));

  msgs('firstSeqAtOrAfter never answers a removed sequence', () =>
    withChannel(limitsOf({ maxMsgs: 2 }), (m) => {
      storeN(m, 6); // timestamps T0 .. T0+5; 5 and 6 remain
      assert.is(m.firstSeqAtOrAfter(T0), 5);
      assert.is(m.firstSeqAtOrAfter(T0 + 5n), 6);
      assert.is(m.firstSeqAtOrAfter(T0 + 6n), 7);
    }));

  msgs('max_msgs drops the oldest', () =>
    withChannel(limitsOf({ maxMsgs: 3 }), (m) => {
      storeN(m, 5);
      assert.is(m.firstSeq, 3);
      assert.is(m.lastSeq, 5);
      assert.is(m.state().msgs, 3);
      assert.is(m.lookup(2), undefined);
      assert.is(m.lookup(3)!.sequence, 3);
      assert.is(m.store(bytes('x'), '', T0 + 9n), 6);
    }));

  msgs('max_bytes drops the oldest and bytes stay consistent', () =>
    withStore((store) => {
      // Same-size messages: measure one, then allow two and a half of them.
      const probe = store.createChannel('bar', limitsOf()).msgs; // same name length as foo
      storeN(probe, 1, 100);
      const one = probe.state().bytes;
      assert.ok(one > 100, 'a message counts at least its payload');
      const m = store.createChannel('foo', limitsOf({ maxBytes: Math.floor(one * 2.5) })).msgs;
      storeN(m, 7, 100);
      assert.equal(m.state(), { firstSeq: 6, lastSeq: 7, msgs: 2, bytes: 2 * one });
      assert.is(probe.state().bytes, one);
    }));

  msgs('the newest message is kept even when it alone exceeds max_bytes', () =>
    withChannel(limitsOf({ maxBytes: 10 }), (m) => {
      m.store(new Uint8Array(100), '', T0);
      assert.is(m.state().msgs, 1);
      assert.is(m.lookup(1)!.data.length, 100);
      m.store(new Uint8Array(100), '', T0 + 1n);
      assert.is(m.state().msgs, 1);
      assert.is(m.firstSeq, 2);
      assert.is(m.lookup(2)!.data.length, 100);
    }));

  msgs('max_age: expire removes messages older than now - max_age', () =>
    withChannel(limitsOf({ maxAgeMs: 1000 }), (m) => {
      for (const ms of [0n, 100n, 500n, 1500n]) m.store(bytes('x'), '', T0 + ms * MS);
      assert.is(m.expire(T0 + 999n * MS), 0);
      // At exactly max_age a message is expired.
      assert.is(m.expire(T0 + 1000n * MS), 1);
      assert.is(m.firstSeq, 2);
      assert.is(m.expire(T0 + 1501n * MS), 2);
      assert.equal(m.state().msgs, 1);
      assert.is(m.firstSeq, 4);
      assert.is(m.lookup(3), undefined);
      assert.ok(m.lookup(4));
    }));

  msgs('max_age can remove every message; sequences go on', () =>
    withChannel(limitsOf({ maxAgeMs: 1000 }), (m) => {
      storeN(m, 3);
      assert.is(m.expire(T0 + 10_000n * MS), 3);
      assert.equal(m.state(), { firstSeq: 4, lastSeq: 3, msgs: 0, bytes: 0 });
      assert.is(m.lookup(3), undefined);
      assert.is(m.firstSeqAtOrAfter(T0), 4);
      assert.is(m.store(bytes('x'), '', T0 + 20_000n * MS), 4);
      assert.equal(m.state().firstSeq, 4);
      assert.equal(m.state().msgs, 1);
    }));

  msgs('expire without max_age removes nothing', () =>
    withChannel(limitsOf(), (m) => {
      storeN(m, 3, 10, 1n);
      assert.is(m.expire(T0 * 2n), 0);
      assert.is(m.state().msgs, 3);
    }));

  msgs('setLimits applies new limits at once, oldest first', () =>
    withChannel(limitsOf(), (m) => {
      storeN(m, 10, 50);
      const one = m.state().bytes / 10;
      m.setLimits(limitsOf({ maxMsgs: 4 }));
      assert.equal(m.state(), { firstSeq: 7, lastSeq: 10, msgs: 4, bytes: 4 * one });
      m.setLimits(limitsOf({ maxBytes: 1 }));
      assert.equal(m.state(), { firstSeq: 10, lastSeq: 10, msgs: 1, bytes: one });
      // Raising limits brings nothing back; new messages follow them.
      m.setLimits(limitsOf({ maxMsgs: 3 }));
      assert.is(m.state().msgs, 1);
      storeN(m, 5, 50);
      assert.equal(m.state(), { firstSeq: 13, lastSeq: 15, msgs: 3, bytes: 3 * one });
    }));

  msgs('channels have their own sequences and limits', () =>
    withStore((store) => {
      const a = store.createChannel('a', limitsOf({ maxMsgs: 1 })).msgs;
      const b = store.createChannel('b', limitsOf()).msgs;
      storeN(a, 3);
      storeN(b, 2);
      assert.equal([a.firstSeq, a.lastSeq, b.firstSeq, b.lastSeq], [3, 3, 1, 2]);
      assert.is(b.lookup(1)!.subject, 'b');
    }));

  msgs('flush resolves', () =>
    withChannel(limitsOf(), async (m) => {
      storeN(m, 3);
      await m.flush();
      assert.is(m.lastSeq, 3);
    }));

  msgs.run();

  // ---------- subscriptions ----------

  const subs = suite(`stores/contract ${name}: subscriptions`);

  subs('create assigns increasing ids when id is 0', () =>
    withStore((store) => {
      const s = store.createChannel('foo', limitsOf()).subs;
      const ids = [subState(), subState(), subState()].map((st) => {
        s.create(st);
        return st.id;
      });
      assert.equal(ids, [1, 2, 3]);
    }));

  subs('ids are never reused, and a given id is kept', () =>
    withStore((store) => {
      const s = store.createChannel('foo', limitsOf()).subs;
      const a = subState();
      s.create(a);
      s.delete(a.id);
      const b = subState();
      s.create(b);
      assert.is(b.id, 2);
      const c = subState({ id: 10 });
      s.create(c);
      assert.is(c.id, 10);
      const d = subState();
      s.create(d);
      assert.is(d.id, 11);
    }));

  subs('ids are per channel', () =>
    withStore((store) => {
      const a = store.createChannel('a', limitsOf()).subs;
      const b = store.createChannel('b', limitsOf()).subs;
      const x = subState();
      const y = subState();
      a.create(x);
      b.create(y);
      assert.equal([x.id, y.id], opts.storeWideSubIds ? [1, 2] : [1, 1]);
    }));

  subs('update, sent, acked and delete are accepted; flush resolves', () =>
    withStore(async (store) => {
      const s = store.createChannel('foo', limitsOf()).subs;
      const st = subState({ durableName: 'dur', isDurable: true });
      s.create(st);
      for (let seq = 1; seq <= 3; seq++) s.sent(st.id, seq);
      s.acked(st.id, 2);
      s.update({ ...st, lastSent: 3, isClosed: true });
      s.delete(st.id);
      await s.flush();
    }));

  subs.run();

  // ---------- the whole store ----------

  const whole = suite(`stores/contract ${name}: store`);

  whole('type names the store kind', async () => {
    const store = await open();
    assert.ok(['MEMORY', 'FILE', 'SQL'].includes(store.type), store.type);
    await store.close();
  });

  whole('a new store recovers nothing', async () => {
    const store = await open();
    assert.equal(await store.recover(), { info: undefined, clients: [], channels: [] });
    await store.close();
  });

  whole('server info and clients are accepted', () =>
    withStore(async (store) => {
      store.init(serverInfo());
      store.addClient(clientInfo('me'));
      store.addClient(clientInfo('other'));
      store.deleteClient('other');
      await store.flush();
    }));

  whole('createChannel applies the limits it is given', () =>
    withStore((store) => {
      const { msgs: m, subs: s } = store.createChannel('foo', limitsOf({ maxMsgs: 2 }));
      assert.ok(s);
      storeN(m, 3);
      assert.is(m.state().msgs, 2);
    }));

  whole('creating an existing channel fails', () =>
    withStore((store) => {
      store.createChannel('foo', limitsOf());
      assert.throws(() => store.createChannel('foo', limitsOf()), (err: unknown) => err instanceof StoreError);
    }));

  whole('a deleted channel can be created again, empty', () =>
    withStore((store) => {
      const first = store.createChannel('foo', limitsOf());
      storeN(first.msgs, 3);
      const st = subState();
      first.subs.create(st);
      store.deleteChannel('foo');
      const again = store.createChannel('foo', limitsOf());
      assert.equal(again.msgs.state(), { firstSeq: 0, lastSeq: 0, msgs: 0, bytes: 0 });
      assert.is(again.msgs.store(bytes('x'), '', T0), 1);
      const st2 = subState();
      again.subs.create(st2);
      assert.is(st2.id, opts.storeWideSubIds ? 2 : 1);
    }));

  whole('flush resolves, close can be repeated', async () => {
    const store = await open();
    await store.recover();
    storeN(store.createChannel('foo', limitsOf()).msgs, 2);
    await store.flush();
    await store.close();
    await store.close();
  });

  whole.run();

  runReadContract(name, { openSmall: opts.openSmall ?? open, evict: opts.evict });
  if (opts.reopen !== undefined) runRecoveryContract(name, open, opts.reopen);
}
