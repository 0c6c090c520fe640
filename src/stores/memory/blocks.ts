// The block index of a MEMORY message store (msg-store.ts): sequences are
// grouped in blocks of BLOCK (1..64, 65..128, ...), and a ring of typed
// arrays holds, per block, where its first record lies in the arena and
// that record's timestamp (the base the block's first record is coded
// against, record.ts). Under one byte per message; the ring doubles when
// full and halves when mostly empty, so a channel steady at max_msgs never
// moves or grows it.

/** Sequences per block. */
export const BLOCK = 64;
/** Blocks of a new index (a power of two: the ring masks with it). */
const INITIAL_BLOCKS = 4;

export function blockOf(seq: number): number {
  return Math.floor((seq - 1) / BLOCK);
}

/** Whether `seq` is the first of its block. */
export function startsBlock(seq: number): boolean {
  return (seq - 1) % BLOCK === 0;
}

export class BlockIndex {
  /** Block number of the oldest block kept (its slot is `head`). */
  first = 0;
  /** Blocks kept. */
  count = 0;
  head = 0;
  /** Per slot: chunk number and offset of the block's first record, and its timestamp's halves. */
  chunk = new Float64Array(INITIAL_BLOCKS);
  off = new Uint32Array(INITIAL_BLOCKS);
  hi = new Uint32Array(INITIAL_BLOCKS);
  lo = new Uint32Array(INITIAL_BLOCKS);

  slotOf(block: number): number {
    return (this.head + (block - this.first)) & (this.chunk.length - 1);
  }

  /** The slot of a new block, the next after the last kept (or the first), doubling the ring when it is full. */
  add(block: number): number {
    if (this.count === 0) this.first = block;
    if (this.count === this.chunk.length) this.#resize(this.count * 2);
    this.count++;
    return this.slotOf(block);
  }

  /** Forgets the oldest block; gives memory back once the ring is mostly empty. */
  dropFirst(): void {
    this.head = (this.head + 1) & (this.chunk.length - 1);
    this.first++;
    this.count--;
    const cap = this.chunk.length;
    if (cap > INITIAL_BLOCKS && this.count * 8 < cap) this.#resize(cap >>> 1);
  }

  /** Moves the blocks kept to new arrays of `cap` (a power of two), unwrapped. */
  #resize(cap: number): void {
    const { head, count } = this;
    this.chunk = unwrap(new Float64Array(cap), this.chunk, head, count);
    this.off = unwrap(new Uint32Array(cap), this.off, head, count);
    this.hi = unwrap(new Uint32Array(cap), this.hi, head, count);
    this.lo = unwrap(new Uint32Array(cap), this.lo, head, count);
    this.head = 0;
  }
}

/** Copies `count` ring slots starting at `head` to the start of `dst`. */
function unwrap<T extends Uint32Array | Float64Array>(dst: T, src: T, head: number, count: number): T {
  const d = dst as Uint32Array;
  const s = src as Uint32Array;
  const firstPart = Math.min(count, s.length - head);
  d.set(s.subarray(head, head + firstPart));
  if (firstPart < count) d.set(s.subarray(0, count - firstPart), firstPart);
  return dst;
}
