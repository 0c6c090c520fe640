// The byte formats of the FILE store (STAN-REFERENCE §5.2-§5.5), shared by
// the writer and the recovery code: the 4-byte version header of every
// file, the 8-byte record header (size word with the type in its high byte
// for typed files, then the CRC-32 of the payload), the 32-byte index
// record of a message slice, and the hand-written encoders of the small
// records written once per message (SubStateUpdate, SubStateDelete).
// All integers are little-endian.

import { core } from '../../core/index.js';
import { varintSize, writeVarint } from '../../pb/writer.js';
import type { AppendFile } from './append-file.js';

/** `01 00 00 00` at the start of every file. */
export const FILE_VERSION = 1;
export const VERSION_SIZE = 4;
/** u32 size word + u32 CRC-32 of the payload. */
export const RECORD_HEADER_SIZE = 8;
/**
 * seq u64, offset u64, timestamp i64, size u32, crc u32: 32 bytes, as the
 * Go server's msgIndexRecSize (8+8+8+4+4). STAN-REFERENCE §5.4 says 36 and
 * §2.9 says +44 per message: both are wrong, the Go source has 32 and +40.
 */
export const INDEX_RECORD_SIZE = 32;
/** Bytes of an index record covered by its CRC. */
export const INDEX_CRC_SPAN = 28;
/** Counted per message on top of its MsgProto size: record header + index record (Go's msgRecordOverhead, 40). */
export const MSG_RECORD_OVERHEAD = RECORD_HEADER_SIZE + INDEX_RECORD_SIZE;
/** Largest payload of a typed record: the size has 24 bits. */
export const MAX_TYPED_RECORD_SIZE = 0xff_ffff;
/** Go's crc32.IEEE, the default --file_crc_poly. */
export const CRC_POLY_IEEE = 0xedb8_8320;

export const SERVER_FILE = 'server.dat';
export const CLIENTS_FILE = 'clients.dat';
export const SUBS_FILE = 'subs.dat';
/** The datastore's OS lock, the Go server's (fcntl on the whole file; our pid inside, as a courtesy). */
export const LOCK_FILE = '.rootdir.lck';
/** The pid-file lock of a process without the addon (lock.ts). */
export const PID_LOCK_FILE = '.pid.lck';
/** Witness of a start with --file_truncate_bad_eof (§5.7). */
export const TRUNCATE_WITNESS = '.truncate.lck';

/** clients.dat record types. */
export const ClientRec = { ADD: 1, DELETE: 2 } as const;
/** subs.dat record types (§5.5). */
export const SubRec = { NEW: 1, UPDATE: 2, DELETE: 3, ACK: 4, MSG: 5 } as const;

export const sliceDatName = (n: number): string => `msgs.${n}.dat`;
export const sliceIdxName = (n: number): string => `msgs.${n}.idx`;

/** The version header as written at the start of a new file. */
export function versionHeader(): Buffer {
  const b = Buffer.allocUnsafe(VERSION_SIZE);
  b.writeUInt32LE(FILE_VERSION, 0);
  return b;
}

/** The error for a bad version header (the Go server's texts). */
export function checkVersion(head: Buffer, got: number): string | undefined {
  if (got < VERSION_SIZE) return 'unable to verify file version: EOF';
  const v = head.readUInt32LE(0);
  if (v === 0 || v > FILE_VERSION) return `unsupported file version: ${v} (supports [1..${FILE_VERSION}])`;
  return undefined;
}

/** CRC-32 with the store's polynomial, computed by the Rust core. */
export class Crc {
  constructor(readonly poly: number) {}

  of(buf: Uint8Array, start: number, end: number): number {
    return core().crc32(buf.subarray(start, end), 0, this.poly);
  }
}

/**
 * Writes the record header for the payload already at out[at+8, at+8+size):
 * size word (with `type` in the high byte when non-zero) and CRC.
 */
export function sealRecord(out: Buffer, at: number, size: number, type: number, crc: Crc): void {
  out.writeUInt32LE(sizeWord(size, type), at);
  const start = at + RECORD_HEADER_SIZE;
  out.writeUInt32LE(crc.of(out, start, start + size), at + 4);
}

/** A record header's first word: the payload size, with `type` in the high byte when non-zero. */
function sizeWord(size: number, type: number): number {
  return type === 0 ? size : ((type << 24) | size) >>> 0;
}

/** A decoded index record. */
export interface IndexEntry {
  seq: number;
  offset: number;
  timestamp: bigint;
  size: number;
}

