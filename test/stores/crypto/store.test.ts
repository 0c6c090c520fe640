// The encrypting store wrapper (src/stores/crypto/store.ts): the store
// contract over it (memory and file underneath), FILE stores the Go
// server encrypted read back whole (fixtures/go-encrypted-filestore by its
// store code, fixtures/go-server-encrypted by its binary), what
// lands on disk, byte counts with the overhead, the key check at recovery,
// and which options turn it on.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  channelKey,
  CipherCode,
  CryptoMsgStore,
  CryptoStore,
  ENCRYPTION_OVERHEAD,
  encryptionChoice,
  masterKeyHash,
  MsgCipher,
} from '../../../src/stores/crypto/index.js';
import { FileStore, type FileMsgStore } from '../../../src/stores/file/index.js';
import { RECENT_TTL_MS } from '../../../src/stores/file/recent.js';
import { MemoryStore } from '../../../src/stores/memory/index.js';
import { runStoreContract } from '../contract.js';
import { tempDir } from '../file-helpers.js';
import { bytes, limitsOf, serverInfo, T0 } from '../fixtures.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'test', 'stores', 'fixtures');
const dumpText = readFileSync(join(FIXTURES, 'go-encrypted-filestore.json'), 'utf8');
const go = JSON.parse(dumpText) as {
  channels: { name: string; firstSeq: number; lastSeq: number; numMsgs: number; bytes: number; messages: { sequence: number; data: string }[] }[];
};
// Timestamps past 2^53: read with their digits.
const exactTimestamps = [...dumpText.matchAll(/"timestamp": (\d+)/g)].map((m) => BigInt(m[1]!));
const FIXTURE_KEY = { cipher: '', key: Buffer.from('fixture key: not a secret') };

const aes = { cipher: 'AES', key: Buffer.from('contract key') };
const chacha = { cipher: 'CHACHA', key: Buffer.from('contract key') };

runStoreContract('MEMORY encrypted (CHACHA)', async () => new CryptoStore(new MemoryStore(), chacha));
runStoreContract('FILE encrypted (AES)', async () => new CryptoStore(new FileStore({ dir: tempDir() }), aes), {
  reopen: async (s) => {
    await s.close();
    return new CryptoStore(new FileStore({ dir: ((s as CryptoStore).inner as FileStore).dir }), aes);
  },
  openSmall: async () => new CryptoStore(new FileStore({ dir: tempDir(), sliceMaxMsgs: 7 }), aes),
  evict: async (m) => ((m as CryptoMsgStore).inner as FileMsgStore).sweep(Date.now() + 2 * RECENT_TTL_MS, false),
});

/** Asserts that `p` rejects with an error `test` accepts. */
async function rejects(p: Promise<unknown>, test: (e: Error) => boolean): Promise<void> {
  const got = await p.then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(got, 'rejected');
  assert.ok(test(got!), got!.message);
}

/** A copy of the Go-written store (recovery may write; the fixture stays as it is). */
function goStore(): string {
  const dir = join(tempDir(), 'go-encrypted-filestore');
  cpSync(join(FIXTURES, 'go-encrypted-filestore'), dir, { recursive: true });
  return dir;
}

const crypto = suite('stores/crypto/store');

crypto('the Go server’s encrypted FILE store reads back whole: AES, ChaCha, clear and empty messages, Go’s byte counts', async () => {
  const store = new CryptoStore(new FileStore({ dir: goStore() }), FIXTURE_KEY);
  const rec = await store.recover();
  try {
    assert.equal(rec.channels.map((c) => c.name).sort(), go.channels.map((c) => c.name).sort());
    let ts = 0;
    for (const want of go.channels) {
      const ch = rec.channels.find((c) => c.name === want.name)!;
      const st = ch.msgs.state();
      assert.equal([st.firstSeq, st.lastSeq, st.msgs, st.bytes], [want.firstSeq, want.lastSeq, want.numMsgs, want.bytes], `${want.name}: state, overhead counted as Go counts it`);
      const read = await ch.msgs.read(1, 100);
      assert.equal(read.map((m) => Buffer.from(m.data).toString()), want.messages.map((m) => m.data), `${want.name}: read()`);
      for (const m of want.messages) {
        const got = ch.msgs.lookup(m.sequence)!;
        assert.is(Buffer.from(got.data).toString(), m.data, `${want.name} #${m.sequence}`);
        assert.is(got.timestamp, exactTimestamps[ts++]);
      }
    }
  } finally {
    await store.close();
  }
});

