// A datastore written by the Go server's file store opens in ours, field
// for field. The fixture (fixtures/go-filestore/) was written by a small Go
// program built on this machine from nats-streaming-server's own
// stores/filestore.go (v0.25.x sources, Debian's Go 1.19 and gogo
// protobuf), and fixtures/go-filestore.json is what that Go code read back
// from it. The Go program is not part of the repository; the other
// direction (the Go code reading a store our server wrote) was checked
// with it by hand: see the note on issue 5.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore } from '../../src/stores/file/index.js';
import { closeClient, stanConnect, startStan } from '../helpers/stan.js';
import { subscribe } from '../helpers/stan-sub.js';
import { tempDir } from './file-helpers.js';

interface GoMsg {
  sequence: number;
  reply: string;
  data: string;
  timestamp: number;
}
interface GoSub {
  id: number;
  clientID: string;
  qGroup: string;
  inbox: string;
  ackInbox: string;
  maxInFlight: number;
  ackWaitInSecs: number;
  durableName: string;
  lastSent: number;
  isDurable: boolean;
  isClosed: boolean;
  pending: number[];
}
interface GoDump {
  serverInfo: Record<string, string>;
  clients: { id: string; hbInbox: string }[];
  channels: { name: string; firstSeq: number; lastSeq: number; numMsgs: number; bytes: number; messages: GoMsg[]; subscriptions: GoSub[] }[];
}

// From dist/test/stores back to the sources' fixtures.
const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'test', 'stores', 'fixtures');
// The Go dump prints timestamps as JSON numbers: exact only to ~2^53, so
// the expected values are read from the text with their digits.
const dumpText = readFileSync(join(FIXTURES, 'go-filestore.json'), 'utf8');
const go = JSON.parse(dumpText) as GoDump;
const exactTimestamps = [...dumpText.matchAll(/"timestamp": (\d+)/g)].map((m) => BigInt(m[1]!));

/** A copy of the Go-written store (recovery may write; the fixture stays as it is). */
function goStore(): string {
  const dir = join(tempDir(), 'go-filestore');
  cpSync(join(FIXTURES, 'go-filestore'), dir, { recursive: true });
  return dir;
}

const interop = suite('stores/file reads the Go server’s file store');

interop('server info, clients, channels, messages and subscriptions, as the Go code reads them', async () => {
  const store = new FileStore({ dir: goStore() });
  const rec = await store.recover();
  try {
    const i = go.serverInfo;
    assert.equal(rec.info, {
      clusterId: i.clusterID,
      discovery: i.discovery,
      publish: i.publish,
      subscribe: i.subscribe,
      unsubscribe: i.unsubscribe,
      close: i.close,
      subClose: i.subClose,
      acksSubs: i.acksSubs,
      nodeId: i.nodeID,
    });
    assert.equal(
      rec.clients.map((c) => [c.id, c.hbInbox]).sort(),
      go.clients.map((c) => [c.id, c.hbInbox]).sort(),
      'clients, the deleted one left out',
    );
    assert.equal(rec.channels.map((c) => c.name).sort(), go.channels.map((c) => c.name).sort());
    let ts = 0;
    for (const want of go.channels) {
      const ch = rec.channels.find((c) => c.name === want.name)!;
      const st = ch.msgs.state();
      assert.equal([st.firstSeq, st.lastSeq, st.msgs, st.bytes], [want.firstSeq, want.lastSeq, want.numMsgs, want.bytes], `${want.name}: state, bytes counted as Go counts them`);
      for (const m of want.messages) {
        const got = ch.msgs.lookup(m.sequence)!;
        assert.ok(got, `${want.name} #${m.sequence}`);
        assert.is(Buffer.from(got.data).toString(), m.data);
        assert.is(got.reply, m.reply);
        assert.is(got.subject, want.name);
        assert.is(got.timestamp, exactTimestamps[ts++], `${want.name} #${m.sequence}: timestamp to the nanosecond`);
      }
      const subs = ch.recovered
        .map((r) => ({ ...r.state, pending: [...r.pending].sort((a, b) => a - b) }))
        .sort((a, b) => a.id - b.id);
      assert.equal(
        subs,
        want.subscriptions.map((s) => ({
          id: s.id,
          clientId: s.clientID,
          qGroup: s.qGroup,
          inbox: s.inbox,
          ackInbox: s.ackInbox,
          maxInFlight: s.maxInFlight,
          ackWaitInSecs: s.ackWaitInSecs,
          durableName: s.durableName,
          lastSent: s.lastSent,
          isDurable: s.isDurable,
          isClosed: s.isClosed,
          pending: s.pending,
        })),
        `${want.name}: subscriptions with their pending sequences`,
      );
    }
  } finally {
    await store.close();
  }
});

interop('under our server, the Go store’s durable resumes with its pending message and the ones after it', async () => {
  const s = await startStan({ store: new FileStore({ dir: goStore() }) });
  try {
    // "me" is a recovered client whose heartbeat inbox nobody answers: the
    // new connection replaces it after the duplicate probe.
    const sc = await stanConnect(s.url, 'me');
    const dur = await subscribe(sc, 'foo', { durable: 'dur', manual: true, maxInFlight: 10, ackWaitMs: 30_000 });
    await dur.waitCount(3);
    // At startup the recovered (still online) durable got 3 redelivered and
    // 4, 5 sent to its old inbox (STAN-REFERENCE §2.6, server restart); the
    // reconnecting client closes the old "me", and the resumed durable has
    // all three redelivered, in order, as the Go server does.
    assert.equal(dur.flags(), [[3, true], [4, true], [5, true]]);
    assert.equal(dur.got.map((m) => m.data.toString()), ['msg-3', 'msg-4', 'msg-5']);
    await closeClient(sc);
  } finally {
    await s.stop();
  }
});

interop.run();
