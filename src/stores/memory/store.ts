// The MEMORY store (Store of src/stores/store.ts; `-st MEMORY`, the
// default): channels held in this process only, so recover() always finds
// an empty store. Server info and clients need no keeping: nothing reads
// them back.

import {
  StoreError,
  type ChannelLimits,
  type ClientInfo,
  type RecoveredState,
  type ServerInfo,
  type Store,
} from '../store.js';
import { MemoryMsgStore, type LimitReachedHandler } from './msg-store.js';
import { MemorySubStore } from './sub-store.js';

export interface MemoryStoreOptions {
  /** See LimitReachedHandler: called once per channel, on its first limit drop. */
  onLimitReached?: LimitReachedHandler;
  /** Clock for max_age when limits change, Unix ns (default: Date.now()). */
  now?: () => bigint;
  /** See MemoryMsgStoreOptions.hugeChunksAfter. */
  hugeChunksAfter?: number;
}

interface MemoryChannel {
  msgs: MemoryMsgStore;
  subs: MemorySubStore;
}

export class MemoryStore implements Store {
  readonly type = 'MEMORY';
  readonly #opts: MemoryStoreOptions;
  readonly #channels = new Map<string, MemoryChannel>();

  constructor(opts: MemoryStoreOptions = {}) {
    this.#opts = opts;
  }

  async lock(): Promise<boolean> {
    return true;
  }

  async recover(): Promise<RecoveredState> {
    return { info: undefined, clients: [], channels: [] };
  }

  init(_info: ServerInfo): void {}

  addClient(_info: ClientInfo): void {}

  deleteClient(_id: string): void {}

  createChannel(name: string, limits: ChannelLimits): MemoryChannel {
    if (this.#channels.has(name)) throw new StoreError(`channel "${name}" already exists`);
    const channel = { msgs: new MemoryMsgStore(name, limits, this.#opts), subs: new MemorySubStore() };
    this.#channels.set(name, channel);
    return channel;
  }

  /** Forgets the channel and its messages; unknown names are ignored. */
  deleteChannel(name: string): void {
    const channel = this.#channels.get(name);
    if (channel === undefined) return;
    channel.msgs.close();
    channel.subs.close();
    this.#channels.delete(name);
  }

  flush(): void {}

  async close(): Promise<void> {
    for (const channel of this.#channels.values()) {
      channel.msgs.close();
      channel.subs.close();
    }
    this.#channels.clear();
  }
}
