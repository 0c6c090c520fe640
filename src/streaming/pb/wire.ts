// Protobuf wire-format primitives for the hand-written hot-path codecs in
// fast.ts: varints (32- and 64-bit, no BigInt arithmetic), UTF-8 length and
// writing, string decoding with a small intern cache, and skipping of
// unknown fields. Standard protobuf encoding as gogo/protobuf produces it
// (STAN-REFERENCE §3): proto3, defaults omitted, unknown fields skipped.

/** Malformed protobuf input: truncated, overlong, or of the wrong shape. */
export class ProtoError extends Error {
  override name = 'ProtoError';
}

/** Protobuf wire types (the low 3 bits of a tag). */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

/** A varint never has more than 10 bytes (64 bits, 7 per byte). */
export const MAX_VARINT_LEN = 10;
/** Strings up to this many bytes go through the intern cache. */
export const INTERN_MAX_LEN = 64;
/** Slots of the direct-mapped intern cache (a power of two). */
export const INTERN_SLOTS = 256;
/** Below this many UTF-16 units, counting and copying in JS beats the native calls. */
const JS_STRING_MAX = 64;

const TWO_32 = 4294967296;

/** Shared empty value of absent bytes fields. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

// Buffer's own UTF-8 slice/write (what toString/write call after checking
// their arguments); protobufjs relies on them as well.
interface BufferFast {
  utf8Slice(start: number, end: number): string;
  utf8Write(s: string, at: number, len: number): number;
}

/** The input as a Buffer over the same memory (no copy), for the native string calls. */
export function asBuffer(buf: Uint8Array): Buffer {
  // Duck-typed: Buffer.isBuffer (instanceof) showed up in decode profiles.
  return (buf as Partial<BufferFast>).utf8Slice !== undefined
    ? (buf as Buffer)
    : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

// ---------------------------------------------------------------------------
// Reading. Decoders set `rp` and call the helpers below, which advance it.
// Module state instead of a cursor object: nothing here calls out while a
// decode runs, so decodes never interleave.

/** Read position of the decode in progress. */
export let rp = 0;
/** The high and low 32 bits of the last readVarint64. */
export let vHi = 0;
export let vLo = 0;

export function seek(pos: number): void {
  rp = pos;
}

export function checkRange(buf: Uint8Array, off: number, len: number): number {
  const end = off + len;
  if (!(off >= 0 && len >= 0 && end <= buf.length) || !Number.isInteger(end)) {
    throw new RangeError(`protobuf: bad range off=${off} len=${len} of ${buf.length} bytes`);
  }
  return end;
}

function truncated(what: string): ProtoError {
  return new ProtoError(`protobuf: truncated ${what} at offset ${rp}`);
}

/**
 * Reads a varint as a number: exact up to 2^53, rounded above (only lengths,
 * tags and uint64 sequences come through here).
 */
export function readVarint(buf: Uint8Array, end: number): number {
  let p = rp;
  if (p >= end) throw truncated('varint');
  let b = buf[p++]!;
  if (b < 0x80) {
    rp = p;
    return b;
  }
  let v = b & 0x7f;
  let shift = 7;
  let mul = 128;
  for (;;) {
    if (p >= end) throw truncated('varint');
    b = buf[p++]!;
    if (shift < 28) v |= (b & 0x7f) << shift;
    else v += (b & 0x7f) * mul;
    if (b < 0x80) break;
    shift += 7;
    mul *= 128;
    if (shift >= 7 * MAX_VARINT_LEN) throw new ProtoError(`protobuf: varint longer than 10 bytes at offset ${rp}`);
  }
  rp = p;
  return v;
}

/** Reads a 64-bit varint into vHi/vLo (two's complement for int64). */
export function readVarint64(buf: Uint8Array, end: number): void {
  let p = rp;
  let lo = 0;
  let hi = 0;
  let b = 0;
  // Bytes 0-3 hold bits 0-27, byte 4 bits 28-34, bytes 5-9 bits 35-63.
  for (let i = 0; i < 4; i++) {
    if (p >= end) throw truncated('varint');
    b = buf[p++]!;
    lo |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      rp = p;
      vLo = lo >>> 0;
      vHi = 0;
      return;
    }
  }
  if (p >= end) throw truncated('varint');
  b = buf[p++]!;
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (let i = 0; ; i++) {
      if (i === 5) throw new ProtoError(`protobuf: varint longer than 10 bytes at offset ${rp}`);
      if (p >= end) throw truncated('varint');
      b = buf[p++]!;
      hi |= (b & 0x7f) << (7 * i + 3);
      if (b < 0x80) break;
    }
  }
  rp = p;
  vLo = lo >>> 0;
  vHi = hi >>> 0;
}

