// A schema-free protobuf reader for the pb tests: bytes -> (field number,
// wire type, raw value) in wire order, written with BigInt and no shared
// code with src/pb, so a wrong field number or varint in the
// codecs cannot hide behind the same mistake here.

export interface WireField {
  field: number;
  wireType: number;
  /** Varint and fixed values as unsigned 64-bit; LEN payloads as bytes. */
  value: bigint | Uint8Array;
  /** Offset of the tag, and offset just past the value. */
  start: number;
  end: number;
}

function varint(buf: Uint8Array, at: { p: number }): bigint {
  let v = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (at.p >= buf.length) throw new Error('wire-reader: truncated varint');
    const b = buf[at.p++]!;
    v |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return BigInt.asUintN(64, v);
    if (shift > 63n) throw new Error('wire-reader: varint too long');
  }
}

function fixed(buf: Uint8Array, at: { p: number }, n: number): bigint {
  if (at.p + n > buf.length) throw new Error('wire-reader: truncated fixed');
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[at.p + i]!);
  at.p += n;
  return v;
}

/** Every top-level field of buf, in order. Groups are not expected here. */
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  const at = { p: 0 };
  while (at.p < buf.length) {
    const start = at.p;
    const tag = varint(buf, at);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    let value: bigint | Uint8Array;
    switch (wireType) {
      case 0:
        value = varint(buf, at);
        break;
      case 1:
        value = fixed(buf, at, 8);
        break;
      case 2: {
        const n = Number(varint(buf, at));
        if (at.p + n > buf.length) throw new Error('wire-reader: length past end');
        value = buf.subarray(at.p, at.p + n);
        at.p += n;
        break;
      }
      case 5:
        value = fixed(buf, at, 4);
        break;
      default:
        throw new Error(`wire-reader: wire type ${wireType}`);
    }
    out.push({ field, wireType, value, start, end: at.p });
  }
  return out;
}

/** Packed varints (a repeated scalar's LEN payload). */
export function readPacked(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  const at = { p: 0 };
  while (at.p < buf.length) out.push(varint(buf, at));
  return out;
}

/** Encodes one tag or varint, for building inputs by hand. */
export function varintBytes(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

export function tagBytes(field: number, wireType: number): number[] {
  return varintBytes((BigInt(field) << 3n) | BigInt(wireType));
}

/** Unknown fields of every wire type (groups nested), to append to a message. */
export function unknownFields(): Buffer {
  return Buffer.from([
    ...tagBytes(15, 0), ...varintBytes(-1),
    ...tagBytes(16, 1), 1, 2, 3, 4, 5, 6, 7, 8,
    ...tagBytes(17, 2), 3, 0x61, 0x62, 0x63,
    ...tagBytes(18, 5), 1, 2, 3, 4,
    ...tagBytes(19, 3), ...tagBytes(1, 0), 5, ...tagBytes(2, 3), ...tagBytes(3, 2), 0, ...tagBytes(2, 4), ...tagBytes(19, 4),
    ...tagBytes(536870911, 0), 1,
  ]);
}

/** Buffers/Uint8Arrays as hex, recursively, so deep equality ignores the array class. */
export function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return `hex:${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}
