// Append-only record arena of the MEMORY message store: records (record.ts)
// are written one after the other into large chunks, so a stored message
// costs its record's bytes, never a JS object. Chunks are numbered in the
// order they were started and records follow that order, so the record
// after one is found by position alone (the next in its chunk, else the
// first of the next chunk); messages leave oldest first, so chunks do too.
//
// Invariants that make the views handed out of a chunk safe to keep:
// - bytes are written once, at an offset past every earlier write, and a
//   chunk is never written again once it stops being the current chunk;
// - a chunk is dropped (left to the GC) only once every record in it is
//   gone, and it is never reused.
// So a view stays valid, unchanged, for as long as anyone holds it: holding
// it keeps its chunk alive even after the store forgot the chunk.

import { core } from '../../core/index.js';

/**
 * Size of a chunk (a record larger than this gets one of its own size):
 * 1 MiB less the allocator's header, so that a chunk malloc maps by itself
 * takes 256 pages, not 257.
 */
export const CHUNK_SIZE = 1024 * 1024 - 64;
/** Size of a chunk in huge pages (core.hugeAlloc's unit). */
export const HUGE_CHUNK = 2 * 1024 * 1024;
/** Payloads larger than this keep their MsgProto outside the arena (record.ts). */
export const LARGE_PAYLOAD = 256 * 1024;

export interface ArenaStats {
  /** Chunks (and out-of-arena payloads, for the store's stats) still referenced. */
  chunks: number;
  /** Their total size. */
  bytes: number;
}

/**
 * Dropped chunks V8 has not collected yet, reported to it as external
 * memory (core.adjustExternalMemory) so that it collects them, and taken
 * back once they are: see #newChunk.
 */
const collected = new FinalizationRegistry<number>((bytes) => core().adjustExternalMemory?.(-bytes));
/** Chunks reported so (once each: a closed store reports all it holds, then may still drop some). */
const reported = new WeakSet<ArrayBufferLike>();

/** Reports a chunk no store will keep to V8 until it is collected (see #newChunk). */
function reportDropped(ab: ArrayBufferLike): void {
  // Plain and huge chunks V8 counts already (shared ones exist only where
  // the core can report them); views handed out keep a chunk alive, and V8
  // frees it after the last.
  if (!(ab instanceof SharedArrayBuffer) || reported.has(ab)) return;
  reported.add(ab);
  core().adjustExternalMemory!(ab.byteLength);
  collected.register(ab, ab.byteLength);
}

export class Arena {
  /** Live chunks, oldest first: #chunks[i] is chunk number #firstNo + i. */
  #chunks: Buffer[] = [];
  /** Their ArrayBuffers (each chunk starts at offset 0 of its own): views of them are cheap to make. */
  #abs: ArrayBufferLike[] = [];
  /** Bytes written into each live chunk. */
  #ends: number[] = [];
  #firstNo = 0;
  /** Chunks started so far. */
  #started = 0;

  /**
   * `hugeAfter`: chunks started in plain memory before huge pages (Infinity,
   * the default: never; see #newChunk). A huge chunk's 2 MiB are resident
   * from its first write, so a store that asks for them starts a few plain
   * chunks first (2 is busy enough).
   */
  constructor(private readonly hugeAfter = Infinity) {}
  /** Offset and buffer of the last reserve(). */
  lastOffset = 0;
  lastBuffer: Buffer = Buffer.alloc(0);

  /**
   * Room for a record of `len` bytes the caller writes in place: returns
   * its chunk number; the chunk's buffer is in lastBuffer and the offset
   * in lastOffset.
   */
  reserve(len: number): number {
    const n = this.#chunks.length;
    let last = n - 1;
    if (n === 0 || this.#ends[last]! + len > this.#chunks[last]!.length) {
      const buf = this.#newChunk(len);
      this.#abs.push(buf.buffer);
      this.#chunks.push(buf);
      this.#ends.push(0);
      last = n;
    }
    const at = this.#ends[last]!;
    this.#ends[last] = at + len;
    this.lastOffset = at;
    this.lastBuffer = this.#chunks[last]!;
    return this.#firstNo + last;
  }