// An int64 as two uint32 halves without BigInt arithmetic (Buffer's
// writeBigInt64LE does BigInt math per call; this is a typed-array store).
const i64 = new BigInt64Array(1);
const i64w = new Uint32Array(i64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** Writes an index record (with its CRC) at out[at]. */
export function writeIndexRecord(out: Buffer, at: number, seq: number, offset: number, ts: bigint, size: number, crc: Crc): void {
  writeIndexFields(out, at, seq, offset, ts, size);
  out.writeUInt32LE(crc.of(out, at, at + INDEX_CRC_SPAN), at + INDEX_CRC_SPAN);
}

function writeIndexFields(out: Buffer, at: number, seq: number, offset: number, ts: bigint, size: number): void {
  writeU64(out, at, seq);
  writeU64(out, at + 8, offset);
  i64[0] = ts;
  out.writeUInt32LE(i64w[LO]!, at + 16);
  out.writeUInt32LE(i64w[1 - LO]!, at + 20);
  out.writeUInt32LE(size, at + 24);
}

/** Why an index record cannot be used, or undefined if it is fine. */
export function indexRecordProblem(buf: Buffer, at: number, crc: Crc | undefined): string | undefined {
  if (crc !== undefined) {
    const want = buf.readUInt32LE(at + INDEX_CRC_SPAN);
    const got = crc.of(buf, at, at + INDEX_CRC_SPAN);
    if (want !== got) return `corrupted index record, expected crc to be ${hex(want)}, got ${hex(got)}`;
  }
  return undefined;
}

export function readIndexRecord(buf: Buffer, at: number): IndexEntry {
  return {
    seq: readU64(buf, at),
    offset: readU64(buf, at + 8),
    timestamp: readI64(buf, at + 16),
    size: buf.readUInt32LE(at + 24),
  };
}

/** True if the 32 bytes at `at` are all zero (a zero-filled tail, §5.7). */
export function isZeroIndexRecord(buf: Buffer, at: number): boolean {
  for (let i = 0; i < INDEX_RECORD_SIZE; i++) if (buf[at + i] !== 0) return false;
  return true;
}

/** int64 LE as a bigint, through the typed-array alias. */
export function readI64(buf: Buffer, at: number): bigint {
  i64w[LO] = buf.readUInt32LE(at);
  i64w[1 - LO] = buf.readUInt32LE(at + 4);
  return i64[0]!;
}

/** uint64 LE as a JS number (exact below 2^53, as sequences and offsets are). */
export function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}

export function writeU64(buf: Buffer, at: number, v: number): void {
  buf.writeUInt32LE(v >>> 0, at);
  buf.writeUInt32LE(Math.floor(v / 0x1_0000_0000) >>> 0, at + 4);
}

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * As sealRecord for a record appended to `f` at f.buf[at]: the size word
 * now, the CRC owed until the batch is written (AppendFile.sealLater).
 */
export function sealRecordLater(f: AppendFile, at: number, size: number, type: number, crc: Crc): void {
  f.buf.writeUInt32LE(sizeWord(size, type), at);
  const start = at + RECORD_HEADER_SIZE;
  f.sealLater(at + 4, start, start + size, crc.poly);
}

/** As writeIndexRecord for a record appended to `f` at f.buf[at], its CRC owed (AppendFile.sealLater). */
export function appendIndexRecord(f: AppendFile, at: number, seq: number, offset: number, ts: bigint, size: number, crc: Crc): void {
  const out = f.buf;
  writeIndexFields(out, at, seq, offset, ts, size);
  f.sealLater(at + INDEX_CRC_SPAN, at, at + INDEX_CRC_SPAN, crc.poly);
}

// ---------- the per-message subs.dat payloads, written by hand ----------
/** Size of SubStateUpdate{ID, seqno} (also SubStateDelete{ID} with seq 0): proto3, zeros omitted. */
export function subUpdateSize(id: number, seq: number): number {
  return (id === 0 ? 0 : 1 + varintSize(id)) + (seq === 0 ? 0 : 1 + varintSize(seq));
}

/** Writes SubStateUpdate{ID=1, seqno=2} (or SubStateDelete{ID} when seq is 0) at out[p]. */
export function writeSubUpdate(out: Buffer, p: number, id: number, seq: number): number {
  if (id !== 0) {
    out[p++] = 0x08;
    p = writeVarint(out, p, id);
  }
  if (seq !== 0) {
    out[p++] = 0x10;
    p = writeVarint(out, p, seq);
  }
  return p;
}
