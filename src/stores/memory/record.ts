// The record a MEMORY store keeps per message in its arena (arena.ts), and
// the MsgProto built from it. A record holds only what differs from one
// message to the next:
//
//   length     1 byte: a payload of 0..239 bytes kept as is (compact); or
//              COMPACT_LONG or FULL, then the payload's length as a varint
//   timestamp  varint code, relative to the previous message's (a block's
//              first message: to the block's base, its own timestamp)
//   compact:   the payload's bytes (payloads under FULL_MIN)
//   full:      varint length, then the MsgProto (payloads of FULL_MIN and
//              more, delivered as they are, without a copy)
//
// The sequence (from the position), the channel name (the store's) and a
// reply (rare: a Map of the store) are not repeated per message, so a
// 128-byte message stamped a few microseconds after the previous one costs
// 130 bytes instead of its ~150-byte MsgProto plus slots. Payloads over
// LARGE_PAYLOAD keep their MsgProto outside the arena (the record then
// ends after the timestamp code).
//
// Timestamp code: zigzag(delta) * 4 + (ns ? 2 : 0), where delta is the
// timestamp minus the reference, in microseconds when it divides evenly
// (the streaming layer stamps whole microseconds) else in nanoseconds; 1
// when the delta is out of range, followed by the timestamp's 8 bytes
// (low word, high word, little-endian).

import { LARGE_PAYLOAD } from './arena.js';
import { varint64Size, varintSize, writeBytes, writeVarint, writeVarint64 } from '../../pb/writer.js';

/** Payloads of at least this many bytes are stored as their MsgProto. */
export const FULL_MIN = 1024;
/** First length bytes: below COMPACT_LONG, the length of a compact payload. */
const COMPACT_LONG = 0xf0;
const FULL = 0xf1;
/** Largest |delta| coded against the reference; beyond, the 8 bytes. */
const MAX_DELTA = 2 ** 48;
const TWO_32 = 2 ** 32;
const ESCAPE = 1;

const TAG_SEQUENCE = 0x08;
const TAG_SUBJECT = 0x12;
const TAG_REPLY = 0x1a;
const TAG_DATA = 0x22;
const TAG_TIMESTAMP = 0x28;

