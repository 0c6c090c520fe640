// Hand-written codecs of the per-message protocol buffers (STAN-REFERENCE
// §3.1), kept where they beat the generated ones of protocol.ts in
// bench/pb.ts (`npm run bench -- pb`, per CPU-second): PubMsg in (~1.1x:
// client IDs and channels interned, sha256 skipped), Ack in (~1.15x:
// interned subject), MsgProto in (~1.1x: interned subject) and out (~2x:
// positional arguments, into the caller's buffer). The generated PubAck
// encoder won (hand 0.90-0.99x), so the server uses it. Output is
// byte-identical to protobufjs's (reflect.ts, held so by
// test/pb/hot.test.ts); input with unknown fields is read like protobufjs
// and gogo read it. Malformed input throws ProtoError.
//
// Numbers: uint64 sequences are JS numbers (exact below 2^53); the int64
// timestamp is a bigint of Unix nanoseconds, moved out through a
// BigInt64Array aliased by a Uint32Array, so no BigInt arithmetic runs.
//
// Decoded bytes fields are views into the input: copy them to keep them
// past the life of the input buffer. Decoded strings are copies.

import { EMPTY_BYTES, ProtoError, Reader, checkRange } from './wire.js';
import { checkEnd, stringFieldSize, varint64Size, varintSize, writeBytes, writeStringField, writeVarint, writeVarint64 } from './writer.js';

export { ProtoError };

/** Tags (field number << 3 | wire type) of the fields handled here. */
const Tag = {
  PUBMSG_CLIENT_ID: 0x0a,
  PUBMSG_GUID: 0x12,
  PUBMSG_SUBJECT: 0x1a,
  PUBMSG_REPLY: 0x22,
  PUBMSG_DATA: 0x2a,
  PUBMSG_CONN_ID: 0x32,
  PUBMSG_SHA256: 0x52,
  MSG_SEQUENCE: 0x08,
  MSG_SUBJECT: 0x12,
  MSG_REPLY: 0x1a,
  MSG_DATA: 0x22,
  MSG_TIMESTAMP: 0x28,
  MSG_REDELIVERED: 0x30,
  MSG_REDELIVERY_COUNT: 0x38,
  MSG_CRC32: 0x50,
  ACK_SUBJECT: 0x0a,
  ACK_SEQUENCE: 0x10,
} as const;

/** The field numbers each message knows (a wrong wire type there is an error). */
const PUBMSG_FIELDS: readonly number[] = [1, 2, 3, 4, 5, 6, 10];
const MSGPROTO_FIELDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 10];
const ACK_FIELDS: readonly number[] = [1, 2];

// The timestamp's 64 bits as two uint32 halves without BigInt arithmetic.
const i64 = new BigInt64Array(1);
const i64w = new Uint32Array(i64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

/** PubMsg as the publish handler needs it. */
export interface PubMsgView {
  clientID: string;
  guid: string;
  /** The channel (not the NATS subject the PubMsg came on). */
  subject: string;
  reply: string;
  /** View into the input buffer. */
  data: Uint8Array;
  /** View into the input buffer; empty when absent. */
  connID: Uint8Array;
}

/** Ack as the ack handler needs it. */
export interface AckView {
  subject: string;
  sequence: number;
}

/** MsgProto as stored or delivered. */
export interface MsgProtoView {
  sequence: number;
  subject: string;
  reply: string;
  /** View into the input buffer. */
  data: Uint8Array;
  /** Unix nanoseconds. */
  timestamp: bigint;
  redelivered: boolean;
  redeliveryCount: number;
  CRC32: number;
}

/** Decodes a PubMsg from buf[off, off+len); sha256 and unknown fields are skipped. */
export function decodePubMsg(buf: Uint8Array, off = 0, len = buf.length - off): PubMsgView {
  const end = checkRange(buf, off, len);
  const r = new Reader(buf, off);
  let clientID = '';
  let guid = '';
  let subject = '';
  let reply = '';
  let data: Uint8Array = EMPTY_BYTES;
  let connID: Uint8Array = EMPTY_BYTES;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case Tag.PUBMSG_CLIENT_ID:
        clientID = r.interned(end);
        break;
      case Tag.PUBMSG_GUID:
        guid = r.string(end); // unique per publish: never interned
        break;
      case Tag.PUBMSG_SUBJECT:
        subject = r.interned(end);
        break;
      case Tag.PUBMSG_REPLY:
        reply = r.string(end);
        break;
      case Tag.PUBMSG_DATA:
        data = r.bytes(end);
        break;
      case Tag.PUBMSG_CONN_ID:
        connID = r.bytes(end);
        break;
      case Tag.PUBMSG_SHA256:
        r.skip(tag, end);
        break;
      default:
        r.skipUnknown(tag, end, PUBMSG_FIELDS);
    }
  }
  return { clientID, guid, subject, reply, data, connID };
}

