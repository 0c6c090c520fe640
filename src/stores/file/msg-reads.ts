// The read side of a FILE message store (the MsgStore reads of
// src/stores/store.ts): what is in memory (the recent cache, recent.ts)
// without I/O, batches off the event loop (msg-batch.ts) for delivery,
// and the synchronous lookups recovery, limits and tests still use
// (SliceReader, slice.ts).
//
// An async read races with the writer: messages may be stored, dropped by
// limits (whole slices removed, their files deleted after the next
// commit) and the store closed while it waits. What it returns is checked
// again after each wait: a message removed meanwhile is skipped, never
// served from a file that is gone, and a closed store rejects.

import { decodeMsgProto } from '../../pb/hot.js';
import { StoreError, type StoredMsg } from '../store.js';
import { INDEX_RECORD_SIZE, VERSION_SIZE, type Crc } from './format.js';
import { BatchReader, type BatchPart, type BatchStop } from './msg-batch.js';
import type { StoreLog } from './options.js';
import type { RecentMsgs } from './recent.js';
import { checkIndexRecord, ReadProblem, SliceReader, type Slice } from './slice.js';

/** Unreadable sequences reported once each, up to this many per channel. */
const MAX_REPORTED = 1000;

/** What the reads see of their message store. */
export interface MsgLog {
  readonly channel: string;
  /** 0 until the first message; lastSeq + 1 when everything was removed. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The live slices, oldest first. */
  readonly slices: readonly Slice[];
  /** Every message not handed to the OS yet is here, and the last second's. */
  readonly recent: RecentMsgs;
  readonly closed: boolean;
  /** Records of `s` handed to the OS. */
  onDisk(s: Slice): number;
}

export interface ReadOptions {
  crc: Crc;
  doCrc: boolean;
  /** Read-ahead of the synchronous lookups. */
  readAhead: number;
  log: StoreLog | undefined;
}

export class MsgReads {
  readonly #log: MsgLog;
  readonly #crc: Crc | undefined;
  readonly #reader: SliceReader;
  readonly #batches: BatchReader;
  readonly #opLog: StoreLog | undefined;
  readonly #reported = new Set<number>();

  constructor(log: MsgLog, o: ReadOptions) {
    this.#log = log;
    this.#crc = o.doCrc ? o.crc : undefined;
    this.#reader = new SliceReader(o.crc, o.doCrc, o.readAhead);
    this.#batches = new BatchReader(log.channel, this.#crc);
    this.#opLog = o.log;
  }

  /** Drops the readers' buffers (an idle channel keeps none). */
  clear(): void {
    this.#reader.clear();
    this.#batches.clear();
  }

  /** A slice is gone: nothing cached of it is used again. */
  forget(s: Slice): void {
    this.#reader.forget(s);
    this.#batches.forget(s);
  }

  has(seq: number): boolean {
    const l = this.#log;
    return Number.isInteger(seq) && l.firstSeq !== 0 && seq >= l.firstSeq && seq <= l.lastSeq;
  }

  cached(seq: number): StoredMsg | undefined {
    const r = this.#log.recent;
    if (!r.has(seq) || !this.has(seq)) return undefined;
    return this.#fromRecent(seq);
  }

  /** The stored MsgProto record while the message is in the recent cache (a view of it). */
  encoded(seq: number): Uint8Array | undefined {
    const r = this.#log.recent;
    if (!r.has(seq) || !this.has(seq)) return undefined;
    const b = r.buf(seq);
    // A plain view: Buffer#subarray costs more (species constructor).
    return new Uint8Array(b.buffer, b.byteOffset + r.off(seq), r.len(seq));
  }

  // ---------- off the event loop ----------

