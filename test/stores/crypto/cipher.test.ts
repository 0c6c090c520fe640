// The encryption format of the Go server, byte for byte (STAN-REFERENCE
// §8.4): key derivation against vectors computed apart from this code
// (Python's hashlib over the bytes Go's newCryptoMsgStore hashes), and the
// stored layout and nonce scheme against the messages of a FILE store the
// Go server's own cryptostore.go wrote (fixtures/go-encrypted-filestore,
// see fixtures/README.md): ours decrypts them, and encrypting their clear
// data again with their nonce gives the very same bytes.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  channelKey,
  CipherCode,
  cipherCodeOf,
  DecryptError,
  ENCRYPTION_OVERHEAD,
  ERR_CIPHER_NOT_SUPPORTED,
  ERR_KEY_REQUIRED,
  masterKeyHash,
  MsgCipher,
} from '../../../src/stores/crypto/index.js';
// From dist/test/stores/crypto back to the sources' fixtures.
const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'test', 'stores', 'fixtures');

interface GoMsg {
  sequence: number;
  data: string;
  storedHex: string;
}
const go = JSON.parse(readFileSync(join(FIXTURES, 'go-encrypted-filestore.json'), 'utf8')) as {
  channels: { name: string; messages: GoMsg[] }[];
};
const FIXTURE_KEY = Buffer.from('fixture key: not a secret');

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fixed = (bytes: Uint8Array) => () => Buffer.from(bytes);

const keys = suite('stores/crypto/cipher: keys');

keys('the master key is SHA-256 of the key bytes', () => {
  assert.is(hex(masterKeyHash(FIXTURE_KEY)), '2eb3f05757cf270b8191ba444a9fd8f168027b29dd7f648a3c29854caef24dea');
  assert.is(hex(masterKeyHash(Buffer.from('k'))), '8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a');
});

keys('a channel key hashes len(master)+1+len(channel) zero bytes, the master, "." and the name', () => {
  const m = masterKeyHash(FIXTURE_KEY);
  assert.is(hex(channelKey(m, 'foo')), '02c125b40841448b39727fd9d586ecae3d99af8927a47b7074fc674432bb1fab');
  assert.is(hex(channelKey(m, 'bar.baz')), 'd74e203a4382c10a13863d1999ae4d09c63f84fc2a98fb98e22f0a795c2e1c44');
});

keys('an empty key and an unknown cipher fail with the Go server’s errors', () => {
  assert.throws(() => masterKeyHash(Buffer.alloc(0)), (e: Error) => e.message === ERR_KEY_REQUIRED);
  assert.is(ERR_KEY_REQUIRED, 'encryption key required');
  assert.throws(() => cipherCodeOf('DES'), (e: Error) => e.message === ERR_CIPHER_NOT_SUPPORTED);
  assert.is(ERR_CIPHER_NOT_SUPPORTED, 'encryption cipher not supported');
});

keys('cipher names in any case; none picks AES on amd64/386, CHACHA elsewhere', () => {
  assert.is(cipherCodeOf('aes'), CipherCode.AES);
  assert.is(cipherCodeOf('ChaCha'), CipherCode.CHACHA);
  assert.is(cipherCodeOf('', 'x64'), CipherCode.AES);
  assert.is(cipherCodeOf('', 'ia32'), CipherCode.AES);
  assert.is(cipherCodeOf('', 'arm64'), CipherCode.CHACHA);
});

keys.run();

const layout = suite('stores/crypto/cipher: stored layout and nonces');

layout('the nonce: random, its last 8 bytes the last sequence + 1, then a 96-bit big-endian counter', () => {
  const c = new MsgCipher(CipherCode.AES, Buffer.alloc(32, 7), 41, fixed(Buffer.from('a1b2c3d4e5f60718293a4b5c', 'hex')));
  assert.is(hex(c.nonce), 'a1b2c3d4000000000000002a');
  const out = c.encrypt(Buffer.from('x'));
  assert.is(hex(out.subarray(0, 13)), '01a1b2c3d4000000000000002a');
  assert.is(hex(c.nonce), 'a1b2c3d4000000000000002b');
  // The carry runs into the random part, as Go's loop does.
  const w = new MsgCipher(CipherCode.CHACHA, Buffer.alloc(32, 7), 2 ** 53, fixed(Buffer.from('00000000ffffffffffffffff', 'hex')));
  assert.is(hex(w.nonce), '000000000020000000000001');
  const v = new MsgCipher(CipherCode.CHACHA, Buffer.alloc(32, 7), 0, fixed(Buffer.from('000000ff0000000000000000', 'hex')));
  for (let i = 0; i < 255; i++) v.encrypt(Buffer.from('y'));
  assert.is(hex(v.nonce), '000000ff0000000000000100');
});

