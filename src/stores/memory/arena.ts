// Append-only payload arena of the MEMORY message store: payload bytes are
// copied one after the other into large shared chunks, so a stored message
// costs its bytes plus a few typed-array slots, never a JS object.
//
// Invariants that make the views handed out by view() safe to keep:
// - bytes are written once, at an offset past every earlier write, and a
//   chunk is never written again once it stops being the current chunk;
// - a chunk is dropped (left to the GC) only when every message in it has
//   been released, and it is never reused.
// So a view stays valid, unchanged, for as long as anyone holds it: holding
// it keeps its chunk alive even after the store forgot the chunk.

/** Size of a shared chunk. */
export const CHUNK_SIZE = 1024 * 1024;
/** Payloads larger than this get a chunk of their own, sized exactly. */
export const LARGE_PAYLOAD = CHUNK_SIZE / 4;
/** Chunk id of an empty payload: it takes no arena space. */
export const NO_CHUNK = 0xffff_ffff;

const EMPTY = new Uint8Array(0);

interface Chunk {
  buf: Uint8Array;
  /** Messages stored in the chunk and not yet released. */
  live: number;
}

export interface ArenaStats {
  /** Chunks the arena still references. */
  chunks: number;
  /** Their total size. */
  bytes: number;
}

export class Arena {
  #chunks = new Map<number, Chunk>();
  #nextId = 0;
  /** The chunk small payloads are appended to (undefined before the first). */
  #current: Chunk | undefined;
  #currentId = NO_CHUNK;
  #used = 0;
  /** Offset of the payload placed by the last append() or reserve(). */
  lastOffset = 0;
  /** The buffer of the last reserve(). */
  lastBuffer: Buffer = Buffer.alloc(0);

  /** Copies `data` in and returns its chunk id; its offset is in lastOffset. */
  append(data: Uint8Array): number {
    const len = data.length;
    this.lastOffset = 0;
    if (len === 0) return NO_CHUNK;
    if (len > LARGE_PAYLOAD) {
      const id = this.#nextId++;
      // new Uint8Array(typedArray) copies; Buffer#slice would not.
      this.#chunks.set(id, { buf: new Uint8Array(data), live: 1 });
      return id;
    }
    let chunk = this.#current;
    if (chunk === undefined || this.#used + len > CHUNK_SIZE) chunk = this.#startChunk();
    chunk.buf.set(data, this.#used);
    chunk.live++;
    this.lastOffset = this.#used;
    this.#used += len;
    return this.#currentId;
  }

  /**
   * Room for `len` bytes the caller writes in place (an encoded record):
   * returns the chunk id; the chunk's buffer is in lastBuffer and the
   * offset in lastOffset. Counts as one stored message, like append().
   */
  reserve(len: number): number {
    this.lastOffset = 0;
    if (len > LARGE_PAYLOAD) {
      const id = this.#nextId++;
      const buf = Buffer.allocUnsafeSlow(len);
      this.#chunks.set(id, { buf, live: 1 });
      this.lastBuffer = buf;
      return id;
    }
    let chunk = this.#current;
    if (chunk === undefined || this.#used + len > CHUNK_SIZE) chunk = this.#startChunk();
    chunk.live++;
    this.lastOffset = this.#used;
    this.lastBuffer = chunk.buf as Buffer;
    this.#used += len;
    return this.#currentId;
  }

  /** A view of a stored payload (see the module comment for its lifetime). */
  view(id: number, offset: number, length: number): Uint8Array {
    if (id === NO_CHUNK) return EMPTY;
    // The caller only asks for payloads it has not released.
    const chunk = this.#chunks.get(id) as Chunk;
    // A plain Uint8Array view: cheaper to make than a Buffer's subarray.
    const b = chunk.buf;
    return new Uint8Array(b.buffer, b.byteOffset + offset, length);
  }

  /** One message of chunk `id` is gone; the chunk goes once all of them are. */
  release(id: number): void {
    if (id === NO_CHUNK) return;
    const chunk = this.#chunks.get(id) as Chunk;
    // The current chunk stays while it is being filled, even when empty.
    if (--chunk.live === 0 && id !== this.#currentId) this.#chunks.delete(id);
  }

  stats(): ArenaStats {
    let bytes = 0;
    for (const c of this.#chunks.values()) bytes += c.buf.length;
    return { chunks: this.#chunks.size, bytes };
  }

  #startChunk(): Chunk {
    const old = this.#current;
    if (old !== undefined && old.live === 0) this.#chunks.delete(this.#currentId);
    // Buffers, so that records can be encoded in place (Buffer#write for strings).
    const chunk: Chunk = { buf: Buffer.alloc(CHUNK_SIZE), live: 0 };
    this.#currentId = this.#nextId++;
    this.#chunks.set(this.#currentId, chunk);
    this.#current = chunk;
    this.#used = 0;
    return chunk;
  }
}
