// MsgProto (STAN-REFERENCE §3.1) encoded by protobufjs, proto3 style
// (default values left out): the reference the memory store's byte
// accounting and its encoded() records are checked against.

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// The .proto our codecs are generated from (dist/test/stores -> src/pb/pb).
const PROTO = fileURLToPath(new URL('../../../src/pb/pb/protocol.proto', import.meta.url));
const MsgProto = protobuf.loadSync(PROTO).lookupType('pb.MsgProto');

/** The fields a stored message has, encoded. */
export function msgProtoOf(seq: number, subject: string, reply: string, data: Uint8Array, ts: bigint): Buffer {
  const m: Record<string, unknown> = {};
  if (seq !== 0) m.sequence = seq;
  if (subject !== '') m.subject = subject;
  if (reply !== '') m.reply = reply;
  if (data.length > 0) m.data = data;
  if (ts !== 0n) m.timestamp = { low: Number(ts & 0xffff_ffffn) | 0, high: Number((ts >> 32n) & 0xffff_ffffn) | 0 };
  return Buffer.from(MsgProto.encode(MsgProto.fromObject(m)).finish());
}