/** Reads a length prefix and checks that the bytes it announces are there. */
export function readLength(buf: Uint8Array, end: number): number {
  const n = readVarint(buf, end);
  if (n > end - rp) throw new ProtoError(`protobuf: length ${n} at offset ${rp} runs past the end (${end - rp} left)`);
  return n;
}

/** Reads a tag: (field number << 3) | wire type. */
export function readTag(buf: Uint8Array, end: number): number {
  const t = readVarint(buf, end);
  if (t < 8 || t >= TWO_32) throw new ProtoError(`protobuf: illegal tag ${t} before offset ${rp}`);
  return t;
}

/**
 * Length-delimited bytes as a view into buf (no copy). A plain Uint8Array:
 * Buffer#subarray costs three times as much (it goes through Buffer's
 * species constructor).
 */
export function readBytes(buf: Uint8Array, end: number): Uint8Array {
  const n = readLength(buf, end);
  const start = rp;
  rp = start + n;
  return new Uint8Array(buf.buffer, buf.byteOffset + start, n);
}

/** Length-delimited UTF-8 string, not cached (invalid UTF-8 becomes U+FFFD). */
export function readString(buf: Buffer, end: number): string {
  const n = readLength(buf, end);
  const start = rp;
  rp = start + n;
  return n === 0 ? '' : (buf as unknown as BufferFast).utf8Slice(start, rp);
}

/**
 * Direct-mapped cache of short decoded strings (client IDs, channel names),
 * so the same bytes yield the same string without a native call or a new
 * string; a hit costs one hash and one compare over the bytes.
 */
const internKeys: (Uint8Array | undefined)[] = new Array(INTERN_SLOTS).fill(undefined);
const internVals: string[] = new Array(INTERN_SLOTS).fill('');

/** Like readString, through the intern cache. */
export function readInterned(buf: Buffer, end: number): string {
  const n = readLength(buf, end);
  const start = rp;
  const stop = start + n;
  rp = stop;
  if (n === 0) return '';
  if (n > INTERN_MAX_LEN) return (buf as unknown as BufferFast).utf8Slice(start, stop);
  let h = n;
  for (let i = start; i < stop; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h ^ (h >>> 16)) & (INTERN_SLOTS - 1);
  const key = internKeys[slot];
  if (key !== undefined && key.length === n) {
    let i = 0;
    while (i < n && key[i] === buf[start + i]) i++;
    if (i === n) return internVals[slot]!;
  }
  const s = (buf as unknown as BufferFast).utf8Slice(start, stop);
  internKeys[slot] = new Uint8Array(buf.subarray(start, stop)); // a copy: buf is reused
  internVals[slot] = s;
  return s;
}

/**
 * Skips the value of the field whose tag was just read. Groups (deprecated,
 * but legal in unknown fields) are skipped without recursion, checking that
 * each end-group tag closes the innermost open group.
 */
export function skipField(buf: Uint8Array, tag: number, end: number): void {
  let open: number[] | undefined; // field numbers of the open groups
  for (;;) {
    switch (tag & 7) {
      case WireType.VARINT:
        readVarint64(buf, end);
        break;
      case WireType.I64:
        if (end - rp < 8) throw truncated('fixed64');
        rp += 8;
        break;
      case WireType.LEN: {
        const n = readLength(buf, end); // before touching rp: `rp += f()` reads rp first
        rp += n;
        break;
      }
      case WireType.I32:
        if (end - rp < 4) throw truncated('fixed32');
        rp += 4;
        break;
      case WireType.SGROUP:
        (open ??= []).push(tag >>> 3);
        break;
      case WireType.EGROUP:
        if (open === undefined || open.pop() !== tag >>> 3) {
          throw new ProtoError(`protobuf: unmatched end group of field ${tag >>> 3} before offset ${rp}`);
        }
        break;
      default:
        throw new ProtoError(`protobuf: illegal wire type ${tag & 7} before offset ${rp}`);
    }
    if (open === undefined || open.length === 0) return;
    if (rp >= end) throw truncated('group');
    tag = readTag(buf, end);
  }
}

/** Skips an unknown field, or throws if a known field came with the wrong wire type. */
export function skipUnknown(buf: Uint8Array, tag: number, end: number, known: number, msg: string): void {
  const field = tag >>> 3;
  if (field < 32 && (known & (1 << field)) !== 0) {
    throw new ProtoError(`protobuf: ${msg} field ${field} has wrong wire type ${tag & 7}`);
  }
  skipField(buf, tag, end);
}

// ---------------------------------------------------------------------------
// Writing. Callers size the output first (the *Size functions), then write.

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
  (out as unknown as BufferFast).utf8Write(s, p, byteLen);
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
