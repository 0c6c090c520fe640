// The MEMORY store's messages of one channel (the MsgStore of
// src/stores/store.ts; limits as in STAN-REFERENCE §2.9).
//
// Layout, sized for millions of messages (a 128-byte message costs about
// 131 bytes): each message is one record (record.ts) in an Arena of large
// chunks, written in sequence order. Sequences are grouped in blocks of
// BLOCK; a ring of typed arrays holds, per block, where its first record
// lies and its timestamp (each record's is coded against the one before).
// A message is found by walking at most BLOCK - 1 records from its block's
// start (or from the last one found: delivery reads in order, so that is
// usually one step).
// Dropping the oldest message advances the head record; a channel steady at
// max_msgs never moves or grows its ring. A reply subject (rare) is kept in
// a Map by sequence, as is the MsgProto of a payload over LARGE_PAYLOAD.
//
// lookup() builds the StoredMsg on demand; its `data` is a view into the
// arena that stays valid for as long as it is held (see arena.ts), and
// must not be written to. encoded() builds the MsgProto from the record
// (payloads of FULL_MIN bytes and more are kept as their MsgProto and
// served as they are). The byte total is that of the messages' MsgProtos,
// as the Go server counts them.

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
import {
  FULL_MIN,
  RecordView,
  headerSize,
  joinTs,
  msgProtoLength,
  readRecord,
  splitTs,
  tsCode,
  tsFieldSize,
  writeHeader,
  writeProtoHead,
  writeTsField,
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
}

/** Sequences per block of the index (1..16, 17..32, ...). */
const BLOCK = 32;
/** Blocks of a new store (a power of two: the ring masks with it); doubles as needed. */
const INITIAL_BLOCKS = 4;
const EMPTY = new Uint8Array(0);
const NS_PER_MS = 1_000_000n;

function wallClockNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}

function blockOf(seq: number): number {
  return Math.floor((seq - 1) / BLOCK);
}