  /**
   * A chunk with room for `len` bytes, the whole of its ArrayBuffer:
   * zeroed memory the kernel maps as it is first written; or, past
   * `hugeAfter` chunks and where the core has them, 2 MiB huge pages, one
   * fault each (core.hugeAlloc). Huge pages are off unless asked for: on a
   * VM whose host takes back the guest's free memory (virtio-balloon free
   * page reporting, as on the Firecracker VMs of this project's
   * benchmarks) the free blocks a huge page is cut from are the very ones
   * handed back, so nearly every huge chunk waits for the host to back it
   * again (~5 ms per 2 MiB, against ~0.4 ms in 4 KiB faults of memory the
   * guest kept): Go stan-bench 1:1 with 64 KB messages, 7.9k msgs/s with
   * huge chunks against 11.5k without, 1 KB 230k against 243k, 128 B
   * 436k against 455k (medians of 5-7 alternating runs).
   */
  #newChunk(len: number): Buffer {
    const c = core();
    if (++this.#started > this.hugeAfter && len <= HUGE_CHUNK) {
      const huge = c.hugeAlloc?.(HUGE_CHUNK);
      if (huge !== undefined) return huge;
    }
    const size = Math.max(CHUNK_SIZE, len);
    // Buffers, so that records can be encoded in place. SharedArrayBuffers
    // where the core can tell V8 of dropped ones: V8 counts a plain
    // ArrayBuffer's bytes towards its heap limits, so a store keeping its
    // messages ran full collections that freed nothing (with a 6 MB heap,
    // 9 mark-compacts, 57 ms of pauses, per 100k x 1 KB messages; Go
    // stan-bench 1:1 x 1 KB, 7 alternating runs: 248k -> 296k msgs/s). V8
    // does not count shared memory, so releaseBefore() reports what it
    // drops, for V8 to collect it as it would a plain ArrayBuffer.
    if (c.adjustExternalMemory !== undefined) return Buffer.from(new SharedArrayBuffer(size));
    return Buffer.from(new ArrayBuffer(size));
  }

  /** The buffer of a live chunk. */
  chunk(no: number): Buffer {
    return this.#chunks[no - this.#firstNo]!;
  }

  /** The ArrayBuffer of a live chunk (the chunk is all of it). */
  arrayBuffer(no: number): ArrayBufferLike {
    return this.#abs[no - this.#firstNo]!;
  }

  /** Where the records of a live chunk end. */
  end(no: number): number {
    return this.#ends[no - this.#firstNo]!;
  }

  /** Number of the newest chunk (the one being filled). */
  get lastNo(): number {
    return this.#firstNo + this.#chunks.length - 1;
  }

  /** Drops the chunks older than `no`: no record lives in them any more. */
  releaseBefore(no: number): void {
    const k = Math.min(no - this.#firstNo, this.#chunks.length);
    if (k <= 0) return;
    for (let i = 0; i < k; i++) reportDropped(this.#abs[i]!);
    this.#chunks.splice(0, k);
    this.#abs.splice(0, k);
    this.#ends.splice(0, k);
    this.#firstNo += k;
  }

  /**
   * The store is closed (its channel deleted, or the server stopping): all
   * its chunks are garbage once the store itself is, so V8 is told of them
   * now. They stay readable meanwhile.
   */
  closed(): void {
    for (const ab of this.#abs) reportDropped(ab);
  }

  /** Drops every chunk but the one being filled (the store is empty). */
  releaseAllButLast(): void {
    this.releaseBefore(this.lastNo);
  }

  stats(): ArenaStats {
    let bytes = 0;
    for (const c of this.#chunks) bytes += c.length;
    return { chunks: this.#chunks.length, bytes };
  }
}
