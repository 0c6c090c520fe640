// Recovery of a channel's message slices (STAN-REFERENCE §5.4, §5.7),
// reading as little as possible: for each slice, the first and the last
// index records, and the data record the last one points to. When they
// agree the slice is known without reading anything else (its byte total
// follows from the offsets: every record is 8 + size bytes, back to back);
// otherwise its index is rebuilt from the data file. Data past the last
// index record was never committed and is cut (tail.ts).

import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import type { StoreLog } from './options.js';
import { decodeMsgProto } from '../../pb/hot.js';
import { StoreError } from '../store.js';
import { AppendFile, writeHeader } from './append-file.js';
import {
  checkVersion,
  hex,
  INDEX_RECORD_SIZE,
  indexRecordProblem,
  isZeroIndexRecord,
  MSG_RECORD_OVERHEAD,
  readIndexRecord,
  RECORD_HEADER_SIZE,
  VERSION_SIZE,
  versionHeader,
  writeIndexRecord,
  type Crc,
  type IndexEntry,
} from './format.js';
import { scanRecords } from './scan.js';
import { Slice } from './slice.js';
import { settleEnd, type TailMode } from './tail.js';

export interface RecoveryContext {
  crc: Crc;
  doCrc: boolean;
  truncateBadEof: boolean;
  log: StoreLog | undefined;
}

const SLICE_NAME = /^msgs\.(.*)\.dat$/;

export interface RecoveredSlices {
  slices: Slice[];
  /** Number for the next new slice. */
  nextNum: number;
}

/** Recovers every msgs.N.dat of a channel directory, in slice order. */
export function recoverSlices(dir: string, ctx: RecoveryContext): RecoveredSlices {
  const nums: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = SLICE_NAME.exec(name);
    if (m === null) continue;
    const n = /^-?\d+$/.test(m[1]!) ? Number(m[1]) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new StoreError(`message log has an invalid name: ${name}`);
    nums.push(n);
  }
  nums.sort((a, b) => a - b);
  const slices: Slice[] = [];
  let nextNum = 1;
  for (const n of nums) {
    nextNum = Math.max(nextNum, n + 1);
    const s = recoverSlice(dir, n, ctx);
    if (s.count === 0) {
      // Nothing in it (a slice created just before a stop): not a slice.
      s.dat.close();
      s.idx.close();
      unlinkSync(s.dat.path);
      unlinkSync(s.idx.path);
      continue;
    }
    const prev = slices[slices.length - 1];
    if (prev !== undefined && s.firstSeq <= prev.lastSeq) {
      throw new StoreError(`message slices overlap: "${s.dat.path}" starts at ${s.firstSeq}, the previous one ends at ${prev.lastSeq}`);
    }
    if (prev !== undefined && s.firstSeq !== prev.lastSeq + 1) {
      ctx.log?.warn(`STREAM: Sequences ${prev.lastSeq + 1} to ${s.firstSeq - 1} are missing before "${s.dat.path}"`);
    }
    slices.push(s);
  }
  // Older slices are reopened when read; the last one is written to.
  for (let i = 0; i < slices.length - 1; i++) {
    slices[i]!.dat.close();
    slices[i]!.idx.close();
  }
  return { slices, nextNum };
}

function versionProblem(f: AppendFile): string | undefined {
  const head = Buffer.alloc(VERSION_SIZE);
  return checkVersion(head, f.read(head, 0, VERSION_SIZE, 0));
}

function recoverSlice(dir: string, num: number, ctx: RecoveryContext): Slice {
  const paths = Slice.paths(dir, num);
  const dat = AppendFile.open(paths.dat);
  // Empty: created just before a crash, before its header. It holds nothing.
  if (dat.written === 0) writeHeader(dat);
  const bad = versionProblem(dat);
  if (bad !== undefined) throw new StoreError(`unable to recover file "${paths.dat}": ${bad}`);
  let idx: AppendFile;
  let why: string | undefined;
  if (existsSync(paths.idx)) {
    idx = AppendFile.open(paths.idx);
    why = versionProblem(idx);
  } else {
    idx = AppendFile.create(paths.idx);
    why = 'no index file';
  }
  const s = new Slice(num, dat, idx);
  if (why === undefined) {
    const r = fromIndex(s, ctx);
    if (r === true) return s;
    if (r === 'empty') {
      rebuild(s, ctx, 'uncommitted');
      return s;
    }
    why = r;
  }
  if (dat.written > VERSION_SIZE) ctx.log?.warn(`STREAM: Index file "${paths.idx}": ${why}; rebuilding it from the data file`);
  rebuild(s, ctx, 'strict');
  return s;
}

