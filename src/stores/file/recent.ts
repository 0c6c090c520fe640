// The cache of recently stored messages of a FILE message store: every
// message not yet handed to the OS is here (lookups cannot read it from
// the file yet), plus the written ones of the last second, as the Go
// server's file store caches them (its msgsCache, one second), so that a
// subscriber a little behind its publisher reads no file. Entries are
// views of the encoded MsgProto in the data file's pending chunks (see
// append-file.ts for why those stay valid), kept in a ring by sequence.

/** Written messages are kept this long after they were stored. */
export const RECENT_TTL_MS = 1000;
/** ... and at most this many per channel (unwritten ones are always kept). */
export const RECENT_MAX_MSGS = 256 * 1024;
/** ... and at most this many bytes of them per channel. */
export const RECENT_MAX_BYTES = 32 * 1024 * 1024;
const INITIAL_SLOTS = 256;

export class RecentMsgs {
  /** Sequence of the oldest entry; entries are first .. first + count - 1. */
  first = 0;
  count = 0;
  bytes = 0;
  #head = 0;
  #bufs: (Buffer | undefined)[] = new Array(INITIAL_SLOTS);
  #offs = new Uint32Array(INITIAL_SLOTS);
  #lens = new Uint32Array(INITIAL_SLOTS);
  #ts = new BigInt64Array(INITIAL_SLOTS);
  /** When each entry was stored (ms, the caller's clock). */
  #at = new Float64Array(INITIAL_SLOTS);

  /** Adds the next sequence (first + count), stored at `atMs`. */
  push(seq: number, buf: Buffer, off: number, len: number, ts: bigint, atMs: number): void {
    if (this.count === 0) {
      this.first = seq;
      this.#head = 0;
    }
    if (this.count === this.#bufs.length) this.#grow();
    const slot = (this.#head + this.count) & (this.#bufs.length - 1);
    this.#bufs[slot] = buf;
    this.#offs[slot] = off;
    this.#lens[slot] = len;
    this.#ts[slot] = ts;
    this.#at[slot] = atMs;
    this.count++;
    this.bytes += len;
  }

  has(seq: number): boolean {
    return this.count > 0 && seq >= this.first && seq < this.first + this.count;
  }

  #slot(seq: number): number {
    return (this.#head + (seq - this.first)) & (this.#bufs.length - 1);
  }

  buf(seq: number): Buffer {
    return this.#bufs[this.#slot(seq)]!;
  }

  off(seq: number): number {
    return this.#offs[this.#slot(seq)]!;
  }

  len(seq: number): number {
    return this.#lens[this.#slot(seq)]!;
  }

  ts(seq: number): bigint {
    return this.#ts[this.#slot(seq)]!;
  }

  /** Drops entries below `seq` (removed messages). */
  dropBelow(seq: number): void {
    while (this.count > 0 && this.first < seq) this.#shift();
  }

  /**
   * Drops written entries (sequences up to `writtenSeq`) stored before
   * `nowMs - ttlMs` or past the caps; never one above `writtenSeq`.
   * A ttl of 0 drops every written entry.
   */
  trim(writtenSeq: number, nowMs: number, ttlMs = RECENT_TTL_MS, maxMsgs = RECENT_MAX_MSGS, maxBytes = RECENT_MAX_BYTES): void {
    const oldest = nowMs - ttlMs;
    while (
      this.count > 0 &&
      this.first <= writtenSeq &&
      (ttlMs === 0 || this.#at[this.#head]! <= oldest || this.count > maxMsgs || this.bytes > maxBytes)
    ) {
      this.#shift();
    }
  }

  clear(): void {
    this.#bufs.fill(undefined);
    this.count = 0;
    this.bytes = 0;
  }

  #shift(): void {
    const slot = this.#head;
    this.bytes -= this.#lens[slot]!;
    this.#bufs[slot] = undefined;
    this.#head = (slot + 1) & (this.#bufs.length - 1);
    this.first++;
    this.count--;
  }

  #grow(): void {
    const cap = this.#bufs.length;
    const bufs: (Buffer | undefined)[] = new Array(cap * 2);
    const offs = new Uint32Array(cap * 2);
    const lens = new Uint32Array(cap * 2);
    const ts = new BigInt64Array(cap * 2);
    const at = new Float64Array(cap * 2);
    for (let i = 0; i < this.count; i++) {
      const s = (this.#head + i) & (cap - 1);
      bufs[i] = this.#bufs[s];
      offs[i] = this.#offs[s]!;
      lens[i] = this.#lens[s]!;
      ts[i] = this.#ts[s]!;
      at[i] = this.#at[s]!;
    }
    this.#at = at;
    this.#bufs = bufs;
    this.#offs = offs;
    this.#lens = lens;
    this.#ts = ts;
    this.#head = 0;
  }
}
