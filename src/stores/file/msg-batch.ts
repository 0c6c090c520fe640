// Batch reads of one channel's messages from its slice files, off the
// event loop (MsgStore.read of src/stores/store.ts; the records of
// STAN-REFERENCE §5.4): a slice's index records with one positional read,
// then its message records with one read per contiguous run of the data
// file (a slice's records are back to back: one read), on libuv's thread
// pool through io.ts. Every record is checked (index CRC, size word,
// payload CRC, sequence) before it is served; a batch stops at the first
// that fails, with what failed.
//
// Each trip to the thread pool costs a hand-off both ways, which on a
// busy machine outweighs the read itself, so a fetch reads ahead (index
// records and data for the next batches of a reader going forward) and a
// few such windows are kept per store, as the synchronous reader keeps its
// read-ahead window (slice.ts). Records on disk never change: a window
// stays right until its slice is removed (forget).

import type { StoredMsg } from '../store.js';
import { INDEX_RECORD_SIZE, RECORD_HEADER_SIZE, VERSION_SIZE, type Crc, type IndexEntry } from './format.js';
import { checkIndexRecord, checkMsgRecord, ReadProblem, type Slice } from './slice.js';

/**
 * Bytes of message records one batch returns at most (always at least one
 * message): what a read may hold in memory, whatever `max` asks.
 */
export const READ_BATCH_BYTES = 4 * 1024 * 1024;
/** Index records a fetch reads at least (read-ahead). */
const INDEX_AHEAD = 1024;
/** Data bytes a fetch reads at least, within the index records it has (read-ahead). */
const DATA_AHEAD = 256 * 1024;
/** Windows kept per message store (readers at different places). */
const WINDOWS = 4;

/** Sequences from..to of one slice, and up to `ahead` (>= to) all handed to the OS. */
export interface BatchPart {
  slice: Slice;
  from: number;
  to: number;
  ahead: number;
}

/** Why a batch stopped before its end. */
export interface BatchStop {
  seq: number;
  slice: Slice;
  /** A record that failed its checks, or the I/O error of the read. */
  problem: ReadProblem | Error;
}

export interface BatchResult {
  /** The messages read, in order, from the first part's `from` on without a gap. */
  msgs: StoredMsg[];
  /** Set when a record could not be served: msgs ends just before it. */
  stop?: BatchStop;
}

/** What was read of a slice: index records from `from` on, and data bytes from `datStart` on. */
interface Window {
  slice: Slice;
  from: number;
  /** Index records in idx (a short read at the end of the file gives fewer). */
  count: number;
  idx: Buffer;
  datStart: number;
  dat: Buffer;
  datLen: number;
}

export class BatchReader {
  #windows: Window[] = [];

  /** `subject`: the channel's name; `crc`: the checksum to verify (undefined: --file_crc=false). */
  constructor(
    private readonly subject: string,
    private readonly crc: Crc | undefined,
  ) {}

  /** Drops every window (an idle channel keeps no buffers). */
  clear(): void {
    this.#windows = [];
  }

  /** A slice is gone: its windows too. */
  forget(slice: Slice): void {
    this.#windows = this.#windows.filter((w) => w.slice !== slice);
  }

  /** Reads the parts' messages (in sequence order, contiguous), up to READ_BATCH_BYTES of records. */
  async read(parts: readonly BatchPart[]): Promise<BatchResult> {
    const msgs: StoredMsg[] = [];
    let bytes = 0;
    for (const part of parts) {
      const { slice } = part;
      let seq = part.from;
      let refetch = false;
      while (seq <= part.to) {
        let w = this.#find(slice, seq);
        const fetched = w === undefined || refetch;
        if (fetched) {
          try {
            w = await this.#fetch(part, seq, w);
          } catch (err) {
            return { msgs, stop: { seq, slice, problem: err as Error } };
          }
        }
        const win = w!;
        const from = seq;
        for (; seq <= part.to && seq < win.from + win.count; seq++) {
          const e = checkIndexRecord(slice, seq, win.idx, (seq - win.from) * INDEX_RECORD_SIZE, win.count * INDEX_RECORD_SIZE, this.crc);
          if (e instanceof ReadProblem) return { msgs, stop: { seq, slice, problem: e } };
          const at = e.offset - win.datStart;
          const size = RECORD_HEADER_SIZE + e.size;
          if (at < 0 || at + size > win.datLen) break;
          if (bytes > 0 && bytes + size > READ_BATCH_BYTES) return { msgs };
          const m = checkMsgRecord(slice, e, win.dat, at, this.crc);
          if (m instanceof ReadProblem) return { msgs, stop: { seq, slice, problem: m } };
          msgs.push({ sequence: seq, subject: this.subject, reply: m.reply, data: m.data, timestamp: m.timestamp });
          bytes += size;
        }
        if (seq > part.to || seq > from) {
          refetch = false;
          continue;
        }
        // Not even one record: the window has not its data (read it), or a fresh read came back short.
        if (fetched) {
          const problem = seq < win.from + win.count ? pastEnd(win, seq) : new ReadProblem(slice.idx.path, indexPos(slice, seq), 'index record missing');
          return { msgs, stop: { seq, slice, problem } };
        }
        refetch = true;
      }
    }
    return { msgs };
  }