  /** MsgStore.read: see the header for what a race does to it. */
  async read(from: number, max: number): Promise<StoredMsg[]> {
    const l = this.#log;
    if (!(max >= 1) || Number.isNaN(from)) return [];
    let next = Math.ceil(from);
    for (;;) {
      if (l.closed) throw closedError(l.channel);
      const seq = Math.max(next, l.firstSeq);
      if (l.firstSeq === 0 || seq > l.lastSeq) return [];
      const upto = Math.min(l.lastSeq, seq + Math.floor(max) - 1);
      // Below the cache's first sequence everything is on the OS's side.
      const r = l.recent;
      const diskEnd = r.count > 0 ? r.first - 1 : l.lastSeq;
      // The cached ones are taken now: they may leave the cache meanwhile.
      const fromCache: StoredMsg[] = [];
      for (let s = Math.max(seq, diskEnd + 1); s <= upto && r.has(s); s++) fromCache.push(this.#fromRecent(s));
      if (seq > diskEnd) return fromCache;
      const end = Math.min(diskEnd, upto);
      const res = await this.#batches.read(this.#parts(seq, end, diskEnd));
      if (l.closed) throw closedError(l.channel);
      const first = l.firstSeq;
      const msgs = res.msgs.filter((m) => m.sequence >= first);
      if (res.stop !== undefined) {
        if (msgs.length > 0) return msgs;
        // Removed while it was read: go on from what is left.
        if (res.stop.seq < first || res.stop.slice.removed) {
          next = first;
          continue;
        }
        throw this.#unreadable(res.stop);
      }
      const last = res.msgs.length > 0 ? res.msgs[res.msgs.length - 1]!.sequence : seq - 1;
      // Short of `end` (the batch's byte cap), the cached ones would leave a gap.
      if (last >= end) for (const m of fromCache) if (m.sequence >= first) msgs.push(m);
      if (msgs.length > 0) return msgs;
      // All removed while it was read: go on from what is left.
      next = Math.max(first, last + 1);
    }
  }

  /** MsgStore.seqFromTimestamp: a binary search over index records read off the event loop. */
  async seqFromTimestamp(ts: bigint): Promise<number> {
    const l = this.#log;
    for (;;) {
      if (l.closed) throw closedError(l.channel);
      if (l.firstSeq === 0) return 0;
      const s = this.#sliceAtOrAfter(ts);
      if (s === undefined) return l.lastSeq + 1;
      let lo = Math.max(l.firstSeq, s.liveFirst);
      let hi = s.lastSeq;
      try {
        while (lo < hi) {
          const mid = Math.floor((lo + hi) / 2);
          if ((await this.#tsAsync(s, mid)) >= ts) hi = mid;
          else lo = mid + 1;
        }
      } catch (err) {
        if (s.removed) continue; // every message of it was dropped meanwhile: search again
        throw err;
      }
      if (l.closed) throw closedError(l.channel);
      return Math.max(lo, l.firstSeq);
    }
  }

  /** The part of each slice holding from..to; everything up to diskEnd is on the OS's side. */
  #parts(from: number, to: number, diskEnd: number): BatchPart[] {
    const sl = this.#log.slices;
    const parts: BatchPart[] = [];
    for (let i = this.#sliceIndex(from); i >= 0 && i < sl.length && from <= to; i++) {
      const slice = sl[i]!;
      const end = Math.min(to, slice.lastSeq);
      parts.push({ slice, from, to: end, ahead: Math.min(diskEnd, slice.lastSeq) });
      from = end + 1;
    }
    return parts;
  }

  /** The timestamp of `seq` of slice `s`: from the cache, else its index record, read off the event loop. */
  async #tsAsync(s: Slice, seq: number): Promise<bigint> {
    const r = this.#log.recent;
    if (r.has(seq)) return r.ts(seq);
    const buf = Buffer.allocUnsafe(INDEX_RECORD_SIZE);
    const pos = VERSION_SIZE + (seq - s.firstSeq) * INDEX_RECORD_SIZE;
    let e;
    try {
      e = checkIndexRecord(s, seq, buf, 0, await s.idx.readAsync(buf, 0, INDEX_RECORD_SIZE, pos), this.#crc);
    } catch (err) {
      e = err as Error;
    }
    if (e instanceof ReadProblem || e instanceof Error) throw this.#unreadable({ seq, slice: s, problem: e });
    return e.timestamp;
  }

  #unreadable(stop: BatchStop): StoreError {
    const { seq, slice, problem } = stop;
    if (problem instanceof ReadProblem) this.report(seq, problem);
    return new StoreError(`channel "${this.#log.channel}": message ${seq} of slice ${slice.num} cannot be read: ${problem.toString().replace(/^Error: /, '')}`, {
      cause: problem,
    });
  }

  // ---------- synchronous, possibly blocking on disk ----------

  lookup(seq: number): StoredMsg | undefined {
    if (!this.has(seq)) return undefined;
    if (this.#log.recent.has(seq)) return this.#fromRecent(seq);
    const s = this.#sliceOf(seq);
    if (s === undefined) return undefined;
    const e = this.#reader.entry(s, seq, this.#log.onDisk(s));
    if (e instanceof ReadProblem) return this.report(seq, e);
    const m = this.#reader.message(s, e);
    if (m instanceof ReadProblem) return this.report(seq, m);
    return { sequence: seq, subject: this.#log.channel, reply: m.reply, data: m.data, timestamp: m.timestamp };
  }

  timestampOf(seq: number): bigint | undefined {
    if (!this.has(seq)) return undefined;
    return this.tsAt(seq);
  }

  firstSeqAtOrAfter(ts: bigint): number {
    const l = this.#log;
    if (l.firstSeq === 0) return 0;
    const s = this.#sliceAtOrAfter(ts);
    if (s === undefined) return l.lastSeq + 1;
    let lo = Math.max(l.firstSeq, s.liveFirst);
    let hi = s.lastSeq;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = this.tsAt(mid);
      if (t !== undefined && t >= ts) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The timestamp of a stored message (undefined, and reported, if unreadable). */
  tsAt(seq: number): bigint | undefined {
    const r = this.#log.recent;
    if (r.has(seq)) return r.ts(seq);
    const s = this.#sliceOf(seq);
    if (s === undefined) return undefined;
    const e = this.#reader.entry(s, seq, this.#log.onDisk(s));
    if (e instanceof ReadProblem) {
      this.report(seq, e);
      return undefined;
    }
    return e.timestamp;
  }

  /** The MsgProto size of a stored message of slice `s` (undefined, and reported, if unreadable). */
  sizeAt(s: Slice, seq: number): number | undefined {
    const r = this.#log.recent;
    if (r.has(seq)) return r.len(seq);
    const e = this.#reader.entry(s, seq, this.#log.onDisk(s));
    if (!(e instanceof ReadProblem)) return e.size;
    this.report(seq, e);
    return undefined;
  }

  /** Logs an unreadable message, once per sequence. */
  report(seq: number, p: ReadProblem): undefined {
    if (!this.#reported.has(seq) && this.#reported.size < MAX_REPORTED) {
      this.#reported.add(seq);
      this.#opLog?.error(`STREAM: [Channel:${this.#log.channel}] Message ${seq} cannot be read and is not served: ${p}`);
    }
    return undefined;
  }

  // ---------- internals ----------

  #fromRecent(seq: number): StoredMsg {
    const r = this.#log.recent;
    const m = decodeMsgProto(r.buf(seq), r.off(seq), r.len(seq));
    return { sequence: seq, subject: this.#log.channel, reply: m.reply, data: m.data, timestamp: m.timestamp };
  }

  /** The first slice whose last live message is at or after ts. */
  #sliceAtOrAfter(ts: bigint): Slice | undefined {
    const first = this.#log.firstSeq;
    for (const x of this.#log.slices) if (x.lastTs >= ts && x.lastSeq >= first) return x;
    return undefined;
  }

  #sliceIndex(seq: number): number {
    const sl = this.#log.slices;
    let lo = 0;
    let hi = sl.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = sl[mid]!;
      if (seq < s.firstSeq) hi = mid - 1;
      else if (seq > s.lastSeq) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  #sliceOf(seq: number): Slice | undefined {
    const i = this.#sliceIndex(seq);
    return i < 0 ? undefined : this.#log.slices[i];
  }
}

function closedError(channel: string): StoreError {
  return new StoreError(`message store of channel "${channel}" is closed`);
}
