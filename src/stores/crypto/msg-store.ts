// The messages of one channel, encrypted at rest (Go's CryptoMsgStore,
// STAN-REFERENCE §8.4): a MsgStore over any other (memory, file, SQL)
// that hands it each message's data encrypted and decrypts what it reads
// back. Only the data is encrypted; sequence, subject, reply and timestamp
// stay clear. The inner store keeps and counts the encrypted bytes, so
// byte counts and max_bytes include the 29 bytes of overhead, as Go's.
//
// A message that does not decrypt (another key, damaged data) is never
// served: lookup() throws, read() stops before it (rejects when it is the
// first), cached() leaves it to read(), which reports it.
//
// The last messages stored are kept clear in memory (a bounded copy):
// delivery reads a new message right after storing it, and would
// otherwise decrypt what it has just encrypted, once per subscriber.

import type { ChannelLimits, MsgStore, MsgStoreState, StoredMsg } from '../store.js';
import { DecryptError, type MsgCipher } from './cipher.js';

/** Most recent messages kept clear per channel. */
const CLEAR_RECENT_MAX = 1024;
/** Most bytes of clear data kept per channel. */
const CLEAR_RECENT_BYTES = 4 * 1024 * 1024;

export class CryptoMsgStore implements MsgStore {
  readonly channel: string;
  readonly inner: MsgStore;
  readonly #cipher: MsgCipher;
  /** The last messages stored, clear, by sequence (insertion order is sequence order). */
  readonly #recent = new Map<number, StoredMsg>();
  #recentBytes = 0;

  constructor(channel: string, inner: MsgStore, cipher: MsgCipher) {
    this.channel = channel;
    this.inner = inner;
    this.#cipher = cipher;
  }

  get firstSeq(): number {
    return this.inner.firstSeq;
  }

  get lastSeq(): number {
    return this.inner.lastSeq;
  }

  store(data: Uint8Array, reply: string, timestamp: bigint): number {
    // Empty data is stored as it is (Go): there is nothing to hide.
    const seq = this.inner.store(data.length === 0 ? data : this.#cipher.encrypt(data), reply, timestamp);
    // A copy: `data` may be a view into a buffer the caller reuses.
    this.#remember({ sequence: seq, subject: this.channel, reply, data: Buffer.from(data), timestamp });
    return seq;
  }

  lookup(seq: number): StoredMsg | undefined {
    const r = this.#recentAt(seq);
    if (r !== undefined) return r;
    const m = this.inner.lookup(seq);
    return m === undefined ? undefined : this.#clear(m);
  }

  cached(seq: number): StoredMsg | undefined {
    const r = this.#recentAt(seq);
    if (r !== undefined) return r;
    const m = this.inner.cached(seq);
    if (m === undefined) return undefined;
    try {
      return this.#clear(m);
    } catch (err) {
      // "Not in memory": read() then reports the failure where delivery handles store errors.
      if (err instanceof DecryptError) return undefined;
      throw err;
    }
  }

  async read(from: number, max: number): Promise<StoredMsg[]> {
    const got = await this.inner.read(from, max);
    const out: StoredMsg[] = new Array(got.length);
    for (let i = 0; i < got.length; i++) {
      try {
        out[i] = this.#clear(got[i]!);
      } catch (err) {
        if (i === 0 || !(err instanceof DecryptError)) throw err;
        out.length = i;
        break;
      }
    }
    return out;
  }

  // No encoded(): the stored record holds the encrypted data, and clients get the clear data.

  timestampOf(seq: number): bigint | undefined {
    return this.inner.timestampOf(seq);
  }

  firstSeqAtOrAfter(ts: bigint): number {
    return this.inner.firstSeqAtOrAfter(ts);
  }

  seqFromTimestamp(ts: bigint): Promise<number> {
    return this.inner.seqFromTimestamp(ts);
  }

  state(): MsgStoreState {
    return this.inner.state();
  }

  setLimits(limits: ChannelLimits): void {
    this.inner.setLimits(limits);
  }

  expire(nowNs: bigint): number {
    return this.inner.expire(nowNs);
  }

  flush(): Promise<void> | void {
    return this.inner.flush();
  }

  close(): Promise<void> | void {
    this.#recent.clear();
    this.#recentBytes = 0;
    return this.inner.close();
  }

  #remember(m: StoredMsg): void {
    this.#recent.set(m.sequence, m);
    this.#recentBytes += m.data.length;
    for (const [seq, old] of this.#recent) {
      if (this.#recent.size <= CLEAR_RECENT_MAX && this.#recentBytes <= CLEAR_RECENT_BYTES) break;
      this.#recent.delete(seq);
      this.#recentBytes -= old.data.length;
    }
  }

  /** A recent message from memory, unless the inner store no longer holds it (limits, expiry). */
  #recentAt(seq: number): StoredMsg | undefined {
    const m = this.#recent.get(seq);
    if (m === undefined) return undefined;
    if (seq < this.inner.firstSeq) {
      // Dropped below: forget everything up to it.
      for (const [s, old] of this.#recent) {
        if (s >= this.inner.firstSeq) break;
        this.#recent.delete(s);
        this.#recentBytes -= old.data.length;
      }
      return undefined;
    }
    return m;
  }

  /** The message with its clear data (a new object: the inner store's stays as it is). */
  #clear(m: StoredMsg): StoredMsg {
    let data: Uint8Array;
    try {
      data = this.#cipher.decrypt(m.data);
    } catch (err) {
      if (!(err instanceof DecryptError)) throw err;
      throw new DecryptError(`channel "${this.channel}": message ${m.sequence} cannot be decrypted: ${err.message}`, { cause: err });
    }
    return data === m.data ? m : { sequence: m.sequence, subject: m.subject, reply: m.reply, data, timestamp: m.timestamp };
  }
}