  #find(slice: Slice, seq: number): Window | undefined {
    for (const w of this.#windows) if (w.slice === slice && seq >= w.from && seq < w.from + w.count) return w;
    return undefined;
  }

  /**
   * A new window from `seq` on: its index records (those of `known` when
   * it has seq's, else read, with read-ahead up to part.ahead), then the
   * contiguous data records they describe, at least up to part.to within
   * the batch cap, with read-ahead.
   */
  async #fetch(part: BatchPart, seq: number, known: Window | undefined): Promise<Window> {
    const { slice } = part;
    let idx: Buffer;
    let from: number;
    let count: number;
    if (known !== undefined) {
      ({ idx, from, count } = known);
    } else {
      const n = Math.min(part.ahead - seq + 1, Math.max(INDEX_AHEAD, part.to - seq + 1));
      idx = Buffer.allocUnsafe(n * INDEX_RECORD_SIZE);
      const have = await slice.idx.readAsync(idx, 0, idx.length, indexPos(slice, seq));
      from = seq;
      count = Math.floor(have / INDEX_RECORD_SIZE);
    }
    // The data run: from seq's record on, while records are back to back,
    // until part.to is covered (within the cap) and DATA_AHEAD is read.
    let datStart = -1;
    let len = 0;
    for (let s = seq; s < from + count; s++) {
      const e = checkIndexRecord(slice, s, idx, (s - from) * INDEX_RECORD_SIZE, count * INDEX_RECORD_SIZE, this.crc);
      if (e instanceof ReadProblem) break; // served up to it, then reported
      if (datStart < 0) datStart = e.offset;
      else if (e.offset !== datStart + len) break;
      const size = RECORD_HEADER_SIZE + e.size;
      if (len > 0 && len + size > (s <= part.to ? READ_BATCH_BYTES : DATA_AHEAD)) break;
      len += size;
    }
    const w: Window = { slice, from, count, idx, datStart: Math.max(0, datStart), dat: EMPTY, datLen: 0 };
    if (len > 0) {
      // A buffer of its own: the messages served are views of it.
      w.dat = Buffer.allocUnsafeSlow(len);
      w.datLen = await slice.dat.readAsync(w.dat, 0, len, datStart);
    }
    if (known !== undefined) this.#windows = this.#windows.filter((x) => x !== known);
    this.#windows.push(w);
    if (this.#windows.length > WINDOWS) this.#windows.shift();
    return w;
  }
}

const EMPTY = Buffer.alloc(0);

function indexPos(slice: Slice, seq: number): number {
  return VERSION_SIZE + (seq - slice.firstSeq) * INDEX_RECORD_SIZE;
}

/** The record of `seq` (whose index entry is in w) is not all in the data file. */
function pastEnd(w: Window, seq: number): ReadProblem {
  const e: IndexEntry | ReadProblem = checkIndexRecord(w.slice, seq, w.idx, (seq - w.from) * INDEX_RECORD_SIZE, w.count * INDEX_RECORD_SIZE, undefined);
  if (e instanceof ReadProblem) return e;
  return new ReadProblem(w.slice.dat.path, e.offset, `record of ${RECORD_HEADER_SIZE + e.size} bytes is past the end of the file`);
}
