// The MEMORY store's messages of one channel (the MsgStore of
// src/stores/store.ts; limits as in STAN-REFERENCE §2.9).
//
// Layout, sized for millions of messages (a 128-byte message costs about
// 131 bytes): each message is one record (record.ts) in an Arena of large
// chunks (arena.ts), written in sequence order; a block index (blocks.ts)
// says where each block of BLOCK sequences starts and its first timestamp
// (each record's is coded against the one before). A message is found by
// walking at most BLOCK - 1 records from its block's start, or on from the
// last one found (delivery reads in order: usually one step). Dropping the
// oldest message advances the head record. A reply subject (rare) is kept
// in a Map by sequence, as is the MsgProto of a payload over LARGE_PAYLOAD.
//
// lookup() builds the StoredMsg on demand; its `data` is a view into the
// arena that stays valid for as long as it is held (see arena.ts), and
// must not be written to. encoded() builds the MsgProto from the record
// (built.ts); payloads of FULL_MIN bytes and more are kept as their
// MsgProto and served as they are. The byte total is that of the
// messages' MsgProtos, as the Go server counts them.

import {
  StoreError,
  type ChannelLimits,
  type MsgStore,
  type MsgStoreState,
  type StoredMsg,
} from '../store.js';
import { Arena, LARGE_PAYLOAD, type ArenaStats } from './arena.js';
import { encodeMsgProto } from '../../pb/hot.js';
import { utf8Length, varintSize, writeVarint } from '../../pb/writer.js';
import { BlockIndex, blockOf, startsBlock } from './blocks.js';
import { HeadRecord, RecordCursor } from './cursor.js';
import { buildMsgProto, newStoreId, recentlyBuilt } from './built.js';
import {
  FULL_MIN,
  LO_INIT,
  RecordView,
  headerSize,
  joinTs,
  msgProtoLength,
  readRecord,
  splitTs,
  tsCode,
  tsFieldSize,
  writeHeader,
  type Ts,
} from './record.js';

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
  /** Arena chunks started in plain memory before huge pages (arena.ts; default Infinity: never). */
  hugeChunksAfter?: number;
}

const EMPTY = new Uint8Array(0);
const NS_PER_MS = 1_000_000n;

function wallClockNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}

export class MemoryMsgStore implements MsgStore {
  readonly channel: string;
  /** The channel name, UTF-8 encoded once for every MsgProto. */
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

  readonly #index = new BlockIndex();
  /** This store's entries among the MsgProtos built for delivery (built.ts). */
  readonly #id = newStoreId();

  /** The timestamp of #last (what the next message is coded against). */
  #lastHi = 0;
  #lastLo = LO_INIT;
  /** The record of #first (valid while the store is not empty). */
  readonly #head = new HeadRecord();
  /** The record found last, where the next lookup may start. */
  readonly #cur = new RecordCursor();

  readonly #replies = new Map<number, string>();
  /** MsgProtos of payloads over LARGE_PAYLOAD, by sequence. */
  readonly #large = new Map<number, Buffer>();
  readonly #arena: Arena;
  readonly #r = new RecordView();
  readonly #ts: Ts = { hi: 0, lo: LO_INIT };
  readonly #ref: Ts = { hi: 0, lo: LO_INIT };

