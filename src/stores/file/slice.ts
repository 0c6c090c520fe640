// A message file slice (STAN-REFERENCE §5.4): msgs.N.dat + msgs.N.idx and
// what the store keeps of it in memory — its sequence range, sizes and
// first/last timestamps, never per-message data. Messages are read back
// synchronously through SliceReader (index records in blocks, a few
// cached; data records through a read-ahead window), or in batches off
// the event loop (msg-batch.ts); every record is checked (index CRC, size
// word, payload CRC, sequence) before it is served.

import { renameSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { decodeMsgProto, type MsgProtoView } from '../../pb/hot.js';
import type { ChannelLimits } from '../store.js';
import type { AppendFile } from './append-file.js';
import type { FileStoreOptions, StoreLog } from './options.js';
import {
  hex,
  INDEX_RECORD_SIZE,
  indexRecordProblem,
  readIndexRecord,
  RECORD_HEADER_SIZE,
  sliceDatName,
  sliceIdxName,
  VERSION_SIZE,
  type Crc,
  type IndexEntry,
} from './format.js';

export class Slice {
  /** Sequence of the first index record (the slice's original first message). */
  firstSeq = 0;
  lastSeq = 0;
  /** Messages written to the slice (removed ones included): the slice limits count these. */
  count = 0;
  /** Their bytes (MsgProto size + 40 each). */
  bytes = 0;
  /** Timestamp of the first message (slice max age) and of the last (expiry). */
  firstTs = 0n;
  lastTs = 0n;
  /** First message not removed by limits; lastSeq + 1 when all are. */
  liveFirst = 0;
  /** Bytes of the messages not removed. */
  liveBytes = 0;
  removed = false;

  constructor(
    readonly num: number,
    readonly dat: AppendFile,
    readonly idx: AppendFile,
  ) {}

  static paths(dir: string, num: number): { dat: string; idx: string } {
    return { dat: join(dir, sliceDatName(num)), idx: join(dir, sliceIdxName(num)) };
  }

  get liveCount(): number {
    return this.lastSeq - this.liveFirst + 1;
  }

  /** Adds a just-stored message. */
  added(seq: number, size: number, ts: bigint): void {
    if (this.count === 0) {
      this.firstSeq = seq;
      this.liveFirst = seq;
      this.firstTs = ts;
    }
    this.lastSeq = seq;
    this.lastTs = ts;
    this.count++;
    this.bytes += size;
    this.liveBytes += size;
  }
}

const NS_PER_MS = 1_000_000n;

/** When a new slice starts (0: that limit is off). */
export interface SliceLimits {
  msgs: number;
  bytes: number;
  ageNs: bigint;
}

/** Slice limits: the options, else (all three 0) a quarter of the channel limits (§5.4). */
export function sliceLimitsFor(o: FileStoreOptions, l: ChannelLimits): SliceLimits {
  if (o.sliceMaxMsgs > 0 || o.sliceMaxBytes > 0 || o.sliceMaxAgeMs > 0) {
    return { msgs: o.sliceMaxMsgs, bytes: o.sliceMaxBytes, ageNs: BigInt(Math.round(o.sliceMaxAgeMs)) * NS_PER_MS };
  }
  return {
    msgs: l.maxMsgs > 0 ? Math.max(1, Math.floor(l.maxMsgs / 4)) : 0,
    bytes: l.maxBytes > 0 ? Math.max(1, Math.floor(l.maxBytes / 4)) : 0,
    // At least a second, as the Go server.
    ageNs: l.maxAgeMs > 0 ? BigInt(Math.max(1000, Math.floor(l.maxAgeMs / 4))) * NS_PER_MS : 0n,
  };
}

/**
 * node:child_process, loaded the first time an archive script runs: a
 * static import costs every start several milliseconds for a feature
 * most stores never use.
 */
function childProcess(): typeof import('node:child_process') {
  return createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
}

/**
 * Deletes a removed slice's files, or renames them to .bak and runs the
 * archive script with (channel, dat.bak, idx.bak) (§5.4). `closed` says
 * the store is gone (its directory may be too).
 */
export function disposeSlice(s: Slice, channel: string, script: string, log: StoreLog | undefined, closed: () => boolean): void {
  for (const f of [s.dat, s.idx]) {
    f.dead = true;
    f.close();
  }
  try {
    if (script === '') {
      unlinkSync(s.dat.path);
      unlinkSync(s.idx.path);
      return;
    }
    const datBak = `${s.dat.path}.bak`;
    const idxBak = `${s.idx.path}.bak`;
    renameSync(s.dat.path, datBak);
    renameSync(s.idx.path, idxBak);
    const child = childProcess().spawn(script, [channel, datBak, idxBak], { stdio: 'ignore' });
    child.on('error', (err) => log?.error(`STREAM: [Channel:${channel}] Error invoking archive script "${script}": ${err.message}`));
    child.on('exit', (code) => {
      if (code !== 0) log?.error(`STREAM: [Channel:${channel}] Archive script "${script}" exited with code ${code}`);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && closed()) return;
    log?.error(`STREAM: [Channel:${channel}] Removing slice ${s.num}: ${(err as Error).message}`);
  }
}

/** Index records read per block. */
const INDEX_BLOCK = 256;
/** Index blocks cached per message store. */
const INDEX_BLOCKS_CACHED = 8;

interface IndexBlock {
  slice: Slice;
  block: number;
  /** Records in buf (a block at the tail may be partial). */
  count: number;
  buf: Buffer;
}

/** What went wrong reading a record back, for the log. */
export class ReadProblem {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.message} (file "${this.file}", offset ${this.offset})`;
  }
}

/**
 * The index record of `seq` at buf[pos] (buf holding `have` bytes of the
 * slice's index file from that record's block on), checked: present, its
 * CRC (with `crc`), its sequence.
 */
export function checkIndexRecord(slice: Slice, seq: number, buf: Buffer, pos: number, have: number, crc: Crc | undefined): IndexEntry | ReadProblem {
  const fileOffset = VERSION_SIZE + (seq - slice.firstSeq) * INDEX_RECORD_SIZE;
  if (pos + INDEX_RECORD_SIZE > have) return new ReadProblem(slice.idx.path, fileOffset, 'index record missing');
  const bad = indexRecordProblem(buf, pos, crc);
  if (bad !== undefined) return new ReadProblem(slice.idx.path, fileOffset, bad);
  const e = readIndexRecord(buf, pos);
  if (e.seq !== seq) {
    return new ReadProblem(slice.idx.path, fileOffset, `index record has sequence ${e.seq}, expected ${seq}`);
  }
  return e;
}

/**
 * The message record of index entry `e` at buf[at] (the whole record is
 * there), checked against the entry: size word, CRC (with `crc`),
 * sequence. The message's fields are views of buf.
 */
export function checkMsgRecord(slice: Slice, e: IndexEntry, buf: Buffer, at: number, crc: Crc | undefined): MsgProtoView | ReadProblem {
  const size = buf.readUInt32LE(at);
  if (size !== e.size) return new ReadProblem(slice.dat.path, e.offset, `record size is ${size}, the index says ${e.size}`);
  if (crc !== undefined) {
    const want = buf.readUInt32LE(at + 4);
    const got = crc.of(buf, at + RECORD_HEADER_SIZE, at + RECORD_HEADER_SIZE + e.size);
    if (want !== got) {
      return new ReadProblem(slice.dat.path, e.offset, `corrupted data, expected crc to be ${hex(want)}, got ${hex(got)}`);
    }
  }
  let m: MsgProtoView;
  try {
    m = decodeMsgProto(buf, at + RECORD_HEADER_SIZE, e.size);
  } catch (err) {
    return new ReadProblem(slice.dat.path, e.offset, `unreadable message: ${(err as Error).message}`);
  }
  if (m.sequence !== e.seq) {
    return new ReadProblem(slice.dat.path, e.offset, `record has sequence ${m.sequence}, expected ${e.seq}`);
  }
  return m;
}

/** Reads a store's slices back: index records and message records. */
export class SliceReader {
  readonly #blocks: IndexBlock[] = [];
  #win: { slice: Slice; start: number; len: number; buf: Buffer } | undefined;

  constructor(
    private readonly crc: Crc,
    private readonly doCrc: boolean,
    private readonly readAhead: number,
  ) {}

  /** Forgets every cached read (an idle channel keeps no buffers). */
  clear(): void {
    this.#blocks.length = 0;
    this.#win = undefined;
  }

  /** Forgets cached reads of a slice (removed, or its index rewritten). */
  forget(slice: Slice): void {
    for (let i = this.#blocks.length - 1; i >= 0; i--) if (this.#blocks[i]!.slice === slice) this.#blocks.splice(i, 1);
    if (this.#win?.slice === slice) this.#win = undefined;
  }

  /**
   * The index record of `seq` in `slice`, which has `onDisk` records
   * written; a ReadProblem if it is unreadable or inconsistent.
   */
  entry(slice: Slice, seq: number, onDisk: number): IndexEntry | ReadProblem {
    const i = seq - slice.firstSeq;
    const block = Math.floor(i / INDEX_BLOCK);
    const at = this.#block(slice, block, onDisk);
    if (at instanceof ReadProblem) return at;
    const pos = (i - block * INDEX_BLOCK) * INDEX_RECORD_SIZE;
    return checkIndexRecord(slice, seq, at.buf, pos, at.count * INDEX_RECORD_SIZE, this.doCrc ? this.crc : undefined);
  }

  #block(slice: Slice, block: number, onDisk: number): IndexBlock | ReadProblem {
    const i0 = block * INDEX_BLOCK;
    const want = Math.min(INDEX_BLOCK, onDisk - i0);
    for (let k = 0; k < this.#blocks.length; k++) {
      const b = this.#blocks[k]!;
      if (b.slice !== slice || b.block !== block) continue;
      if (b.count >= want) return b;
      this.#blocks.splice(k, 1);
      break;
    }
    if (want <= 0) return new ReadProblem(slice.idx.path, VERSION_SIZE + i0 * INDEX_RECORD_SIZE, 'index record not written');
    const buf = Buffer.allocUnsafe(want * INDEX_RECORD_SIZE);
    const got = slice.idx.read(buf, 0, buf.length, VERSION_SIZE + i0 * INDEX_RECORD_SIZE);
    const b: IndexBlock = { slice, block, count: Math.floor(got / INDEX_RECORD_SIZE), buf };
    if (this.#blocks.length >= INDEX_BLOCKS_CACHED) this.#blocks.shift();
    this.#blocks.push(b);
    return b;
  }

  /**
   * The message record at `offset` of the slice's data file, checked
   * against its index entry: size word, CRC (when enabled), sequence.
   */
  message(slice: Slice, e: IndexEntry): MsgProtoView | ReadProblem {
    const total = RECORD_HEADER_SIZE + e.size;
    const w = this.#window(slice, e.offset, total);
    if (w === undefined) return new ReadProblem(slice.dat.path, e.offset, `record of ${total} bytes is past the end of the file`);
    return checkMsgRecord(slice, e, w.buf, w.at, this.doCrc ? this.crc : undefined);
  }

  /** `len` bytes at `offset` of the data file, from the read-ahead window. */
  #window(slice: Slice, offset: number, len: number): { buf: Buffer; at: number } | undefined {
    const w = this.#win;
    if (w !== undefined && w.slice === slice && offset >= w.start && offset + len <= w.start + w.len) {
      return { buf: w.buf, at: offset - w.start };
    }
    const avail = slice.dat.written - offset;
    if (avail < len) return undefined;
    const size = Math.min(avail, Math.max(len, this.readAhead));
    // A new buffer each time: decoded messages keep views into it.
    const buf = Buffer.allocUnsafeSlow(size);
    const got = slice.dat.read(buf, 0, size, offset);
    if (got < len) return undefined;
    this.#win = { slice, start: offset, len: got, buf };
    return { buf, at: 0 };
  }
}
