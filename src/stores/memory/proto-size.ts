// The encoded size of a stored pb.MsgProto (STAN-REFERENCE §3.1), computed
// without encoding it: the MEMORY store counts exactly this many bytes per
// message in its byte total and against max_bytes (§2.9), as the Go
// server's MsgProto.Size() does. proto3 rules: a field holding its default
// (0, "", empty bytes) is not written at all.

/** Field tags of MsgProto fields 1..5 all fit in one byte. */
const TAG_BYTES = 1;

/** Bytes of the varint encoding of `v`, a non-negative safe integer. */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x20_0000) return 3;
  if (v < 0x1000_0000) return 4;
  if (v < 2 ** 35) return 5;
  if (v < 2 ** 42) return 6;
  if (v < 2 ** 49) return 7;
  return 8; // safe integers stop at 2^53
}

// Checked from the top: real timestamps (~2^60 ns) answer at the first test.
const P56 = 1n << 56n;
const P49 = 1n << 49n;

/** Bytes of an int64 field's varint: negatives are 10 bytes (two's complement). */
export function int64VarintSize(v: bigint): number {
  if (v < 0n) return 10;
  if (v >= P56) return 9;
  if (v >= P49) return 8;
  return varintSize(Number(v));
}

/** Bytes of a length-delimited field carrying `len` bytes (0 when empty: omitted). */
function bytesFieldSize(len: number): number {
  return len === 0 ? 0 : TAG_BYTES + varintSize(len) + len;
}

/**
 * Size of MsgProto{sequence, subject, reply, data, timestamp} once encoded.
 * Lengths are in bytes (UTF-8 for the strings).
 */
export function msgProtoSize(
  sequence: number,
  subjectLen: number,
  replyLen: number,
  dataLen: number,
  timestamp: bigint,
): number {
  return (
    (sequence === 0 ? 0 : TAG_BYTES + varintSize(sequence)) +
    bytesFieldSize(subjectLen) +
    bytesFieldSize(replyLen) +
    bytesFieldSize(dataLen) +
    (timestamp === 0n ? 0 : TAG_BYTES + int64VarintSize(timestamp))
  );
}
