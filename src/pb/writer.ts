// The encode side of the protobuf wire format, shared by the generated
// codecs (protocol.ts, spb.ts), the hand-written hot paths (hot.ts) and the
// file store's small records: sizes and writers of varints, UTF-8 strings
// and bytes, and the checks that turn a JS value into its wire value
// (number or bigint for 64-bit integers, lone surrogates as U+FFFD).
// Encoders size the output first, allocate once, then write; writers take
// and return the write offset, so nothing here holds state.

const TWO_32 = 4294967296;
/** Below this many UTF-16 units, counting and copying in JS beats the native calls. */
const JS_STRING_MAX = 64;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

interface BufferWrite {
  utf8Write(s: string, at: number, len: number): number;
}

interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Bytes of a varint of a non-negative number below 2^53. */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < TWO_32) return 5;
  return varint64Size(Math.floor(v / TWO_32), v >>> 0);
}

/** Bytes of a 64-bit varint given as unsigned 32-bit halves. */
export function varint64Size(hi: number, lo: number): number {
  if (hi === 0) return varintSize(lo);
  // 32 bits of lo plus the significant bits of hi, 7 per byte, rounded up.
  return ((64 - Math.clz32(hi) + 6) / 7) | 0;
}

/** Writes a varint of a non-negative number below 2^53; returns the end offset. */
export function writeVarint(out: Uint8Array, p: number, v: number): number {
  if (v >= TWO_32) return writeVarint64(out, p, Math.floor(v / TWO_32), v >>> 0);
  while (v > 0x7f) {
    out[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[p++] = v;
  return p;
}

/** Writes a 64-bit varint given as unsigned 32-bit halves; returns the end offset. */
export function writeVarint64(out: Uint8Array, p: number, hi: number, lo: number): number {
  while (hi !== 0) {
    out[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 0x7f) {
    out[p++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  out[p++] = lo;
  return p;
}

/**
 * UTF-8 length of s as Buffer encodes it (a lone surrogate becomes U+FFFD,
 * 3 bytes). Equal to s.length exactly when s is ASCII.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > JS_STRING_MAX) return Buffer.byteLength(s, 'utf8');
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c < 0xd800 || c > 0xdbff || i + 1 === n || (s.charCodeAt(i + 1) & 0xfc00) !== 0xdc00) len += 2;
    else {
      i++; // a surrogate pair: 2 units, 4 bytes
      len += 2;
    }
  }
  return len;
}

/** Writes s, whose utf8Length is byteLen, at p; returns the end offset. */
export function writeUtf8(out: Buffer, p: number, s: string, byteLen: number): number {
  if (byteLen === s.length && byteLen <= JS_STRING_MAX) {
    for (let i = 0; i < byteLen; i++) out[p + i] = s.charCodeAt(i);
    return p + byteLen;
  }
  // Short of room, utf8Write writes less; the end offset then passes
  // out.length, which the encoders check.
  (out as unknown as BufferWrite).utf8Write(s, p, byteLen);
  return p + byteLen;
}

/** Copies bytes to out at p; returns the end offset. Short copies loop in JS. */
export function writeBytes(out: Uint8Array, p: number, b: Uint8Array): number {
  const n = b.length;
  if (n <= 16) {
    for (let i = 0; i < n; i++) out[p + i] = b[i]!;
  } else {
    out.set(b, p);
  }
  return p + n;
}

/** Writes a length prefix and the bytes; returns the end offset. */
export function writeLenBytes(out: Uint8Array, p: number, b: Uint8Array): number {
  return writeBytes(out, writeVarint(out, p, b.length), b);
}

/** Bytes of a length-delimited field of n bytes after a tag of tagSize bytes; 0 when empty. */
export function lenFieldSize(tagSize: number, n: number): number {
  return n === 0 ? 0 : tagSize + varintSize(n) + n;
}

/**
 * Bytes of a one-byte-tag string or bytes field (0 when empty); a string
 * may come pre-encoded as its UTF-8 bytes.
 */
export function stringFieldSize(v: string | Uint8Array): number {
  const n = typeof v === 'string' ? (v.length === 0 ? 0 : utf8Length(v)) : v.length;
  return n === 0 ? 0 : 1 + varintSize(n) + n;
}

/** Short ASCII strings take one pass: characters first, then their 1-byte length. */
const ONE_PASS_MAX = 0x7f;

/** Writes a one-byte-tag string or bytes field (nothing when empty); returns the end offset. */
export function writeStringField(out: Buffer, p: number, tag: number, v: string | Uint8Array): number {
  const n = v.length;
  if (n === 0) return p;
  out[p++] = tag;
  if (typeof v !== 'string') return writeBytes(out, writeVarint(out, p, n), v);
  if (n <= ONE_PASS_MAX) {
    let i = 0;
    for (; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) break;
      out[p + 1 + i] = c;
    }
    if (i === n) {
      out[p] = n;
      return p + 1 + n;
    }
  }
  const len = utf8Length(v);
  return writeUtf8(out, writeVarint(out, p, len), v, len);
}

/** end, or a RangeError naming `what` if out is shorter (encoders into the caller's buffer). */
export function checkEnd(out: Uint8Array, end: number, what: string): number {
  if (end > out.length) throw new RangeError(`${what}: needs ${end} bytes, the buffer has ${out.length}`);
  return end;
}

// ---------------------------------------------------------------------------
// Encode-side values: what the JS value of a field puts on the wire.

/** A string field's value, '' when absent, lone surrogates replaced as Buffer writes them. */
export function stringValue(v: string | null | undefined): string {
  if (v == null || v.length === 0) return '';
  const s = v as unknown as WellFormed;
  return s.isWellFormed() ? v : s.toWellFormed();
}

/** A bytes field's value, empty when absent. */
export function bytesValue(v: Uint8Array | null | undefined): Uint8Array {
  return v ?? EMPTY;
}

const EMPTY = new Uint8Array(0);

/**
 * A 64-bit integer's wire value: the number itself when it is a safe
 * non-negative integer (the common case), else its unsigned 64-bit two's
 * complement as a bigint. Checked against the field's range.
 */
export type Long = number | bigint;

function toBigInt(v: unknown, where: string, field: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(`${where}: ${field} must be an integer number or bigint, got ${typeof v}`);
}

function longOf(b: bigint): Long {
  return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= 0n ? Number(b) : BigInt.asUintN(64, b);
}

export function uint64Value(v: number | bigint | null | undefined, where: string, field: string): Long {
  if (v == null) return 0;
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return v;
  const b = toBigInt(v, where, field);
  if (b < 0n || b > UINT64_MAX) throw new RangeError(`${where}: ${field} = ${b} is out of range`);
  return longOf(b);
}

export function int64Value(v: number | bigint | null | undefined, where: string, field: string): Long {
  if (v == null) return 0;
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return v;
  const b = toBigInt(v, where, field);
  if (b < INT64_MIN || b > INT64_MAX) throw new RangeError(`${where}: ${field} = ${b} is out of range`);
  return longOf(b);
}

export function longSize(x: Long): number {
  return typeof x === 'number' ? varintSize(x) : varint64Size(Number(x >> 32n), Number(x & 0xffffffffn));
}

export function writeLong(out: Uint8Array, p: number, x: Long): number {
  return typeof x === 'number' ? writeVarint(out, p, x) : writeVarint64(out, p, Number(x >> 32n), Number(x & 0xffffffffn));
}

function checkInteger(v: unknown, where: string, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${where}: ${field} must be an integer, got ${typeof v}`);
  }
  return v;
}

/** int32 and enums: as a signed 32-bit number (negative ones take 10 bytes on the wire). */
export function int32Value(v: number | null | undefined, where: string, field: string): number {
  return v == null ? 0 : checkInteger(v, where, field) | 0;
}

export function uint32Value(v: number | null | undefined, where: string, field: string): number {
  return v == null ? 0 : checkInteger(v, where, field) >>> 0;
}

export function int32Size(x: number): number {
  return x < 0 ? 10 : varintSize(x);
}

/** Writes an int32 as Go does: negative values sign-extended to 64 bits. */
export function writeInt32(out: Uint8Array, p: number, x: number): number {
  return x < 0 ? writeVarint64(out, p, 0xffffffff, x >>> 0) : writeVarint(out, p, x);
}