/** Where the MsgProtos built by encoded() are written: never rewritten, shared by all stores. */
const SLAB_SIZE = 64 * 1024;
let slabAb = new ArrayBuffer(0);
let slab = new Uint8Array(slabAb);
let slabPos = 0;

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

  /** The block index, a ring: slot #bHead is block #firstBlock (that of #first). */
  #bHead = 0;
  #firstBlock = 0;
  /** Chunk number and offset of the block's first record. */
  #bChunk = new Float64Array(INITIAL_BLOCKS);
  #bOff = new Uint32Array(INITIAL_BLOCKS);
  /** The block's base timestamp (record.ts), as unsigned 32-bit halves. */
  #bHi = new Uint32Array(INITIAL_BLOCKS);
  #bLo = new Uint32Array(INITIAL_BLOCKS);

  /** The timestamp of #last (what the next message is coded against). */
  #lastHi = 0;
  #lastLo = 0;
  /** The record of #first (valid while the store is not empty), and the timestamp of #first - 1. */
  #headChunk = 0;
  #headOff = 0;
  #headPrevHi = 0;
  #headPrevLo = 0;
  /** The record found last (0: none), where the next lookup may start. */
  #curSeq = 0;
  #curChunk = 0;
  #curOff = 0;
  /** The offset just past it, its timestamp, and the one it is coded against. */
  #curNext = 0;
  #curHi = 0;
  #curLo = 0;
  #curRefHi = 0;
  #curRefLo = 0;

  readonly #replies = new Map<number, string>();
  /** MsgProtos of payloads over LARGE_PAYLOAD, by sequence. */
  readonly #large = new Map<number, Buffer>();
  readonly #arena = new Arena();
  readonly #r = new RecordView();
  /** The ArrayBuffer of the chunk of the record #locate() found last. */
  #ab = new ArrayBuffer(0);
  readonly #ts: Ts = { hi: 0, lo: 0 };
  readonly #ref: Ts = { hi: 0, lo: 0 };

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
    const wasEmpty = this.#count === 0;
    const ts = this.#ts;
    splitTs(timestamp, ts);
    const len = data.length;
    const replyLen = reply === '' ? 0 : utf8Length(reply);
    const protoLen = msgProtoLength(seq, this.#subjectBytes.length, replyLen, len, ts.hi, ts.lo);
    const newBlock = (seq - 1) % BLOCK === 0;
    // A block's first message is coded against itself (its base), the others against the previous one.
    const ref = this.#ref;
    ref.hi = newBlock ? ts.hi : this.#lastHi;
    ref.lo = newBlock ? ts.lo : this.#lastLo;
    const slot = newBlock ? this.#newBlockSlot(seq) : 0;
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
      this.#bChunk[slot] = chunk;
      this.#bOff[slot] = at;
      this.#bHi[slot] = ts.hi;
      this.#bLo[slot] = ts.lo;
    }
    if (wasEmpty) {
      this.#headChunk = chunk;
      this.#headOff = at;
      this.#headPrevHi = this.#lastHi;
      this.#headPrevLo = this.#lastLo;
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
      data = len === 0 ? EMPTY : new Uint8Array(this.#ab, r.body, len);
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
    const buf = this.#locate(seq);
    if (buf === undefined) return undefined;
    const r = this.#r;
    if (r.full) {
      if (r.dataLen > LARGE_PAYLOAD) return this.#large.get(seq);
      return new Uint8Array(this.#ab, r.body, r.protoLen);
    }
    const reply = this.#replies.size === 0 ? undefined : this.#replies.get(seq);
    const replyBytes = reply === undefined ? EMPTY : Buffer.from(reply, 'utf8');
    const len = r.dataLen;
    const size = msgProtoLength(seq, this.#subjectBytes.length, replyBytes.length, len, r.hi, r.lo);
    if (slabPos + size > slab.length) {
      // Not zeroed: every byte handed out is written first.
      slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, size));
      slabAb = slab.buffer as ArrayBuffer;
      slabPos = 0;
    }
    const out = slab;
    const at = slabPos;
    let p = writeProtoHead(out, at, seq, this.#subjectBytes, replyBytes, len);
    const from = r.body;
    if (len <= 16) {
      for (let i = 0; i < len; i++) out[p + i] = buf[from + i]!;
    } else {
      out.set(new Uint8Array(this.#ab, from, len), p);
    }
    p = writeTsField(out, p + len, r.hi, r.lo);
    slabPos = p;
    return new Uint8Array(slabAb, at, size);
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
    this.#closed = true;
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
    const h = this.#bHead;
    const start = (this.#first - 1) % BLOCK === 0;
    const refHi = start ? this.#bHi[h]! : this.#headPrevHi;
    const refLo = start ? this.#bLo[h]! : this.#headPrevLo;
    readRecord(this.#arena.chunk(this.#headChunk), this.#headOff, refHi, refLo, this.#r);
  }

  #dropFirst(): void {
    const seq = this.#first;
    const r = this.#r;
    const h = this.#bHead;
    this.#readHead();
    this.#headPrevHi = r.hi;
    this.#headPrevLo = r.lo;
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
      this.#curSeq = 0;
    } else {
      this.#headOff = r.next;
      if (r.next >= this.#arena.end(this.#headChunk)) {
        this.#headChunk++;
        this.#headOff = 0;
        this.#arena.releaseBefore(this.#headChunk);
      }
    }
    if ((this.#first - 1) % BLOCK === 0) {
      this.#firstBlock++;
      this.#bHead = (h + 1) & (this.#bChunk.length - 1);
    }
    // Give memory back after mass removals (max_age, lowered limits).
    const cap = this.#bChunk.length;
    const blocks = this.#blocks;
    if (cap > INITIAL_BLOCKS && blocks * 8 < cap) this.#resize(cap >>> 1, blocks);
  }

  /** Blocks in the ring: from #first's to #last's (the last one kept when empty, for its base). */
  get #blocks(): number {
    return this.#first === 0 ? 0 : blockOf(this.#last) - this.#firstBlock + 1;
  }

  #slotOfBlock(block: number): number {
    return (this.#bHead + (block - this.#firstBlock)) & (this.#bChunk.length - 1);
  }

  /** The ring slot for the block starting at `seq`, doubling the ring when it is full. */
  #newBlockSlot(seq: number): number {
    const blocks = this.#first === 0 ? 0 : this.#blocks;
    if (blocks === this.#bChunk.length) this.#resize(blocks * 2, blocks);
    if (this.#first === 0) this.#firstBlock = blockOf(seq);
    return this.#slotOfBlock(blockOf(seq));
  }

  /**
   * Finds the record of a stored sequence: returns its chunk, with the
   * record decoded in #r; undefined if the sequence is not stored. Walks
   * forward from the nearest record whose reference timestamp is known:
   * the last one found, the head, or the start of the block.
   */
  #locate(seq: number): Buffer | undefined {
    if (!Number.isInteger(seq) || this.#first === 0 || seq < this.#first || seq > this.#last) return undefined;
    const arena = this.#arena;
    const r = this.#r;
    const cur = this.#curSeq;
    const block = blockOf(seq);
    /** The record to decode next: its sequence, where it is, and its reference timestamp. */
    let s: number;
    let no: number;
    let off: number;
    let refHi: number;
    let refLo: number;
    if (cur >= this.#first && cur < seq && (seq === cur + 1 || blockOf(cur) === block)) {
      // On from the last one found: delivery reads in order.
      s = cur + 1;
      no = this.#curChunk;
      off = this.#curNext;
      if ((s - 1) % BLOCK === 0) {
        const slot = this.#slotOfBlock(block);
        refHi = this.#bHi[slot]!;
        refLo = this.#bLo[slot]!;
      } else {
        refHi = this.#curHi;
        refLo = this.#curLo;
      }
    } else if (cur === seq && cur >= this.#first) {
      s = seq;
      no = this.#curChunk;
      off = this.#curOff;
      refHi = this.#curRefHi;
      refLo = this.#curRefLo;
    } else if (block === this.#firstBlock) {
      // The block's first records may be gone, and their chunk with them.
      s = this.#first;
      no = this.#headChunk;
      off = this.#headOff;
      const start = (s - 1) % BLOCK === 0;
      refHi = start ? this.#bHi[this.#bHead]! : this.#headPrevHi;
      refLo = start ? this.#bLo[this.#bHead]! : this.#headPrevLo;
    } else {
      const slot = this.#slotOfBlock(block);
      s = block * BLOCK + 1;
      no = this.#bChunk[slot]!;
      off = this.#bOff[slot]!;
      refHi = this.#bHi[slot]!;
      refLo = this.#bLo[slot]!;
    }
    if (off >= arena.end(no)) {
      no++;
      off = 0;
    }
    let buf = arena.chunk(no);
    for (;;) {
      readRecord(buf, off, refHi, refLo, r);
      if (s === seq) break;
      refHi = r.hi;
      refLo = r.lo;
      s++;
      off = r.next;
      if (off >= arena.end(no)) {
        no++;
        off = 0;
        buf = arena.chunk(no);
      }
    }
    this.#curSeq = seq;
    this.#curChunk = no;
    this.#curOff = off;
    this.#curNext = r.next;
    this.#curHi = r.hi;
    this.#curLo = r.lo;
    this.#curRefHi = refHi;
    this.#curRefLo = refLo;
    this.#ab = arena.arrayBuffer(no);
    return buf;
  }

  /** Moves the live blocks to new arrays of `cap` (a power of two), unwrapped. */
  #resize(cap: number, blocks: number): void {
    const head = this.#bHead;
    this.#bChunk = unwrap(new Float64Array(cap), this.#bChunk, head, blocks);
    this.#bOff = unwrap(new Uint32Array(cap), this.#bOff, head, blocks);
    this.#bHi = unwrap(new Uint32Array(cap), this.#bHi, head, blocks);
    this.#bLo = unwrap(new Uint32Array(cap), this.#bLo, head, blocks);
    this.#bHead = 0;
    this.#curSeq = 0;
  }
}

/** Copies `count` ring slots starting at `head` to the start of `dst`. */
function unwrap<T extends Uint32Array | Float64Array>(dst: T, src: T, head: number, count: number): T {
  const d = dst as Uint32Array;
  const s = src as Uint32Array;
  const firstPart = Math.min(count, s.length - head);
  d.set(s.subarray(head, head + firstPart));
  if (firstPart < count) d.set(s.subarray(0, count - firstPart), firstPart);
  return dst;
}