const i64 = new BigInt64Array(1);
const i64w = new Uint32Array(i64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/**
 * First value of every field that holds a timestamp's low word: -0, a
 * number V8 keeps as a double (it equals 0 everywhere else). The low word
 * reaches 2^32, past V8's small integers (2^30): a field first given a
 * small integer becomes a double field at the first large value, which
 * deprecates the map of its objects (the message store's among them) and
 * deoptimizes every function compiled against it. On a fresh server whose
 * first messages came while the low word was below 2^31 (half of each
 * 4.3 s), that was ~12 more deopts and their recompiles within the first
 * 100k messages (Go stan-bench 1:1 started at a chosen clock phase).
 */
export const LO_INIT = -0;

/** A timestamp as unsigned 32-bit halves (two's complement). */
export interface Ts {
  hi: number;
  lo: number;
}

/** Splits a timestamp into `out`. */
export function splitTs(ts: bigint, out: Ts): void {
  i64[0] = ts;
  out.hi = i64w[HI]!;
  out.lo = i64w[LO]!;
}

export function joinTs(hi: number, lo: number): bigint {
  i64w[HI] = hi;
  i64w[LO] = lo;
  return i64[0]!;
}

/** Bytes of a MsgProto timestamp field (none for 0). */
export function tsFieldSize(hi: number, lo: number): number {
  return (hi | lo) === 0 ? 0 : 1 + varint64Size(hi, lo);
}

/** The timestamp code of `ts` against the reference; ESCAPE when out of range. */
export function tsCode(ts: Ts, ref: Ts): number {
  // Exact while the high words are close; far apart, it is far past MAX_DELTA anyway.
  const delta = ((ts.hi | 0) - (ref.hi | 0)) * TWO_32 + (ts.lo - ref.lo);
  if (!(delta > -MAX_DELTA && delta < MAX_DELTA)) return ESCAPE;
  const us = delta / 1000;
  if (Number.isInteger(us)) return zigzag(us) * 4;
  return zigzag(delta) * 4 + 2;
}

export function tsCodeSize(code: number): number {
  return code === ESCAPE ? 9 : varintSize(code);
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Writes the code (and, escaped, the timestamp); returns the end. */
export function writeTsCode(out: Uint8Array, p: number, code: number, ts: Ts): number {
  p = writeVarint(out, p, code);
  if (code !== ESCAPE) return p;
  writeU32(out, p, ts.lo);
  writeU32(out, p + 4, ts.hi);
  return p + 8;
}

function writeU32(out: Uint8Array, p: number, v: number): void {
  out[p] = v & 0xff;
  out[p + 1] = (v >>> 8) & 0xff;
  out[p + 2] = (v >>> 16) & 0xff;
  out[p + 3] = v >>> 24;
}

function readU32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/**
 * A decoded record header (readRecord fills one in place: no allocation
 * per message on the delivery path).
 */
export class RecordView {
  dataLen = 0;
  full = false;
  /** The timestamp. */
  hi = 0;
  lo = LO_INIT;
  /** Where the data starts (compact) or the MsgProto starts (full). */
  body = 0;
  /** The MsgProto's length (full records). */
  protoLen = 0;
  /** Offset just past the record. */
  next = 0;
}

/**
 * Decodes the record at buf[p] into `r`, its timestamp against the
 * reference (the previous message's, or the block's base).
 * A full record of a payload over LARGE_PAYLOAD ends after the timestamp
 * code: its MsgProto is kept outside the arena.
 */
export function readRecord(buf: Uint8Array, p: number, refHi: number, refLo: number, r: RecordView): void {
  const b = buf[p]!;
  if (b < COMPACT_LONG) {
    r.full = false;
    r.dataLen = b;
    p++;
  } else {
    r.full = b === FULL;
    r.dataLen = readVarint(buf, p + 1);
    p = varintEnd;
  }
  const v = readVarint(buf, p);
  p = varintEnd;
  if (v === ESCAPE) {
    r.lo = readU32(buf, p);
    r.hi = readU32(buf, p + 4);
    p += 8;
  } else {
    let delta: number;
    if (v < 0x40000000) {
      const n = v >>> 2;
      delta = (n >>> 1) ^ -(n & 1);
    } else {
      const n = Math.floor(v / 4);
      delta = n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    const total = refLo + ((v & 2) === 0 ? delta * 1000 : delta);
    if (total >= 0 && total < TWO_32) {
      r.lo = total;
      r.hi = refHi;
    } else {
      const carry = Math.floor(total / TWO_32);
      r.lo = total - carry * TWO_32;
      r.hi = (refHi + carry) >>> 0;
    }
  }
  if (r.full && r.dataLen > LARGE_PAYLOAD) {
    r.body = p;
    r.protoLen = 0;
    r.next = p;
  } else if (r.full) {
    r.protoLen = readVarint(buf, p);
    r.body = varintEnd;
    r.next = r.body + r.protoLen;
  } else {
    r.body = p;
    r.protoLen = 0;
    r.next = p + r.dataLen;
  }
}

/** End of the last varint read by readVarint. */
let varintEnd = 0;

/** A varint below 2^53 at b[p]; sets varintEnd. */
function readVarint(b: Uint8Array, p: number): number {
  // One and two bytes (lengths below 8 KiB, codes of close timestamps) first.
  const x = b[p]!;
  if (x < 0x80) {
    varintEnd = p + 1;
    return x;
  }
  const y = b[p + 1]!;
  if (y < 0x80) {
    varintEnd = p + 2;
    return (x & 0x7f) | (y << 7);
  }
  let v = (x & 0x7f) | ((y & 0x7f) << 7);
  let mul = 0x4000;
  p += 2;
  for (;;) {
    const c = b[p++]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) break;
    mul *= 0x80;
  }
  varintEnd = p;
  return v;
}

/** Size of the record header (length and timestamp code) of a payload. */
export function headerSize(dataLen: number, full: boolean, code: number): number {
  return (full || dataLen >= COMPACT_LONG ? 1 + varintSize(dataLen) : 1) + tsCodeSize(code);
}

/** Writes the record header; returns the end. */
export function writeHeader(out: Uint8Array, p: number, dataLen: number, full: boolean, code: number, ts: Ts): number {
  if (!full && dataLen < COMPACT_LONG) {
    out[p++] = dataLen;
  } else {
    out[p++] = full ? FULL : COMPACT_LONG;
    p = writeVarint(out, p, dataLen);
  }
  return writeTsCode(out, p, code, ts);
}

/** Size of the MsgProto {seq, subject, reply, data, timestamp} of a message. */
export function msgProtoLength(seq: number, subjectLen: number, replyLen: number, dataLen: number, hi: number, lo: number): number {
  return (
    1 +
    varintSize(seq) +
    lenFieldSize(subjectLen) +
    lenFieldSize(replyLen) +
    lenFieldSize(dataLen) +
    tsFieldSize(hi, lo)
  );
}

function lenFieldSize(n: number): number {
  return n === 0 ? 0 : 1 + varintSize(n) + n;
}

/**
 * Writes a MsgProto of a compact record: out[p..] gets the fields up to
 * the data's length (the caller copies the data next), returns the end;
 * writeTsField follows the data.
 */
export function writeProtoHead(out: Uint8Array, p: number, seq: number, subject: Uint8Array, reply: Uint8Array, dataLen: number): number {
  out[p++] = TAG_SEQUENCE;
  p = writeVarint(out, p, seq);
  p = writeLenField(out, p, TAG_SUBJECT, subject);
  p = writeLenField(out, p, TAG_REPLY, reply);
  if (dataLen !== 0) {
    out[p++] = TAG_DATA;
    p = writeVarint(out, p, dataLen);
  }
  return p;
}

export function writeTsField(out: Uint8Array, p: number, hi: number, lo: number): number {
  if ((hi | lo) === 0) return p;
  out[p++] = TAG_TIMESTAMP;
  return writeVarint64(out, p, hi, lo);
}

function writeLenField(out: Uint8Array, p: number, tag: number, v: Uint8Array): number {
  const n = v.length;
  if (n === 0) return p;
  out[p++] = tag;
  return writeBytes(out, writeVarint(out, p, n), v);
}