layout('both ciphers: [code][nonce][ciphertext ‖ tag], 29 bytes over the data, and back', () => {
  for (const code of [CipherCode.AES, CipherCode.CHACHA]) {
    const c = new MsgCipher(code, channelKey(masterKeyHash(Buffer.from('k')), 'foo'), 0);
    const data = Buffer.from('hello encryption');
    const out = c.encrypt(data);
    assert.is(out.length, data.length + ENCRYPTION_OVERHEAD);
    assert.is(ENCRYPTION_OVERHEAD, 29);
    assert.is(out[0], code);
    assert.not.ok(out.subarray(13).includes(data), 'the data is not there in clear');
    assert.is(Buffer.from(c.decrypt(out)).toString(), 'hello encryption');
  }
});

layout('decryption follows the stored code, not the configured cipher', () => {
  const key = channelKey(masterKeyHash(Buffer.from('k')), 'foo');
  const aes = new MsgCipher(CipherCode.AES, key, 0);
  const chacha = new MsgCipher(CipherCode.CHACHA, key, 0);
  assert.is(Buffer.from(aes.decrypt(chacha.encrypt(Buffer.from('c')))).toString(), 'c');
  assert.is(Buffer.from(chacha.decrypt(aes.encrypt(Buffer.from('a')))).toString(), 'a');
});

layout('clear data (a first byte other than 1 or 2) and empty data come back as they are', () => {
  const c = new MsgCipher(CipherCode.AES, Buffer.alloc(32), 0);
  const legacy = Buffer.from('legacy');
  assert.is(c.decrypt(legacy), legacy);
  const empty = new Uint8Array(0);
  assert.is(c.decrypt(empty), empty);
});

layout('another key, a flipped bit or a short record never decrypt: DecryptError, no data', () => {
  for (const code of [CipherCode.AES, CipherCode.CHACHA]) {
    const right = new MsgCipher(code, channelKey(masterKeyHash(Buffer.from('right')), 'foo'), 0);
    const wrong = new MsgCipher(code, channelKey(masterKeyHash(Buffer.from('wrong')), 'foo'), 0);
    const otherChannel = new MsgCipher(code, channelKey(masterKeyHash(Buffer.from('right')), 'bar'), 0);
    const out = right.encrypt(Buffer.from('secret'));
    assert.throws(() => wrong.decrypt(out), (e: Error) => e instanceof DecryptError && /key does not match/.test(e.message));
    assert.throws(() => otherChannel.decrypt(out), (e: Error) => e instanceof DecryptError);
    const flipped = Buffer.from(out);
    flipped[20]! ^= 1;
    assert.throws(() => right.decrypt(flipped), (e: Error) => e instanceof DecryptError);
    assert.throws(() => right.decrypt(out.subarray(0, 20)), (e: Error) => e instanceof DecryptError && /too short/.test(e.message));
  }
});

layout.run();

const fixture = suite('stores/crypto/cipher: records the Go server encrypted');

fixture('every encrypted record decrypts, and re-encrypting with its nonce gives the same bytes', () => {
  const master = masterKeyHash(FIXTURE_KEY);
  let checked = 0;
  for (const ch of go.channels) {
    const key = channelKey(master, ch.name);
    for (const m of ch.messages) {
      const stored = Buffer.from(m.storedHex, 'hex');
      const reader = new MsgCipher(CipherCode.AES, key, 0);
      assert.is(Buffer.from(reader.decrypt(stored)).toString(), m.data, `${ch.name} ${m.sequence}`);
      if (stored.length === 0 || (stored[0] !== 1 && stored[0] !== 2)) continue;
      const nonce = stored.subarray(1, 13);
      const counter = nonce.readBigUInt64BE(4);
      const writer = new MsgCipher(stored[0] as CipherCode, key, Number(counter - 1n), fixed(nonce));
      assert.is(hex(writer.encrypt(Buffer.from(m.data))), m.storedHex, `${ch.name} ${m.sequence} byte for byte`);
      checked++;
    }
  }
  assert.is(checked, 7, 'the AES and ChaCha records of both channels');
});

fixture('the Go nonces follow the scheme: counter = last sequence + 1 at open, +1 per encrypted message', () => {
  const foo = go.channels.find((c) => c.name === 'foo')!;
  const counters = foo.messages
    .filter((m) => m.storedHex !== '' && /^0[12]/.test(m.storedHex))
    .map((m) => [m.sequence, Number(Buffer.from(m.storedHex, 'hex').readBigUInt64BE(5))]);
  // Seq 1 clear, seq 3 empty (no nonce used); opened with lastSeq 1 (AES), then 4 (ChaCha).
  assert.equal(counters, [[2, 2], [4, 3], [5, 5], [6, 6]]);
});

fixture.run();
