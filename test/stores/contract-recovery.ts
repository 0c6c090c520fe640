// The recovery part of the store contract (test/stores/contract.ts), for
// persistent stores: what was written comes back from recover() after the
// store is closed and opened again (STAN-REFERENCE §5.3, §5.5 semantics).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Store } from '../../src/stores/store.js';
import { bytes, clientInfo, limitsOf, serverInfo, storeN, subState, T0 } from './fixtures.js';

/** Persistent stores: what was written comes back from recover() after a reopen. */
export function runRecoveryContract(
  name: string,
  open: () => Promise<Store>,
  reopen: (s: Store) => Promise<Store>,
): void {
  const rec = suite(`stores/contract ${name}: recovery`);

  rec('server info, clients, channels, messages and subscriptions come back', async () => {
    let store = await open();
    await store.recover();
    store.init(serverInfo('recovered'));
    store.addClient(clientInfo('c1'));
    store.addClient(clientInfo('c2'));
    store.deleteClient('c2');
    const { msgs: m, subs: s } = store.createChannel('foo', limitsOf());
    m.store(bytes('one'), '', T0);
    m.store(bytes('two'), 'reply', T0 + 1n);
    m.store(bytes('three'), '', T0 + 2n);
    const kept = subState({ durableName: 'dur', isDurable: true });
    s.create(kept);
    const gone = subState({ inbox: '_INBOX.gone' });
    s.create(gone);
    s.sent(kept.id, 1);
    // An update replaces the state; later sends raise its lastSent.
    s.update({ ...kept, inbox: '_INBOX.resumed', lastSent: 1 });
    s.sent(kept.id, 2);
    s.sent(kept.id, 3);
    s.acked(kept.id, 2);
    s.delete(gone.id);
    await store.flush();

    store = await reopen(store);
    try {
      const r = await store.recover();
      assert.equal(r.info, serverInfo('recovered'));
      assert.equal(
        r.clients.map((c) => c.id),
        ['c1'],
      );
      assert.equal([...r.clients[0]!.connId], [...clientInfo('c1').connId]);
      assert.is(r.channels.length, 1);
      const ch = r.channels[0]!;
      assert.is(ch.name, 'foo');
      assert.equal(ch.msgs.state().msgs, 3);
      assert.is(ch.msgs.lastSeq, 3);
      const two = ch.msgs.lookup(2)!;
      assert.equal([...two.data], [...bytes('two')]);
      assert.is(two.reply, 'reply');
      assert.is(two.timestamp, T0 + 1n);
      assert.is(ch.recovered.length, 1);
      const sub = ch.recovered[0]!;
      assert.equal(sub.state, { ...kept, inbox: '_INBOX.resumed', lastSent: 3 });
      assert.equal([...sub.pending].sort((a, b) => a - b), [1, 3]);
      // Ids go on after the highest ever used, and sequences after the last.
      const next = subState();
      ch.subs.create(next);
      assert.is(next.id, gone.id + 1);
      assert.is(ch.msgs.store(bytes('four'), '', T0 + 3n), 4);
    } finally {
      await store.close();
    }
  });

  rec('limits are re-applied with setLimits after recovery', async () => {
    let store = await open();
    await store.recover();
    store.init(serverInfo());
    storeN(store.createChannel('foo', limitsOf()).msgs, 5);
    await store.flush();
    store = await reopen(store);
    try {
      const ch = (await store.recover()).channels[0]!;
      ch.msgs.setLimits(limitsOf({ maxMsgs: 2 }));
      assert.equal([ch.msgs.firstSeq, ch.msgs.lastSeq, ch.msgs.state().msgs], [4, 5, 2]);
    } finally {
      await store.close();
    }
  });

  rec.run();
}
