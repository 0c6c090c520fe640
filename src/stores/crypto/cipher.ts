// Encryption at rest in the Go server's format (STAN-REFERENCE §8.4;
// nats-streaming-server stores/cryptostore.go): the key derivation, the
// stored layout of an encrypted message's data and the nonce scheme, so
// that a store written by either server opens in the other.
//
// - master key hash = SHA-256(key bytes);
// - a channel's key = SHA-256(Z ‖ master ‖ "." ‖ channel), Z being
//   len(master) + 1 + len(channel) zero bytes (Go makes the buffer with
//   that length and then appends to it; the zeros are part of the format);
// - stored data = [cipher code][12-byte nonce][ciphertext ‖ 16-byte tag],
//   no additional data; the code says which cipher decrypts (1 AES-256-GCM,
//   2 ChaCha20-Poly1305), any other first byte is legacy clear data;
// - the nonce starts random with its last 8 bytes the channel's last
//   sequence + 1 (big-endian) and counts up (big-endian, all 12 bytes)
//   after every encryption: unique per key as long as the store lives.
//
// Node's AEAD API takes one nonce per cipher object, so each message is
// one createCipheriv/createDecipheriv: there is no cheaper batch form; a
// batch is one pass with the channel's key prepared once.

import { createCipheriv, createDecipheriv, createHash, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { StoreError } from '../store.js';

/** The cipher codes of the stored layout's first byte (Go's CryptoCodeAES, CryptoCodeChaCha). */
export const CipherCode = { AES: 1, CHACHA: 2 } as const;
export type CipherCode = (typeof CipherCode)[keyof typeof CipherCode];

/** Nonce length of both ciphers. */
export const NONCE_SIZE = 12;
/** Authentication tag length of both ciphers. */
export const TAG_SIZE = 16;
/** Bytes an encrypted message's data gains: code, nonce, tag (29; byte counts include them, as Go's). */
export const ENCRYPTION_OVERHEAD = 1 + NONCE_SIZE + TAG_SIZE;
/** Where the counter part of the nonce starts (its last 8 bytes). */
const NONCE_COUNTER_AT = NONCE_SIZE - 8;

/** The environment variable holding the key; it wins over --encryption_key (Go's CryptoStoreEnvKeyName). */
export const ENCRYPTION_KEY_ENV = 'NATS_STREAMING_ENCRYPTION_KEY';

/** Go's ErrCryptoStoreRequiresKey. */
export const ERR_KEY_REQUIRED = 'encryption key required';
/** Go's ErrCipherNotSupported. */
export const ERR_CIPHER_NOT_SUPPORTED = 'encryption cipher not supported';

const ALGORITHMS: Readonly<Record<CipherCode, 'aes-256-gcm' | 'chacha20-poly1305'>> = {
  [CipherCode.AES]: 'aes-256-gcm',
  [CipherCode.CHACHA]: 'chacha20-poly1305',
};

/**
 * The cipher named by --encryption_cipher (any case); "" picks Go's
 * default for the platform: AES where the CPU accelerates it (amd64, 386),
 * ChaCha elsewhere. Throws StoreError(ERR_CIPHER_NOT_SUPPORTED).
 */
export function cipherCodeOf(name: string, arch: string = process.arch): CipherCode {
  if (name === '') return arch === 'x64' || arch === 'ia32' ? CipherCode.AES : CipherCode.CHACHA;
  const code = CipherCode[name.toUpperCase() as keyof typeof CipherCode];
  if (code === undefined) throw new StoreError(ERR_CIPHER_NOT_SUPPORTED);
  return code;
}

/** SHA-256 of the user's key (Go's createMasterKeyHash); throws StoreError(ERR_KEY_REQUIRED) for an empty key. */
export function masterKeyHash(key: Uint8Array): Buffer {
  if (key.length === 0) throw new StoreError(ERR_KEY_REQUIRED);
  return createHash('sha256').update(key).digest();
}

/** The key of one channel's messages (Go's newCryptoMsgStore), zero-prefixed as Go builds it. */
export function channelKey(master: Uint8Array, channel: string): Buffer {
  const name = Buffer.from(channel, 'utf8');
  const zeros = Buffer.alloc(master.length + 1 + name.length);
  const dot = Buffer.from('.');
  return createHash('sha256').update(zeros).update(master).update(dot).update(name).digest();
}

/** A message's data that cannot be decrypted: a wrong key, or damaged data. */
export class DecryptError extends StoreError {
  override name = 'DecryptError';
}

/** Whether stored data is in the encrypted layout (its first byte a cipher code); empty data never is. */
export function isEncrypted(data: Uint8Array): boolean {
  return data.length > 0 && (data[0] === CipherCode.AES || data[0] === CipherCode.CHACHA);
}

/**
 * Encrypts and decrypts the data of one channel's messages (Go's EDStore):
 * encryption with the configured cipher, decryption with the one the
 * stored code names.
 */
export class MsgCipher {
  readonly #code: CipherCode;
  readonly #key: Buffer;
  readonly #nonce = Buffer.alloc(NONCE_SIZE);

  /** `lastSeq`: the channel's last stored sequence, which seeds the nonce's counter. */
  constructor(code: CipherCode, key: Buffer, lastSeq: number, random: (n: number) => Buffer = randomBytes) {
    this.#code = code;
    this.#key = key;
    random(NONCE_SIZE).copy(this.#nonce);
    this.#nonce.writeBigUInt64BE(BigInt(lastSeq) + 1n, NONCE_COUNTER_AT);
  }

  /** The nonce the next encryption uses (tests). */
  get nonce(): Buffer {
    return Buffer.from(this.#nonce);
  }

  /** `data` in the stored layout: a new buffer, which the store may keep. */
  encrypt(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(ENCRYPTION_OVERHEAD + data.length);
    out[0] = this.#code;
    this.#nonce.copy(out, 1);
    const c = createCipheriv(ALGORITHMS[this.#code] as CipherGCMTypes, this.#key, this.#nonce, { authTagLength: TAG_SIZE });
    let at = 1 + NONCE_SIZE;
    at += c.update(data).copy(out, at);
    at += c.final().copy(out, at);
    c.getAuthTag().copy(out, at);
    this.#countNonce();
    return out;
  }

  /**
   * The clear data of stored data: decrypted when it is in the encrypted
   * layout, as it is otherwise (legacy clear data; empty data). Throws
   * DecryptError when the tag does not verify: nothing undecrypted or
   * unverified is ever returned.
   */
  decrypt(stored: Uint8Array): Uint8Array {
    if (!isEncrypted(stored)) return stored;
    if (stored.length < ENCRYPTION_OVERHEAD) throw new DecryptError(`encrypted data too short (${stored.length} bytes)`);
    const code = stored[0] as CipherCode;
    const nonce = stored.subarray(1, 1 + NONCE_SIZE);
    const body = stored.subarray(1 + NONCE_SIZE, stored.length - TAG_SIZE);
    const d = createDecipheriv(ALGORITHMS[code] as CipherGCMTypes, this.#key, nonce, { authTagLength: TAG_SIZE });
    d.setAuthTag(stored.subarray(stored.length - TAG_SIZE));
    const clear = d.update(body);
    try {
      d.final();
    } catch {
      throw new DecryptError('the encryption key does not match the one the message was stored with, or the data is damaged');
    }
    return clear;
  }

  /** The nonce as a 96-bit big-endian counter, wrapping as Go's. */
  #countNonce(): void {
    const n = this.#nonce;
    for (let i = NONCE_SIZE - 1; i >= 0; i--) {
      n[i] = (n[i]! + 1) & 0xff;
      if (n[i] !== 0) break;
    }
  }
}