crypto('a FILE store the Go server binary encrypted (AES, then CHACHA) reads back as its clients read it', async () => {
  const want = JSON.parse(readFileSync(join(FIXTURES, 'go-server-encrypted.json'), 'utf8')) as {
    key: string;
    channels: Record<string, { sequence: number; data: string }[]>;
  };
  const dir = join(tempDir(), 'go-server-encrypted');
  cpSync(join(FIXTURES, 'go-server-encrypted'), dir, { recursive: true });
  const store = new CryptoStore(new FileStore({ dir }), { cipher: '', key: Buffer.from(want.key) });
  const rec = await store.recover();
  try {
    assert.equal(rec.channels.map((c) => c.name).sort(), Object.keys(want.channels).sort());
    for (const [name, msgs] of Object.entries(want.channels)) {
      const ch = rec.channels.find((c) => c.name === name)!;
      const read = await ch.msgs.read(1, 100);
      assert.equal(read.map((m) => [m.sequence, Buffer.from(m.data).toString('hex')]), msgs.map((m) => [m.sequence, m.data]), name);
    }
    const foo = rec.channels.find((c) => c.name === 'foo')!.msgs as CryptoMsgStore;
    assert.equal([1, 2, 4].map((seq) => foo.inner.lookup(seq)!.data[0]), [1, undefined, 2], 'AES, empty (clear), CHACHA');
  } finally {
    await store.close();
  }
});

crypto('a wrong key: the store does not open, and the error says so and names the channel', async () => {
  const store = new CryptoStore(new FileStore({ dir: goStore() }), { cipher: 'AES', key: Buffer.from('not the key') });
  try {
    await rejects(store.recover(), (e: Error) => /^encryption key does not match: message \d+ of channel "(foo|bar\.baz)" cannot be decrypted/.test(e.message));
  } finally {
    await store.close();
  }
});

crypto('a message another key wrote is never served: lookup throws, read() rejects or stops before it, cached() leaves it to read()', async () => {
  const dir = tempDir();
  const one = new CryptoStore(new FileStore({ dir }), aes);
  await one.recover();
  one.init(serverInfo());
  one.createChannel('foo', limitsOf()).msgs.store(bytes('first key'), '', T0);
  await one.close();
  // Written with another key after the first: recovery checks the last message, which now decrypts.
  const two = new CryptoStore(new FileStore({ dir }), { cipher: 'AES', key: Buffer.from('second key') });
  const rec0 = await two.recover().catch((e: Error) => e);
  assert.instance(rec0, Error, 'the last message is checked');
  await two.close();
  // Past the check, the read paths: the message store wrapped by hand with the second key.
  const inner = new FileStore({ dir });
  const plain = await inner.recover();
  const key = channelKey(masterKeyHash(Buffer.from('second key')), 'foo');
  const msgs = new CryptoMsgStore('foo', plain.channels[0]!.msgs, new MsgCipher(CipherCode.AES, key, 1));
  msgs.store(bytes('second key'), '', T0 + 1n);
  try {
    assert.throws(() => msgs.lookup(1), (e: Error) => /channel "foo": message 1 cannot be decrypted: the encryption key does not match/.test(e.message));
    assert.is(Buffer.from(msgs.lookup(2)!.data).toString(), 'second key');
    await rejects(msgs.read(1, 10), (e: Error) => /message 1 cannot be decrypted/.test(e.message));
    assert.equal((await msgs.read(2, 10)).map((m) => m.sequence), [2]);
    assert.is(msgs.cached(1), undefined);
  } finally {
    await inner.close();
  }
});