/** Decodes an Ack; unknown fields are skipped. */
export function decodeAck(buf: Uint8Array, off = 0, len = buf.length - off): AckView {
  const end = checkRange(buf, off, len);
  const r = new Reader(buf, off);
  let subject = '';
  let sequence = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case Tag.ACK_SUBJECT:
        subject = r.interned(end);
        break;
      case Tag.ACK_SEQUENCE:
        sequence = r.varint(end);
        break;
      default:
        r.skipUnknown(tag, end, ACK_FIELDS);
    }
  }
  return { subject, sequence };
}

/** Decodes a MsgProto (a stored record or a delivered message); unknown fields are skipped. */
export function decodeMsgProto(buf: Uint8Array, off = 0, len = buf.length - off): MsgProtoView {
  const end = checkRange(buf, off, len);
  const r = new Reader(buf, off);
  let sequence = 0;
  let subject = '';
  let reply = '';
  let data: Uint8Array = EMPTY_BYTES;
  let timestamp = 0n;
  let redelivered = false;
  let redeliveryCount = 0;
  let crc = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case Tag.MSG_SEQUENCE:
        sequence = r.varint(end);
        break;
      case Tag.MSG_SUBJECT:
        subject = r.interned(end);
        break;
      case Tag.MSG_REPLY:
        reply = r.string(end);
        break;
      case Tag.MSG_DATA:
        data = r.bytes(end);
        break;
      case Tag.MSG_TIMESTAMP:
        timestamp = r.int64(end);
        break;
      case Tag.MSG_REDELIVERED:
        redelivered = r.bool(end);
        break;
      case Tag.MSG_REDELIVERY_COUNT:
        redeliveryCount = r.uint32(end);
        break;
      case Tag.MSG_CRC32:
        crc = r.uint32(end);
        break;
      default:
        r.skipUnknown(tag, end, MSGPROTO_FIELDS);
    }
  }
  return { sequence, subject, reply, data, timestamp, redelivered, redeliveryCount, CRC32: crc };
}

/**
 * Encoded size of a MsgProto. subject and reply may be pre-encoded UTF-8;
 * seq is a non-negative integer below 2^53, timestampNs an int64.
 */
export function msgProtoSize(
  seq: number,
  subject: string | Uint8Array,
  reply: string | Uint8Array,
  data: Uint8Array,
  timestampNs: bigint,
  redelivered: boolean,
  redeliveryCount: number,
): number {
  let n = seq === 0 ? 0 : 1 + varintSize(seq);
  n += stringFieldSize(subject) + stringFieldSize(reply);
  if (data.length !== 0) n += 1 + varintSize(data.length) + data.length;
  i64[0] = timestampNs;
  const hi = i64w[HI]!;
  const lo = i64w[LO]!;
  if ((hi | lo) !== 0) n += 1 + varint64Size(hi, lo);
  if (redelivered) n += 2;
  if (redeliveryCount !== 0) n += 1 + varintSize(redeliveryCount >>> 0);
  return n;
}

/**
 * Writes a MsgProto at out[at] (size it with msgProtoSize); returns the end
 * offset. Throws RangeError if out is too small. CRC32 is never set.
 */
export function encodeMsgProto(
  out: Buffer,
  at: number,
  seq: number,
  subject: string | Uint8Array,
  reply: string | Uint8Array,
  data: Uint8Array,
  timestampNs: bigint,
  redelivered: boolean,
  redeliveryCount: number,
): number {
  let p = at;
  if (seq !== 0) {
    out[p++] = Tag.MSG_SEQUENCE;
    p = writeVarint(out, p, seq);
  }
  p = writeStringField(out, p, Tag.MSG_SUBJECT, subject);
  p = writeStringField(out, p, Tag.MSG_REPLY, reply);
  const n = data.length;
  if (n !== 0) {
    out[p++] = Tag.MSG_DATA;
    p = writeVarint(out, p, n);
    if (p + n > out.length) return checkEnd(out, p + n, 'MsgProto');
    p = writeBytes(out, p, data);
  }
  i64[0] = timestampNs;
  const hi = i64w[HI]!;
  const lo = i64w[LO]!;
  if ((hi | lo) !== 0) {
    out[p++] = Tag.MSG_TIMESTAMP;
    p = writeVarint64(out, p, hi, lo);
  }
  if (redelivered) {
    out[p++] = Tag.MSG_REDELIVERED;
    out[p++] = 1;
  }
  if (redeliveryCount !== 0) {
    out[p++] = Tag.MSG_REDELIVERY_COUNT;
    p = writeVarint(out, p, redeliveryCount >>> 0);
  }
  return checkEnd(out, p, 'MsgProto');
}
