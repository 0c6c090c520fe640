// The FILE store's messages of one channel (the MsgStore of
// src/stores/store.ts; STAN-REFERENCE §5.4, limits §2.9): records appended
// to the current slice's pending chunks (written by the committer), slices
// rolled over on their limits, the oldest messages removed logically and
// whole slices deleted (or archived) once all of theirs are, after the next
// commit made the newer data durable.
//
// Memory per channel is per slice, never per message: a read is served
// from the cache of recent messages (recent.ts) or from the files
// (msg-reads.ts). Bytes count MsgProto size + 40 per message (see format.ts).

import { encodeMsgProto, msgProtoSize } from '../../pb/hot.js';
import {
  StoreError,
  type ChannelLimits,
  type MsgStore,
  type MsgStoreState,
  type StoredMsg,
} from '../store.js';
import { AppendFile } from './append-file.js';
import type { Committer } from './committer.js';
import { appendIndexRecord, MSG_RECORD_OVERHEAD, RECORD_HEADER_SIZE, INDEX_RECORD_SIZE, sealRecordLater, type Crc } from './format.js';
import type { FileStoreOptions } from './options.js';
import { RecentMsgs } from './recent.js';
import { disposeSlice, Slice, sliceLimitsFor, type SliceLimits } from './slice.js';
import type { RecoveredSlices } from './msg-recovery.js';
import { MsgReads, type MsgLog } from './msg-reads.js';

const NS_PER_MS = 1_000_000n;
/** Read-ahead of lookups is capped at this (scattered lookups read this much each). */
const READ_AHEAD_MAX = 128 * 1024;
/** A slice not read for this long has its files closed. */
const SLICE_IDLE_MS = 1000;

export interface MsgStoreContext {
  dir: string;
  channel: string;
  committer: Committer;
  crc: Crc;
  opts: FileStoreOptions;
}

export class FileMsgStore implements MsgStore, MsgLog {
  readonly channel: string;
  readonly #ctx: MsgStoreContext;
  readonly #subject: Buffer;
  #limits: ChannelLimits;
  #slLimits: SliceLimits = { msgs: 0, bytes: 0, ageNs: 0n };
  readonly #slices: Slice[];
  #nextNum: number;
  /** 0 until the first message; lastSeq + 1 when everything was removed. */
  #first = 0;
  #last = 0;
  #bytes = 0;
  readonly #recent = new RecentMsgs();
  readonly #reads: MsgReads;
  /** Highest sequence handed to the OS, as of committer epoch #epoch. */
  #diskSeq = 0;
  #epoch: number;
  /** lastSeq at the previous sweep. */
  #lastAtSweep = 0;
  #hitLimit = false;
  #closed = false;

  constructor(ctx: MsgStoreContext, limits: ChannelLimits, recovered?: RecoveredSlices) {
    this.#ctx = ctx;
    this.channel = ctx.channel;
    this.#subject = Buffer.from(ctx.channel, 'utf8');
    this.#limits = { ...limits };
    this.#slLimits = sliceLimitsFor(this.#ctx.opts, this.#limits);
    const o = ctx.opts;
    this.#reads = new MsgReads(this, { crc: ctx.crc, doCrc: o.doCrc, readAhead: Math.min(o.readBufferSize, READ_AHEAD_MAX), log: o.log });
    this.#slices = recovered?.slices ?? [];
    this.#nextNum = recovered?.nextNum ?? 1;
    for (const s of this.#slices) this.#bytes += s.liveBytes;
    if (this.#slices.length > 0) {
      this.#first = this.#slices[0]!.liveFirst;
      this.#last = this.#slices[this.#slices.length - 1]!.lastSeq;
    }
    this.#diskSeq = this.#last;
    this.#epoch = ctx.committer.epoch;
  }

  get firstSeq(): number {
    return this.#first;
  }

  get lastSeq(): number {
    return this.#last;
  }

  get #count(): number {
    return this.#first === 0 ? 0 : this.#last - this.#first + 1;
  }

  /** Slices (for the reads, tests and monitoring). */
  get slices(): readonly Slice[] {
    return this.#slices;
  }