crypto('on disk only the data is encrypted; bytes count the 29 bytes of overhead, empty data none', async () => {
  const dir = tempDir();
  const store = new CryptoStore(new FileStore({ dir }), chacha);
  await store.recover();
  store.init(serverInfo());
  const m = store.createChannel('foo', limitsOf()).msgs;
  m.store(bytes('secret payload'), 'the.reply', T0);
  m.store(new Uint8Array(0), '', T0 + 1n);
  const counted = m.state().bytes;
  await store.close();
  const raw = new FileStore({ dir });
  const rec = await raw.recover();
  try {
    const msgs = rec.channels[0]!.msgs;
    const one = msgs.lookup(1)!;
    assert.is(one.data[0], 2, 'ChaCha code');
    assert.is(one.data.length, 'secret payload'.length + ENCRYPTION_OVERHEAD);
    assert.not.ok(Buffer.from(one.data).includes('secret payload'));
    assert.is(one.reply, 'the.reply', 'reply in clear');
    assert.is(one.timestamp, T0);
    assert.is(msgs.lookup(2)!.data.length, 0);
    assert.is(msgs.state().bytes, counted, 'the inner store counted the encrypted bytes');
    const files = readFileSync(join(dir, 'foo', 'msgs.1.dat'));
    assert.not.ok(files.includes('secret payload'), 'nowhere in the file');
  } finally {
    await raw.close();
  }
});

crypto('restarted with the other cipher: old messages still read, new ones use it', async () => {
  const dir = tempDir();
  const a = new CryptoStore(new FileStore({ dir }), aes);
  await a.recover();
  a.init(serverInfo());
  a.createChannel('foo', limitsOf()).msgs.store(bytes('by aes'), '', T0);
  await a.close();
  const c = new CryptoStore(new FileStore({ dir }), chacha);
  const rec = await c.recover();
  try {
    const msgs = rec.channels[0]!.msgs as CryptoMsgStore;
    msgs.store(bytes('by chacha'), '', T0 + 1n);
    assert.equal((await msgs.read(1, 10)).map((m) => Buffer.from(m.data).toString()), ['by aes', 'by chacha']);
    assert.equal([msgs.inner.lookup(1)!.data[0], msgs.inner.lookup(2)!.data[0]], [1, 2]);
  } finally {
    await c.close();
  }
});

crypto('the last messages stored are served clear from memory: a copy, and never once the store dropped them', async () => {
  const store = new CryptoStore(new MemoryStore(), aes);
  await store.recover();
  const msgs = store.createChannel('foo', limitsOf({ maxMsgs: 2 })).msgs as CryptoMsgStore;
  const data = Buffer.from('reused buffer');
  msgs.store(data, 'r', T0);
  data.fill(0x78);
  assert.is(Buffer.from(msgs.cached(1)!.data).toString(), 'reused buffer', 'a copy of what was stored');
  assert.is(msgs.cached(1)!.reply, 'r');
  assert.is(msgs.inner.cached(1)!.data[0], 1, 'the inner store holds it encrypted');
  msgs.store(bytes('two'), '', T0 + 1n);
  msgs.store(bytes('three'), '', T0 + 2n);
  assert.is(msgs.cached(1), undefined, 'dropped by max_msgs');
  assert.is(msgs.lookup(1), undefined);
  assert.equal((await msgs.read(1, 10)).map((m) => Buffer.from(m.data).toString()), ['two', 'three']);
  await store.close();
});

crypto('options: --encrypt or a key turns it on; the environment variable supplies the key over the option, never turns it on', () => {
  assert.is(encryptionChoice({}, {}), undefined);
  assert.is(encryptionChoice({}, { NATS_STREAMING_ENCRYPTION_KEY: 'env' }), undefined);
  assert.equal(encryptionChoice({ encrypt: true }, {}), { cipher: '', key: Buffer.alloc(0) });
  assert.equal(encryptionChoice({ encryptionKey: 'flag' }, {}), { cipher: '', key: Buffer.from('flag') });
  assert.equal(encryptionChoice({ encryptionKey: 'flag', encryptionCipher: 'chacha' }, { NATS_STREAMING_ENCRYPTION_KEY: 'env' }), {
    cipher: 'chacha',
    key: Buffer.from('env'),
  });
  assert.equal(encryptionChoice({ encrypt: true, encryptionKey: 'flag' }, { NATS_STREAMING_ENCRYPTION_KEY: '' })?.key, Buffer.from('flag'));
  assert.throws(() => CryptoStore.check({ cipher: 'AES', key: Buffer.alloc(0) }), /^encryption key required$/);
  assert.throws(() => CryptoStore.check({ cipher: 'rot13', key: Buffer.from('k') }), /^encryption cipher not supported$/);
});

crypto.run();