  constructor(channel: string, limits: ChannelLimits, opts: MemoryMsgStoreOptions = {}) {
    this.channel = channel;
    this.#arena = new Arena(opts.hugeChunksAfter);
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
    const wasEmpty = this.#count === 0;
    const ts = this.#ts;
    splitTs(timestamp, ts);
    const len = data.length;
    const replyLen = reply === '' ? 0 : utf8Length(reply);
    const protoLen = msgProtoLength(seq, this.#subjectBytes.length, replyLen, len, ts.hi, ts.lo);
    const newBlock = startsBlock(seq);
    // A block's first message is coded against itself (its base), the others against the previous one.
    const ref = this.#ref;
    ref.hi = newBlock ? ts.hi : this.#lastHi;
    ref.lo = newBlock ? ts.lo : this.#lastLo;
    const index = this.#index;
    const slot = newBlock ? index.add(blockOf(seq)) : 0;
    const code = tsCode(ts, ref);
    const full = len >= FULL_MIN;
    const outOfLine = len > LARGE_PAYLOAD;
    const body = outOfLine ? 0 : full ? varintSize(protoLen) + protoLen : len;
    const size = headerSize(len, full, code) + body;
    const arena = this.#arena;
    const chunk = arena.reserve(size);
    const buf = arena.lastBuffer;
    const at = arena.lastOffset;
    let p = writeHeader(buf, at, len, full, code, ts);
    if (outOfLine) {
      const proto = Buffer.allocUnsafeSlow(protoLen);
      this.#checkEncoded(encodeMsgProto(proto, 0, seq, this.#subjectBytes, reply, data, timestamp, false, 0), protoLen);
      this.#large.set(seq, proto);
    } else if (full) {
      p = writeVarint(buf, p, protoLen);
      this.#checkEncoded(encodeMsgProto(buf, p, seq, this.#subjectBytes, reply, data, timestamp, false, 0) - p, protoLen);
    } else {
      buf.set(data, p);
    }
    if (newBlock) {
      index.chunk[slot] = chunk;
      index.off[slot] = at;
      index.hi[slot] = ts.hi;
      index.lo[slot] = ts.lo;
    }
    if (wasEmpty) {
      this.#head.chunk = chunk;
      this.#head.off = at;
      this.#head.prevHi = this.#lastHi;
      this.#head.prevLo = this.#lastLo;
    }
    this.#lastHi = ts.hi;
    this.#lastLo = ts.lo;
    if (replyLen !== 0) this.#replies.set(seq, reply);
    if (this.#first === 0) this.#first = seq;
    this.#last = seq;
    this.#bytes += protoLen;

    this.#dropOverLimits(true);
    return seq;
  }

  lookup(seq: number): StoredMsg | undefined {
    const buf = this.#locate(seq);
    if (buf === undefined) return undefined;
    const r = this.#r;
    const len = r.dataLen;
    let data: Uint8Array;
    if (!r.full) {
      data = len === 0 ? EMPTY : new Uint8Array(this.#cur.ab, r.body, len);
    } else {
      // The data field ends where the timestamp (the last field) begins.
      const proto = r.dataLen > LARGE_PAYLOAD ? this.#large.get(seq)! : buf;
      const end = (proto === buf ? r.body + r.protoLen : proto.length) - tsFieldSize(r.hi, r.lo);
      data = new Uint8Array(proto.buffer, proto.byteOffset + end - len, len);
    }
    return {
      sequence: seq,
      subject: this.channel,
      reply: this.#replies.get(seq) ?? '',
      data,
      timestamp: joinTs(r.hi, r.lo),
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
    // Built lately for another subscription (a stored sequence's bytes never change).
    if (seq >= this.#first && seq <= this.#last) {
      const built = recentlyBuilt(this.#id, seq);
      if (built !== undefined) return built;
    }
    const buf = this.#locate(seq);
    if (buf === undefined) return undefined;
    const r = this.#r;
    if (r.full) {
      if (r.dataLen > LARGE_PAYLOAD) return this.#large.get(seq);
      return new Uint8Array(this.#cur.ab, r.body, r.protoLen);
    }
    const reply = this.#replies.size === 0 ? undefined : this.#replies.get(seq);
    const replyBytes = reply === undefined ? EMPTY : Buffer.from(reply, 'utf8');
    return buildMsgProto(this.#id, seq, this.#subjectBytes, replyBytes, this.#cur.ab, r.body, r.dataLen, r.hi, r.lo);
  }

  timestampOf(seq: number): bigint | undefined {
    return this.#locate(seq) === undefined ? undefined : joinTs(this.#r.hi, this.#r.lo);
  }

  /** Binary search: timestamps never decrease with the sequence. */
  firstSeqAtOrAfter(ts: bigint): number {
    if (this.#first === 0) return 0;
    let lo = this.#first;
    let hi = this.#last + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.timestampOf(mid)! >= ts) hi = mid;
      else lo = mid + 1;
    }
    return lo;
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
    while (this.#count > 0 && this.#headTimestamp() <= cutoff) {
      this.#dropFirst();
      removed++;
    }
    return removed;
  }

  flush(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#arena.closed();
  }

  /** Arena chunks and out-of-arena MsgProtos still referenced, for tests and memory reports. */
  arenaStats(): ArenaStats {
    const s = this.#arena.stats();
    for (const proto of this.#large.values()) {
      s.chunks++;
      s.bytes += proto.length;
    }
    return s;
  }

  #checkEncoded(got: number, want: number): void {
    if (got !== want) throw new StoreError(`MsgProto of ${want} bytes encoded to ${got}`);
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

  /** Decodes the head record into #r; returns its timestamp. */
  #headTimestamp(): bigint {
    this.#readHead();
    return joinTs(this.#r.hi, this.#r.lo);
  }

  /** Decodes the head record (#first's) into #r. */
  #readHead(): void {
    const index = this.#index;
    const start = startsBlock(this.#first);
    const head = this.#head;
    const refHi = start ? index.hi[index.head]! : head.prevHi;
    const refLo = start ? index.lo[index.head]! : head.prevLo;
    readRecord(this.#arena.chunk(head.chunk), head.off, refHi, refLo, this.#r);
  }

  #dropFirst(): void {
    const seq = this.#first;
    const r = this.#r;
    this.#readHead();
    const head = this.#head;
    head.prevHi = r.hi;
    head.prevLo = r.lo;
    let replyLen = 0;
    if (this.#replies.size > 0) {
      const reply = this.#replies.get(seq);
      if (reply !== undefined) {
        replyLen = utf8Length(reply);
        this.#replies.delete(seq);
      }
    }
    if (r.full && r.dataLen > LARGE_PAYLOAD) this.#large.delete(seq);
    this.#bytes -= msgProtoLength(seq, this.#subjectBytes.length, replyLen, r.dataLen, r.hi, r.lo);
    this.#first = seq + 1;
    if (this.#first > this.#last) {
      // Empty: the next store() sets the head; only the chunk being filled stays.
      this.#arena.releaseAllButLast();
      this.#cur.reset();
    } else {
      head.off = r.next;
      if (r.next >= this.#arena.end(head.chunk)) {
        head.chunk++;
        head.off = 0;
        this.#arena.releaseBefore(head.chunk);
      }
    }
    if (startsBlock(this.#first)) this.#index.dropFirst();
  }

  /**
   * Finds the record of a sequence: returns its chunk, with the record
   * decoded in #r; undefined if the sequence is not stored.
   */
  #locate(seq: number): Buffer | undefined {
    if (!Number.isInteger(seq) || this.#first === 0 || seq < this.#first || seq > this.#last) return undefined;
    return this.#cur.find(seq, this.#first, this.#head, this.#index, this.#arena, this.#r);
  }
}
