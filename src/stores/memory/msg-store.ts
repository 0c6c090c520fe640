// The MEMORY store's messages of one channel (the MsgStore of
// src/stores/store.ts; limits as in STAN-REFERENCE §2.9).
//
// Layout, sized for millions of messages: each message is kept as its
// encoded MsgProto record in an Arena (large shared chunks) — delivery
// sends those bytes as they are, and the byte total is exactly the MEMORY
// store's accounting — and is one slot in parallel typed arrays (chunk id,
// record offset and length, where the data lies in it, timestamp) used as
// a ring: the slot of
// sequence s is (head + s - first) & mask, so dropping the oldest message
// only advances `head`, and a channel steady at max_msgs never moves or
// grows its arrays. They double when full and halve when mostly empty
// (O(1) amortized). A reply subject (rare) is kept in a Map by sequence.
//
// lookup() builds the StoredMsg on demand; its `data` is a view into the
// arena that stays valid for as long as it is held (see arena.ts), and
// must not be written to.

import {
  StoreError,
  type ChannelLimits,
  type MsgStore,
  type MsgStoreState,
  type StoredMsg,
} from '../store.js';
import { Arena, type ArenaStats } from './arena.js';
import { encodeMsgProto, msgProtoSize } from '../../pb/hot.js';

/**
 * Called the first time a store drops messages to stay within max_msgs or
 * max_bytes (the Go server logs a warning once per channel then), with the
 * state right after that first drop.
 */
export type LimitReachedHandler = (channel: string, state: MsgStoreState, limits: ChannelLimits) => void;

export interface MemoryMsgStoreOptions {
  onLimitReached?: LimitReachedHandler;
  /** Clock for max_age in setLimits(), Unix ns (default: Date.now()). */
  now?: () => bigint;
}

/** Slots of a new store (a power of two: the ring masks with it); doubles as needed. */
const INITIAL_SLOTS = 64;
const EMPTY = new Uint8Array(0);
const NS_PER_MS = 1_000_000n;

function wallClockNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}

export class MemoryMsgStore implements MsgStore {
  readonly channel: string;
  /** The channel name, UTF-8 encoded once for every record. */
  readonly #subjectBytes: Buffer;
  #limits: ChannelLimits;
  readonly #onLimitReached: LimitReachedHandler | undefined;
  readonly #now: () => bigint;
  #hitLimit = false;
  #closed = false;

  /** 0 until the first message; lastSeq + 1 when everything was removed. */
  #first = 0;
  #last = 0;
  #bytes = 0;

  #head = 0;
  #chunkOf = new Uint32Array(INITIAL_SLOTS);
  /** The encoded record: offset in its chunk and length. */
  #offset = new Uint32Array(INITIAL_SLOTS);
  #length = new Uint32Array(INITIAL_SLOTS);
  /** The data field within the record: where it ends, and its length. */
  #dataEnd = new Uint32Array(INITIAL_SLOTS);
  #dataLen = new Uint32Array(INITIAL_SLOTS);
  #ts = new BigInt64Array(INITIAL_SLOTS);
  readonly #replies = new Map<number, string>();
  readonly #arena = new Arena();

  constructor(channel: string, limits: ChannelLimits, opts: MemoryMsgStoreOptions = {}) {
    this.channel = channel;
    this.#subjectBytes = Buffer.from(channel, 'utf8');
    this.#limits = { ...limits };
    this.#onLimitReached = opts.onLimitReached;
    this.#now = opts.now ?? wallClockNs;
  }

  get firstSeq(): number {
    return this.#first;
  }

  get lastSeq(): number {
    return this.#last;
  }