/** Reads a slice from its index's first and last records; true, 'empty', or what is wrong. */
function fromIndex(s: Slice, ctx: RecoveryContext): true | 'empty' | string {
  const idx = s.idx;
  let n = Math.floor((idx.written - VERSION_SIZE) / INDEX_RECORD_SIZE);
  if (VERSION_SIZE + n * INDEX_RECORD_SIZE !== idx.written) {
    // A torn index write: that record's commit never completed.
    idx.truncate(VERSION_SIZE + n * INDEX_RECORD_SIZE);
  }
  const rec = Buffer.allocUnsafe(INDEX_RECORD_SIZE);
  const at = (i: number): IndexEntry | string => {
    idx.read(rec, 0, INDEX_RECORD_SIZE, VERSION_SIZE + i * INDEX_RECORD_SIZE);
    const bad = indexRecordProblem(rec, 0, ctx.doCrc ? ctx.crc : undefined);
    return bad ?? readIndexRecord(rec, 0);
  };
  if (n > 0) {
    idx.read(rec, 0, INDEX_RECORD_SIZE, VERSION_SIZE + (n - 1) * INDEX_RECORD_SIZE);
    if (isZeroIndexRecord(rec, 0)) {
      n = lastNonZero(idx, n);
      idx.truncate(VERSION_SIZE + n * INDEX_RECORD_SIZE);
    }
  }
  if (n === 0) return 'empty';
  const first = at(0);
  if (typeof first === 'string') return `first record: ${first}`;
  const last = at(n - 1);
  if (typeof last === 'string') return `last record: ${last}`;
  if (last.seq - first.seq + 1 !== n) return `${n} records for sequences ${first.seq} to ${last.seq}`;
  const check = checkDataRecord(s.dat, last, ctx.crc);
  if (check !== undefined) return `its last record does not match the data file: ${check}`;
  s.firstSeq = first.seq;
  s.liveFirst = first.seq;
  s.lastSeq = last.seq;
  s.count = n;
  s.firstTs = first.timestamp;
  s.lastTs = last.timestamp;
  const end = last.offset + RECORD_HEADER_SIZE + last.size;
  s.bytes = end - first.offset + n * INDEX_RECORD_SIZE;
  s.liveBytes = s.bytes;
  if (s.dat.written > end) {
    ctx.log?.warn(`STREAM: File "${s.dat.path}": ${s.dat.written - end} bytes past the last indexed message were never committed: truncated`);
    s.dat.truncate(end);
  }
  return true;
}

/** Count of records up to the last one that is not all zeros. */
function lastNonZero(idx: AppendFile, n: number): number {
  const all = Buffer.allocUnsafe(n * INDEX_RECORD_SIZE);
  idx.read(all, 0, all.length, VERSION_SIZE);
  while (n > 0 && isZeroIndexRecord(all, (n - 1) * INDEX_RECORD_SIZE)) n--;
  return n;
}

/** Checks the data record an index record points to (CRC always checked, as Go). */
function checkDataRecord(dat: AppendFile, e: IndexEntry, crc: Crc): string | undefined {
  const total = RECORD_HEADER_SIZE + e.size;
  if (e.offset < VERSION_SIZE || e.offset + total > dat.written) return `record at offset ${e.offset} is past the end`;
  const buf = Buffer.allocUnsafe(total);
  dat.read(buf, 0, total, e.offset);
  const size = buf.readUInt32LE(0);
  if (size !== e.size) return `record size ${size}, expected ${e.size}`;
  const want = buf.readUInt32LE(4);
  const got = crc.of(buf, RECORD_HEADER_SIZE, total);
  if (want !== got) return `corrupted data, expected crc to be ${hex(want)}, got ${hex(got)}`;
  try {
    const m = decodeMsgProto(buf, RECORD_HEADER_SIZE, e.size);
    if (m.sequence !== e.seq) return `record has sequence ${m.sequence}, expected ${e.seq}`;
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/**
 * Rebuilds a slice's index by reading its data file record by record. The
 * index is rewritten only once the data file is accepted: a refused start
 * leaves every file as it was.
 */
function rebuild(s: Slice, ctx: RecoveryContext, mode: TailMode): void {
  Object.assign(s, { firstSeq: 0, lastSeq: 0, count: 0, bytes: 0, firstTs: 0n, lastTs: 0n, liveFirst: 0, liveBytes: 0 });
  let out = Buffer.allocUnsafe(64 * INDEX_RECORD_SIZE);
  let used = 0;
  const end = scanRecords(s.dat, false, ctx.doCrc ? ctx.crc : undefined, (_type, payload, offset) => {
    let seq: number;
    let ts: bigint;
    try {
      const m = decodeMsgProto(payload);
      seq = m.sequence;
      ts = m.timestamp;
    } catch (err) {
      return `unreadable message: ${(err as Error).message}`;
    }
    if (s.count > 0 && seq !== s.lastSeq + 1) return `message sequence ${seq} follows ${s.lastSeq}`;
    if (used + INDEX_RECORD_SIZE > out.length) {
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    writeIndexRecord(out, used, seq, offset, ts, payload.length, ctx.crc);
    used += INDEX_RECORD_SIZE;
    s.added(seq, payload.length + MSG_RECORD_OVERHEAD, ts);
    return undefined;
  });
  settleEnd(s.dat, end, mode, ctx.truncateBadEof, ctx.log);
  s.idx.truncate(0);
  s.idx.writeAt(versionHeader(), 0);
  s.idx.writeAt(out.subarray(0, used), VERSION_SIZE);
  s.idx.datasyncNow();
  if (s.count > 0) ctx.log?.info(`STREAM: Index file "${s.idx.path}" rebuilt from the data file (${s.count} messages)`);
}
