// Protobuf wire-format primitives shared by the generated codecs
// (protocol.ts, spb.ts) and the hand-written hot paths (hot.ts): a Reader
// holding the read position of one decode, varints (32- and 64-bit, no
// BigInt arithmetic on the common paths), UTF-8 length and writing, string
// decoding with a small intern cache, skipping of unknown fields, and the
// checks that turn an encode-side JS value into its wire value. Standard
// protobuf encoding as gogo/protobuf produces it (STAN-REFERENCE §3):
// proto3, defaults omitted, unknown fields skipped.

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
/** The weight of a varint's last byte (128^9, exact as a double). */
const MAX_VARINT_MUL = 128 ** (MAX_VARINT_LEN - 1);
/** Strings up to this many bytes go through the intern cache. */
export const INTERN_MAX_LEN = 64;
/** Slots of the direct-mapped intern cache (a power of two). */
export const INTERN_SLOTS = 256;

const TWO_32 = 4294967296;

/** Shared empty value of absent bytes fields. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

// Buffer's own UTF-8 slice/write (what toString/write call after checking
// their arguments); protobufjs relies on them as well.
interface BufferFast {
  utf8Slice(start: number, end: number): string;
  utf8Write(s: string, at: number, len: number): number;
}

/**
 * Node's own Buffer shape (its FastBuffer): a Uint8Array subclass whose
 * prototype chain goes through Buffer.prototype, so its instances are
 * Buffers (instanceof, toString, utf8Slice) at the cost of a plain view.
 */
class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);

/**
 * A Buffer over `len` bytes of `ab` at `off` (no copy), without
 * Buffer.from's argument checks: the caller's offsets are in range. A view
 * made this way once serves both the byte reads and the string calls,
 * where a Uint8Array view needs a second object (asBuffer) for the latter.
 */
export function bufferView(ab: ArrayBufferLike, off: number, len: number): Buffer {
  return new BufferView(ab as ArrayBuffer, off, len) as unknown as Buffer;
}

