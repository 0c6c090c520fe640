// A batch read of one channel's messages from its slice files, off the
// event loop (MsgStore.read of src/stores/store.ts; the records of
// STAN-REFERENCE §5.4): the index records of each slice's part with one
// positional read, then the message records with one read per contiguous
// run of the data file (a slice's records are back to back, so that is one
// read per slice), all on libuv's thread pool through io.ts. Every record
// is checked (index CRC, size word, payload CRC, sequence) before it is
// served; the batch stops at the first that fails, with what failed.

import type { StoredMsg } from '../store.js';
import { INDEX_RECORD_SIZE, RECORD_HEADER_SIZE, VERSION_SIZE, type Crc, type IndexEntry } from './format.js';
import { checkIndexRecord, checkMsgRecord, ReadProblem, type Slice } from './slice.js';

/**
 * Bytes of message records one batch reads at most (always at least one
 * message): what a read may hold in memory, whatever `max` asks.
 */
export const READ_BATCH_BYTES = 4 * 1024 * 1024;

/** Sequences from..to of one slice, all handed to the OS already. */
export interface BatchPart {
  slice: Slice;
  from: number;
  to: number;
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

/** One contiguous run of data records of a slice, read at once. */
interface Run {
  slice: Slice;
  entries: IndexEntry[];
  start: number;
  len: number;
}

/**
 * Reads the parts' messages (parts in sequence order, contiguous), up to
 * READ_BATCH_BYTES of records; `subject` is the channel's name, `crc` the
 * checksum to verify (undefined: --file_crc=false).
 */
export async function readBatch(parts: readonly BatchPart[], subject: string, crc: Crc | undefined): Promise<BatchResult> {
  const indexes = await Promise.allSettled(parts.map(readIndex));
  const runs: Run[] = [];
  let bytes = 0;
  let stop: BatchStop | undefined;
  scan: for (let p = 0; p < parts.length; p++) {
    const { slice, from, to } = parts[p]!;
    const got = indexes[p]!;
    if (got.status === 'rejected') {
      stop = { seq: from, slice, problem: got.reason as Error };
      break;
    }
    const { buf, have } = got.value;
    let run: Run | undefined;
    for (let seq = from; seq <= to; seq++) {
      const e = checkIndexRecord(slice, seq, buf, (seq - from) * INDEX_RECORD_SIZE, have, crc);
      if (e instanceof ReadProblem) {
        stop = { seq, slice, problem: e };
        break scan;
      }
      const size = RECORD_HEADER_SIZE + e.size;
      if (bytes > 0 && bytes + size > READ_BATCH_BYTES) break scan;
      bytes += size;
      if (run === undefined || e.offset !== run.start + run.len) {
        run = { slice, entries: [], start: e.offset, len: 0 };
        runs.push(run);
      }
      run.entries.push(e);
      run.len += size;
    }
  }
  const datas = await Promise.allSettled(runs.map(readRun));
  const msgs: StoredMsg[] = [];
  for (let r = 0; r < runs.length; r++) {
    const { slice, entries, start } = runs[r]!;
    const got = datas[r]!;
    if (got.status === 'rejected') return { msgs, stop: { seq: entries[0]!.seq, slice, problem: got.reason as Error } };
    const { buf, have } = got.value;
    for (const e of entries) {
      const at = e.offset - start;
      if (at + RECORD_HEADER_SIZE + e.size > have) {
        const p = new ReadProblem(slice.dat.path, e.offset, `record of ${RECORD_HEADER_SIZE + e.size} bytes is past the end of the file`);
        return { msgs, stop: { seq: e.seq, slice, problem: p } };
      }
      const m = checkMsgRecord(slice, e, buf, at, crc);
      if (m instanceof ReadProblem) return { msgs, stop: { seq: e.seq, slice, problem: m } };
      msgs.push({ sequence: e.seq, subject, reply: m.reply, data: m.data, timestamp: m.timestamp });
    }
  }
  return stop === undefined ? { msgs } : { msgs, stop };
}

/** The part's index records (`have`: bytes read, fewer if the file is short). */
async function readIndex(p: BatchPart): Promise<{ buf: Buffer; have: number }> {
  const n = p.to - p.from + 1;
  const buf = Buffer.allocUnsafe(n * INDEX_RECORD_SIZE);
  const pos = VERSION_SIZE + (p.from - p.slice.firstSeq) * INDEX_RECORD_SIZE;
  const have = await p.slice.idx.readAsync(buf, 0, buf.length, pos);
  return { buf, have };
}

/** A run's data records, into a buffer of its own: the messages are views of it. */
async function readRun(r: Run): Promise<{ buf: Buffer; have: number }> {
  const buf = Buffer.allocUnsafeSlow(r.len);
  const have = await r.slice.dat.readAsync(buf, 0, r.len, r.start);
  return { buf, have };
}
