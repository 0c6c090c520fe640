// Encryption at rest for any store (Go's CryptoStore, STAN-REFERENCE §8.4):
// a Store over another that gives each channel's messages a
// CryptoMsgStore with the channel's own key. Server info, clients and
// subscriptions pass through clear, as in Go.
//
// Recovery also checks the key: the first and last message of each
// channel, when encrypted, must decrypt with it, else the store does not open and the
// error names the channel (Go opens and fails each read instead).

import type { ChannelLimits, ClientInfo, MsgStore, RecoveredState, ServerInfo, Store, SubStore } from '../store.js';
import { StoreError } from '../store.js';
import { channelKey, cipherCodeOf, type CipherCode, DecryptError, ENCRYPTION_KEY_ENV, masterKeyHash, MsgCipher } from './cipher.js';
import { CryptoMsgStore } from './msg-store.js';
import { encryptionAsked } from './asked.js';

/** The encryption options (--encrypt, --encryption_cipher, --encryption_key, their config keys). */
export interface EncryptionChoice {
  /** AES or CHACHA in any case; "" for the platform's default. */
  cipher: string;
  /** The key's bytes (the environment variable's when it is set). */
  key: Uint8Array;
}

/**
 * The encryption the option values ask for, under the flag table's keys,
 * or undefined for none. As Go: --encrypt or a non-empty --encryption_key
 * turns it on; the environment variable, when set and non-empty, supplies
 * the key over the option (it never turns encryption on by itself).
 */
export function encryptionChoice(
  values: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): EncryptionChoice | undefined {
  if (!encryptionAsked(values)) return undefined;
  const optionKey = typeof values.encryptionKey === 'string' ? values.encryptionKey : '';
  const envKey = env[ENCRYPTION_KEY_ENV] ?? '';
  const key = Buffer.from(envKey !== '' ? envKey : optionKey, 'utf8');
  return { cipher: typeof values.encryptionCipher === 'string' ? values.encryptionCipher : '', key };
}

export class CryptoStore implements Store {
  readonly inner: Store;
  readonly #code: CipherCode;
  readonly #master: Buffer;

  /** Throws StoreError for an unknown cipher or an empty key (Go's errors). */
  constructor(inner: Store, choice: EncryptionChoice) {
    this.inner = inner;
    this.#code = cipherCodeOf(choice.cipher);
    this.#master = masterKeyHash(choice.key);
  }

  /** Throws what the constructor would for these options (Go's order: the cipher, then the key). */
  static check(choice: EncryptionChoice): void {
    cipherCodeOf(choice.cipher);
    masterKeyHash(choice.key);
  }

  get type(): string {
    return this.inner.type;
  }

  lock(): Promise<boolean> {
    return this.inner.lock();
  }

  async recover(): Promise<RecoveredState> {
    const rec = await this.inner.recover();
    const channels = rec.channels.map((rc) => {
      const msgs = this.#wrap(rc.name, rc.msgs);
      checkKey(msgs);
      return { ...rc, msgs };
    });
    return { ...rec, channels };
  }

  init(info: ServerInfo): void {
    this.inner.init(info);
  }

  addClient(info: ClientInfo): void {
    this.inner.addClient(info);
  }

  deleteClient(id: string): void {
    this.inner.deleteClient(id);
  }

  createChannel(name: string, limits: ChannelLimits): { msgs: MsgStore; subs: SubStore } {
    const c = this.inner.createChannel(name, limits);
    return { msgs: this.#wrap(name, c.msgs), subs: c.subs };
  }

  deleteChannel(name: string): void {
    this.inner.deleteChannel(name);
  }

  flush(): Promise<void> | void {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #wrap(channel: string, msgs: MsgStore): CryptoMsgStore {
    return new CryptoMsgStore(channel, msgs, new MsgCipher(this.#code, channelKey(this.#master, channel), msgs.lastSeq));
  }
}

/** Throws when the first or last message of a recovered channel is encrypted and does not decrypt with this key. */
function checkKey(msgs: CryptoMsgStore): void {
  const seqs = msgs.firstSeq === 0 ? [] : [msgs.firstSeq, msgs.lastSeq];
  for (const seq of seqs) {
    try {
      msgs.lookup(seq);
    } catch (err) {
      if (!(err instanceof DecryptError)) throw err;
      throw new StoreError(
        `encryption key does not match: message ${seq} of channel ${JSON.stringify(msgs.channel)} cannot be decrypted with it ` +
          '(start with the key the store was written with)',
        { cause: err },
      );
    }
  }
}