/** The input as a Buffer over the same memory (no copy), for the native string calls. */
export function asBuffer(buf: Uint8Array): Buffer {
  // Duck-typed: Buffer.isBuffer (instanceof) showed up in decode profiles.
  return (buf as Partial<BufferFast>).utf8Slice !== undefined ? (buf as Buffer) : bufferView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The end of buf[off, off+len), checked. */
export function checkRange(buf: Uint8Array, off: number, len: number): number {
  const end = off + len;
  if (!(off >= 0 && len >= 0 && end <= buf.length) || !Number.isInteger(end)) {
    throw new RangeError(`protobuf: bad range off=${off} len=${len} of ${buf.length} bytes`);
  }
  return end;
}

// The timestamp's 64 bits as two uint32 halves without BigInt arithmetic:
// scratch of one conversion, never live across a call.
const i64 = new BigInt64Array(1);
const i64w = new Uint32Array(i64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

/** The int64 whose two's-complement halves are hi and lo. */
function int64Of(hi: number, lo: number): bigint {
  i64w[LO] = lo;
  i64w[HI] = hi;
  return i64[0]!;
}

/**
 * The read position of one decode over buf, and the halves of the last
 * 64-bit varint read. Each decode makes its own, so nothing is shared
 * between decodes. Methods take the end of the (sub-)message being read.
 */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  /** The high and low 32 bits of the last varint64(). */
  hi = 0;
  lo = 0;
  /**
   * buf's memory, read at the first bytes(): buffer and byteOffset are
   * getters TurboFan does not inline (buffer calls into C++), and a PubMsg
   * has two bytes fields.
   */
  #ab: ArrayBufferLike | undefined = undefined;
  #base = 0;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = asBuffer(buf);
    this.pos = pos;
  }

  truncated(what: string): ProtoError {
    return new ProtoError(`protobuf: truncated ${what} at offset ${this.pos}`);
  }

  /**
   * A varint as a number: exact up to 2^53, rounded above (only lengths,
   * tags and uint64 sequences of the hot paths come through here).
   */
  varint(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (p >= end) throw this.truncated('varint');
    let b = buf[p++]!;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let v = b & 0x7f;
    // Every statement of the loop runs for each byte, the second one
    // included: TurboFan compiles this while sequences and lengths take two
    // bytes, and a statement first reached at a third byte would have no
    // type feedback yet (a deopt and a recompile of every caller it is
    // inlined into, at sequence 16384 on a fresh server).
    let mul = 128;
    do {
      if (p >= end) throw this.truncated('varint');
      if (mul > MAX_VARINT_MUL) throw new ProtoError(`protobuf: varint longer than 10 bytes at offset ${this.pos}`);
      b = buf[p++]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b >= 0x80);
    this.pos = p;
    return v;
  }

  /** A 64-bit varint into hi/lo (two's complement for int64). */
  varint64(end: number): void {
    const buf = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    // Bytes 0-3 hold bits 0-27, byte 4 bits 28-34, bytes 5-9 bits 35-63.
    for (let i = 0; i < 4; i++) {
      if (p >= end) throw this.truncated('varint');
      b = buf[p++]!;
      lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        this.pos = p;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (p >= end) throw this.truncated('varint');
    b = buf[p++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let i = 0; ; i++) {
        if (i === 5) throw new ProtoError(`protobuf: varint longer than 10 bytes at offset ${this.pos}`);
        if (p >= end) throw this.truncated('varint');
        b = buf[p++]!;
        hi |= (b & 0x7f) << (7 * i + 3);
        if (b < 0x80) break;
      }
    }
    this.pos = p;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** uint64 as a number: exact below 2^53, the nearest double above. */
  uint64(end: number): number {
    this.varint64(end);
    return this.hi * TWO_32 + this.lo;
  }

  int64(end: number): bigint {
    this.varint64(end);
    return int64Of(this.hi, this.lo);
  }

  /** uint32: the low 32 bits, as Go keeps them. */
  uint32(end: number): number {
    this.varint64(end);
    return this.lo;
  }

  /** int32 and enums: the low 32 bits, signed. */
  int32(end: number): number {
    this.varint64(end);
    return this.lo | 0;
  }

  bool(end: number): boolean {
    this.varint64(end);
    return (this.hi | this.lo) !== 0;
  }

  /** A length prefix, checked against what is left before end. */
  length(end: number): number {
    const n = this.varint(end);
    if (n > end - this.pos) {
      throw new ProtoError(`protobuf: length ${n} at offset ${this.pos} runs past the end (${end - this.pos} left)`);
    }
    return n;
  }

  /** The length prefix of an embedded message, as the end of that message. */
  sub(end: number): number {
    const n = this.length(end);
    return this.pos + n;
  }

  /** A tag: (field number << 3) | wire type. */
  tag(end: number): number {
    const t = this.varint(end);
    if (t < 8 || t >= TWO_32) throw new ProtoError(`protobuf: illegal tag ${t} before offset ${this.pos}`);
    return t;
  }

  /**
   * Length-delimited bytes as a view into buf (no copy). A plain Uint8Array:
   * Buffer#subarray costs three times as much (it goes through Buffer's
   * species constructor).
   */
  bytes(end: number): Uint8Array {
    const n = this.length(end);
    const start = this.pos;
    this.pos = start + n;
    let ab = this.#ab;
    if (ab === undefined) {
      ab = this.#ab = this.buf.buffer;
      this.#base = this.buf.byteOffset;
    }
    return new Uint8Array(ab, this.#base + start, n);
  }

  /** Like bytes(), with the shared EMPTY_BYTES for an empty value. */
  bytesOrEmpty(end: number): Uint8Array {
    const b = this.bytes(end);
    return b.length === 0 ? EMPTY_BYTES : b;
  }

  /** Length-delimited UTF-8 string, not cached (invalid UTF-8 becomes U+FFFD). */
  string(end: number): string {
    const n = this.length(end);
    const start = this.pos;
    this.pos = start + n;
    return n === 0 ? '' : (this.buf as unknown as BufferFast).utf8Slice(start, this.pos);
  }

  /** Like string(), through the intern cache (client IDs, channel names). */
  interned(end: number): string {
    const n = this.length(end);
    const start = this.pos;
    this.pos = start + n;
    return intern(this.buf, start, n);
  }

  /**
   * Skips the value of the field whose tag was just read. Groups (deprecated,
   * but legal in unknown fields) are skipped without recursion, checking that
   * each end-group tag closes the innermost open group.
   */
  skip(tag: number, end: number): void {
    let open: number[] | undefined; // field numbers of the open groups
    for (;;) {
      switch (tag & 7) {
        case WireType.VARINT:
          this.varint64(end);
          break;
        case WireType.I64:
          if (end - this.pos < 8) throw this.truncated('fixed64');
          this.pos += 8;
          break;
        case WireType.LEN: {
          const n = this.length(end); // before touching pos: `pos += f()` reads pos first
          this.pos += n;
          break;
        }
        case WireType.I32:
          if (end - this.pos < 4) throw this.truncated('fixed32');
          this.pos += 4;
          break;
        case WireType.SGROUP:
          (open ??= []).push(tag >>> 3);
          break;
        case WireType.EGROUP:
          if (open === undefined || open.pop() !== tag >>> 3) {
            throw new ProtoError(`protobuf: unmatched end group of field ${tag >>> 3} before offset ${this.pos}`);
          }
          break;
        default:
          throw new ProtoError(`protobuf: illegal wire type ${tag & 7} before offset ${this.pos}`);
      }
      if (open === undefined || open.length === 0) return;
      if (this.pos >= end) throw this.truncated('group');
      tag = this.tag(end);
    }
  }

  /**
   * Skips a field the decoder has no case for: an unknown field, or throws
   * if it is a known field (its number in `known`) with the wrong wire type.
   */
  skipUnknown(tag: number, end: number, known: readonly number[]): void {
    const field = tag >>> 3;
    if (known.includes(field)) throw new ProtoError(`protobuf: field ${field} has wrong wire type ${tag & 7}`);
    this.skip(tag, end);
  }
}

/**
 * Direct-mapped cache of short decoded strings (client IDs, channel names),
 * so the same bytes yield the same string without a native call or a new
 * string; a hit costs one hash and one compare over the bytes. A cache
 * (same input, same output), not state a decode depends on.
 */
const internKeys: (Uint8Array | undefined)[] = new Array(INTERN_SLOTS).fill(undefined);
const internVals: string[] = new Array(INTERN_SLOTS).fill('');

function intern(buf: Buffer, start: number, n: number): string {
  const stop = start + n;
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

/** A decode's error as thrown to the caller: ProtoError names the message. */
export function malformed(name: string, err: unknown): unknown {
  if (err instanceof ProtoError) return new ProtoError(`${name}: malformed message: ${err.message}`, { cause: err });
  return err;
}