  /** The cache of recent messages (for the reads). */
  get recent(): RecentMsgs {
    return this.#recent;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Records of `s` handed to the OS (for the reads). */
  onDisk(s: Slice): number {
    this.#syncEpoch();
    return Math.max(0, Math.min(s.count, this.#diskSeq - s.firstSeq + 1));
  }

  store(data: Uint8Array, reply: string, timestamp: bigint): number {
    if (this.#closed) throw new StoreError(`message store of channel "${this.channel}" is closed`);
    const failed = this.#ctx.committer.failed;
    if (failed) throw new StoreError(`file store failed: ${failed.message}`);
    this.#syncEpoch();
    const seq = this.#last + 1;
    const size = msgProtoSize(seq, this.#subject, reply, data, timestamp, false, 0);
    const s = this.#writeSlice(timestamp);
    const { committer, crc } = this.#ctx;

    const dat = s.dat;
    const p = dat.reserve(RECORD_HEADER_SIZE + size);
    const chunk = dat.buf;
    encodeMsgProto(chunk, p + RECORD_HEADER_SIZE, seq, this.#subject, reply, data, timestamp, false, 0);
    sealRecordLater(dat, p, size, 0, crc);
    const offset = dat.added(RECORD_HEADER_SIZE + size);

    const idx = s.idx;
    const q = idx.reserve(INDEX_RECORD_SIZE);
    appendIndexRecord(idx, q, seq, offset, timestamp, size, crc);
    idx.added(INDEX_RECORD_SIZE);
    committer.dirty(dat);
    committer.dirty(idx);
    if (dat.pendingBytes >= this.#ctx.opts.bufferSize) committer.soon();

    s.added(seq, size + MSG_RECORD_OVERHEAD, timestamp);
    const now = Date.now();
    this.#recent.push(seq, chunk, p + RECORD_HEADER_SIZE, size, timestamp, now);
    if (this.#first === 0) this.#first = seq;
    this.#last = seq;
    this.#bytes += size + MSG_RECORD_OVERHEAD;
    this.#dropOverLimits(true);
    this.#recent.trim(this.#diskSeq, now);
    return seq;
  }

  lookup(seq: number): StoredMsg | undefined {
    return this.#reads.lookup(seq);
  }

  cached(seq: number): StoredMsg | undefined {
    return this.#reads.cached(seq);
  }

  read(from: number, max: number): Promise<StoredMsg[]> {
    return this.#reads.read(from, max);
  }

  seqFromTimestamp(ts: bigint): Promise<number> {
    return this.#reads.seqFromTimestamp(ts);
  }

  /**
   * The stored MsgProto record itself while the message is in the recent
   * cache (the bytes of the file's record: delivery sends them as they
   * are); undefined otherwise, and read() reads the file.
   */
  encoded(seq: number): Uint8Array | undefined {
    return this.#reads.encoded(seq);
  }

  timestampOf(seq: number): bigint | undefined {
    return this.#reads.timestampOf(seq);
  }

  firstSeqAtOrAfter(ts: bigint): number {
    return this.#reads.firstSeqAtOrAfter(ts);
  }

  state(): MsgStoreState {
    return { firstSeq: this.#first, lastSeq: this.#last, msgs: this.#count, bytes: this.#bytes };
  }

  setLimits(limits: ChannelLimits): void {
    this.#limits = { ...limits };
    this.#slLimits = sliceLimitsFor(this.#ctx.opts, this.#limits);
    this.#dropOverLimits(false);
    this.expire((this.#ctx.opts.now ?? wallClockNs)());
  }

  expire(nowNs: bigint): number {
    const maxAgeMs = this.#limits.maxAgeMs;
    if (maxAgeMs <= 0) return 0;
    const cutoff = nowNs - BigInt(Math.round(maxAgeMs)) * NS_PER_MS;
    let removed = 0;
    while (this.#count > 0) {
      const s = this.#slices[0]!;
      if (this.#slices.length > 1 && s.lastTs <= cutoff) {
        removed += this.#dropSlice();
        continue;
      }
      const t = this.#reads.tsAt(this.#first);
      if (t !== undefined && t > cutoff) break;
      this.#dropFirst();
      removed++;
    }
    return removed;
  }

  /** Waits for this channel's messages only: another channel's new data is not ours to wait for. */
  flush(): Promise<void> | void {
    return this.#ctx.committer.flushFiles(this.#files());
  }

  *#files(): Iterable<AppendFile> {
    for (const s of this.#slices) {
      yield s.dat;
      yield s.idx;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A failed store logged why; what it could not write was never acknowledged.
    await Promise.resolve(this.#ctx.committer.flush()).catch(() => {});
    this.closeFiles();
  }

  /** Closes every file now (the store is closing, or the channel is deleted). */
  closeFiles(dead = false): void {
    this.#closed = true;
    for (const s of this.#slices) {
      s.dat.dead ||= dead;
      s.idx.dead ||= dead;
      s.dat.close();
      s.idx.close();
    }
    this.#recent.clear();
  }

  /**
   * Housekeeping, about once a second: written messages older than the
   * cache's second leave it, a channel with no new message since the last
   * sweep drops its read-ahead, and slices not read for a while have their
   * files closed (never the write slice).
   */
  sweep(nowMs: number, eager: boolean): void {
    this.#syncEpoch();
    this.#recent.trim(this.#diskSeq, nowMs);
    if (this.#last === this.#lastAtSweep) this.#reads.clear();
    this.#lastAtSweep = this.#last;
    const idleMs = eager ? 0 : SLICE_IDLE_MS;
    for (let i = 0; i < this.#slices.length - 1; i++) {
      const s = this.#slices[i]!;
      if (s.dat.isOpen && nowMs - s.dat.lastUsed >= idleMs) s.dat.closeIfIdle();
      if (s.idx.isOpen && nowMs - s.idx.lastUsed >= idleMs) s.idx.closeIfIdle();
    }
  }

  // ---------- internals ----------

  /** After a commit wrote everything, all messages stored before it are on disk. */
  #syncEpoch(): void {
    const e = this.#ctx.committer.epoch;
    if (e !== this.#epoch) {
      this.#epoch = e;
      this.#diskSeq = this.#last;
    }
  }

  /** Bytes a stored message counts (MsgProto size + 40; an average of its slice's if unreadable). */
  #sizeAt(s: Slice, seq: number): number {
    const size = this.#reads.sizeAt(s, seq);
    return size === undefined ? Math.round(s.liveBytes / Math.max(1, s.liveCount)) : size + MSG_RECORD_OVERHEAD;
  }

  /** The slice to store into, starting a new one when the current one is full (§5.4). */
  #writeSlice(ts: bigint): Slice {
    const s = this.#slices[this.#slices.length - 1];
    const l = this.#slLimits;
    if (
      s !== undefined &&
      !(l.msgs > 0 && s.count >= l.msgs) &&
      !(l.bytes > 0 && s.bytes >= l.bytes) &&
      !(l.ageNs > 0n && s.count > 0 && ts - s.firstTs >= l.ageNs)
    ) {
      return s;
    }
    const num = this.#nextNum++;
    const p = Slice.paths(this.#ctx.dir, num);
    let dat: AppendFile | undefined;
    let idx: AppendFile;
    try {
      dat = AppendFile.create(p.dat);
      idx = AppendFile.create(p.idx);
    } catch (err) {
      dat?.close();
      throw new StoreError(`unable to create slice ${num} of channel "${this.channel}": ${(err as Error).message}`, { cause: err });
    }
    const n = new Slice(num, dat, idx);
    this.#slices.push(n);
    // The only slice, all of it removed, was kept as the write slice: not any more.
    if (this.#slices.length === 2 && this.#slices[0]!.liveCount === 0) this.#removeFirstSlice();
    return n;
  }

  /** Drops the oldest while over max_msgs or max_bytes, always keeping the newest. */
  #dropOverLimits(report: boolean): void {
    const { maxMsgs, maxBytes } = this.#limits;
    const over = (count: number, bytes: number) => (maxMsgs > 0 && count > maxMsgs) || (maxBytes > 0 && bytes > maxBytes);
    let dropped = false;
    while (this.#count > 1 && over(this.#count, this.#bytes)) {
      const s = this.#slices[0]!;
      // A whole slice goes at once when each of its messages would be dropped in turn.
      const restCount = this.#count - s.liveCount;
      const restBytes = this.#bytes - s.liveBytes;
      if (this.#slices.length > 1 && ((maxMsgs > 0 && restCount >= maxMsgs) || (maxBytes > 0 && restBytes >= maxBytes))) {
        this.#dropSlice();
      } else {
        this.#dropFirst();
      }
      dropped = true;
    }
    if (dropped && report && !this.#hitLimit) {
      this.#hitLimit = true;
      this.#ctx.opts.onLimitReached?.(this.channel, this.state(), { ...this.#limits });
    }
  }

  #dropFirst(): void {
    const s = this.#slices[0]!;
    const size = this.#sizeAt(s, this.#first);
    s.liveBytes -= size;
    s.liveFirst++;
    this.#bytes -= size;
    this.#first++;
    this.#recent.dropBelow(this.#first);
    if (s.liveFirst > s.lastSeq && this.#slices.length > 1) this.#removeFirstSlice();
  }

  /** Drops every remaining message of the first slice (not the last slice); returns how many. */
  #dropSlice(): number {
    const s = this.#slices[0]!;
    const n = s.liveCount;
    this.#bytes -= s.liveBytes;
    this.#first = s.lastSeq + 1;
    s.liveFirst = this.#first;
    s.liveBytes = 0;
    this.#recent.dropBelow(this.#first);
    this.#removeFirstSlice();
    return n;
  }

  #removeFirstSlice(): void {
    const s = this.#slices.shift()!;
    s.removed = true;
    this.#reads.forget(s);
    const { sliceArchiveScript, log } = this.#ctx.opts;
    this.#ctx.committer.afterDurable(() => disposeSlice(s, this.channel, sliceArchiveScript, log, () => this.#closed));
  }
}

function wallClockNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}