  /** Messages currently stored. */
  get #count(): number {
    return this.#first === 0 ? 0 : this.#last - this.#first + 1;
  }

  store(data: Uint8Array, reply: string, timestamp: bigint): number {
    if (this.#closed) throw new StoreError(`message store of channel "${this.channel}" is closed`);
    const seq = this.#last + 1;
    const slot = this.#freeSlot();
    // The message is kept as its encoded MsgProto: delivery sends these bytes as they are.
    const size = msgProtoSize(seq, this.#subjectBytes, reply, data, timestamp, false, 0);
    const arena = this.#arena;
    const chunk = arena.reserve(size);
    const at = arena.lastOffset;
    const end = encodeMsgProto(arena.lastBuffer, at, seq, this.#subjectBytes, reply, data, timestamp, false, 0);
    this.#chunkOf[slot] = chunk;
    this.#offset[slot] = at;
    this.#length[slot] = size;
    if (end - at !== size) throw new StoreError(`MsgProto of ${size} bytes encoded to ${end - at}`);
    // Fields 1-4 come first: the data field ends where the timestamp (last) begins.
    this.#dataEnd[slot] = size - msgProtoSize(0, EMPTY, '', EMPTY, timestamp, false, 0);
    this.#dataLen[slot] = data.length;
    this.#ts[slot] = timestamp;
    if (reply !== '') this.#replies.set(seq, reply);
    if (this.#first === 0) this.#first = seq;
    this.#last = seq;
    this.#bytes += size;

    this.#dropOverLimits(true);
    return seq;
  }

  lookup(seq: number): StoredMsg | undefined {
    const slot = this.#slotOf(seq);
    if (slot < 0) return undefined;
    const len = this.#dataLen[slot]!;
    return {
      sequence: seq,
      subject: this.channel,
      reply: this.#replies.get(seq) ?? '',
      data: this.#arena.view(this.#chunkOf[slot]!, this.#offset[slot]! + this.#dataEnd[slot]! - len, len),
      timestamp: this.#ts[slot]!,
    };
  }

  cached(seq: number): StoredMsg | undefined {
    return this.lookup(seq);
  }

  async read(from: number, max: number): Promise<StoredMsg[]> {
    const out: StoredMsg[] = [];
    const last = this.#last;
    for (let seq = Math.max(from, this.#first); seq <= last && out.length < max; seq++) {
      const m = this.lookup(seq);
      if (m !== undefined) out.push(m);
    }
    return out;
  }

  async seqFromTimestamp(ts: bigint): Promise<number> {
    return this.firstSeqAtOrAfter(ts);
  }

  encoded(seq: number): Uint8Array | undefined {
    const slot = this.#slotOf(seq);
    if (slot < 0) return undefined;
    return this.#arena.view(this.#chunkOf[slot]!, this.#offset[slot]!, this.#length[slot]!);
  }

  timestampOf(seq: number): bigint | undefined {
    const slot = this.#slotOf(seq);
    return slot < 0 ? undefined : this.#ts[slot];
  }

  /** Binary search: timestamps never decrease with the sequence. */
  firstSeqAtOrAfter(ts: bigint): number {
    if (this.#first === 0) return 0;
    const mask = this.#ts.length - 1;
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[(this.#head + mid) & mask]! >= ts) hi = mid;
      else lo = mid + 1;
    }
    return this.#first + lo;
  }

  state(): MsgStoreState {
    return { firstSeq: this.#first, lastSeq: this.#last, msgs: this.#count, bytes: this.#bytes };
  }

  /** New limits: the oldest messages beyond max_msgs/max_bytes go now, and those past max_age by the clock. */
  setLimits(limits: ChannelLimits): void {
    this.#limits = { ...limits };
    this.#dropOverLimits(false);
    this.expire(this.#now());
  }

  /** Removes every message whose timestamp is at or before nowNs - max_age (the newest too). */
  expire(nowNs: bigint): number {
    const maxAgeMs = this.#limits.maxAgeMs;
    if (maxAgeMs <= 0) return 0;
    const cutoff = nowNs - BigInt(Math.round(maxAgeMs)) * NS_PER_MS;
    let removed = 0;
    while (this.#count > 0 && this.#ts[this.#head]! <= cutoff) {
      this.#dropFirst();
      removed++;
    }
    return removed;
  }

  flush(): void {}

  close(): void {
    this.#closed = true;
  }

  /** Arena chunks still referenced, for tests and memory reports. */
  arenaStats(): ArenaStats {
    return this.#arena.stats();
  }

  /**
   * Drops the oldest while over max_msgs or max_bytes, always keeping the
   * newest. With `report`, the first drop ever is reported right after it
   * happens, as the Go server logs it.
   */
  #dropOverLimits(report: boolean): void {
    const { maxMsgs, maxBytes } = this.#limits;
    while (this.#count > 1 && ((maxMsgs > 0 && this.#count > maxMsgs) || (maxBytes > 0 && this.#bytes > maxBytes))) {
      this.#dropFirst();
      if (report && !this.#hitLimit) {
        this.#hitLimit = true;
        this.#onLimitReached?.(this.channel, this.state(), { ...this.#limits });
      }
    }
  }

  #dropFirst(): void {
    const seq = this.#first;
    const slot = this.#head;
    this.#arena.release(this.#chunkOf[slot]!);
    if (this.#replies.size > 0) this.#replies.delete(seq);
    this.#bytes -= this.#length[slot]!;
    this.#first = seq + 1;
    const cap = this.#ts.length;
    this.#head = (slot + 1) & (cap - 1);
    // Give memory back after mass removals (max_age, lowered limits).
    const count = this.#count;
    if (cap > INITIAL_SLOTS && count * 8 < cap) this.#resize(cap >>> 1, count);
  }

  /** Slot of a stored sequence, -1 if absent. */
  #slotOf(seq: number): number {
    if (!Number.isInteger(seq) || this.#first === 0 || seq < this.#first || seq > this.#last) return -1;
    return (this.#head + (seq - this.#first)) & (this.#ts.length - 1);
  }

  /** Slot for the next message, doubling the ring when it is full. */
  #freeSlot(): number {
    const count = this.#count;
    const cap = this.#ts.length;
    if (count === cap) this.#resize(cap * 2, count);
    return (this.#head + count) & (this.#ts.length - 1);
  }

  /** Moves the live slots to new arrays of `cap` (a power of two), unwrapped. */
  #resize(cap: number, count: number): void {
    const head = this.#head;
    this.#chunkOf = unwrap(new Uint32Array(cap), this.#chunkOf, head, count);
    this.#offset = unwrap(new Uint32Array(cap), this.#offset, head, count);
    this.#length = unwrap(new Uint32Array(cap), this.#length, head, count);
    this.#dataEnd = unwrap(new Uint32Array(cap), this.#dataEnd, head, count);
    this.#dataLen = unwrap(new Uint32Array(cap), this.#dataLen, head, count);
    this.#ts = unwrap(new BigInt64Array(cap), this.#ts, head, count);
    this.#head = 0;
  }
}

/** Copies `count` ring slots starting at `head` to the start of `dst`. */
function unwrap<T extends Uint32Array | BigInt64Array>(dst: T, src: T, head: number, count: number): T {
  const d = dst as Uint32Array;
  const s = src as Uint32Array;
  const firstPart = Math.min(count, s.length - head);
  d.set(s.subarray(head, head + firstPart));
  if (firstPart < count) d.set(s.subarray(0, count - firstPart), firstPart);
  return dst;
}
