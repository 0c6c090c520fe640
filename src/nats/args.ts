// Reading the arguments of the Rust parser's op records (src/core/ops.ts):
// each argument is an (offset, length) pair into the chunk the record came
// from (or the parser's carry buffer). Shared by every connection kind.

import { R_PAYLOAD_LEN, R_PAYLOAD_OFF } from '../core/index.js';
import { bufferView } from '../pb/wire.js';

/** The UTF-8 text of the (offset, length) pair at `w`. */
export function text(src: Buffer, ops: Uint32Array, w: number): string {
  const off = ops[w]!;
  return src.toString('utf8', off, off + ops[w + 1]!);
}

/** Like text(), undefined when the argument is absent. */
export function optText(src: Buffer, ops: Uint32Array, w: number): string | undefined {
  return ops[w + 1] ? text(src, ops, w) : undefined;
}

/** The JSON object of a CONNECT or INFO argument; throws on anything else. */
export function jsonObject<T extends object>(json: string): T {
  const o = JSON.parse(json) as unknown;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
  return o as T;
}

/**
 * The chunk of the last payloadOf and its memory. A typed array's buffer
 * and byteOffset are getters that TurboFan leaves as generic property loads
 * (buffer one into C++): ~20 ns a PUB when read per record, so they are
 * read once per chunk. Holds at most the last chunk.
 */
let lastSrc: Buffer | undefined;
let lastAb: ArrayBufferLike = new ArrayBuffer(0);
let lastBase = 0;

/** The payload view of the record at `at`. */
export function payloadOf(src: Buffer, ops: Uint32Array, at: number): Uint8Array {
  if (src !== lastSrc) {
    lastSrc = src;
    lastAb = src.buffer;
    lastBase = src.byteOffset;
  }
  // Cheaper than Buffer#subarray, once per PUB; a Buffer, so that a
  // protobuf decode of it (the streaming layer's) makes no second view.
  return bufferView(lastAb, lastBase + ops[at + R_PAYLOAD_OFF]!, ops[at + R_PAYLOAD_LEN]!);
}

/** Longest subject a SubjectDecoder remembers. */
const DECODER_BYTES = 256;

/**
 * Decodes publish subjects, reusing the last string when the bytes are the
 * same: a publisher mostly repeats a few subjects, and comparing a few
 * bytes in JS is cheaper than making a string each time.
 */
export class SubjectDecoder {
  /** The last subject's bytes; allocated by the first decode (a subscriber never publishes). */
  #bytes: Buffer | undefined;
  #len = -1;
  #str = '';

  decode(src: Buffer, ops: Uint32Array, w: number): string {
    const off = ops[w]!;
    const len = ops[w + 1]!;
    const last = (this.#bytes ??= Buffer.allocUnsafe(DECODER_BYTES));
    if (len === this.#len) {
      let i = 0;
      while (i < len && src[off + i] === last[i]) i++;
      if (i === len) return this.#str;
    }
    this.#str = src.toString('utf8', off, off + len);
    if (len <= last.length) {
      src.copy(last, 0, off, off + len);
      this.#len = len;
    } else {
      this.#len = -1;
    }
    return this.#str;
  }
}
