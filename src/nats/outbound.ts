// Outbound bytes of one socket connection. Everything queued within one
// tick goes out in one write (or one writev through cork/uncork when a
// large payload is passed by reference): the first append after a flush
// schedules exactly one flush as a microtask, which runs once the current
// socket chunk has been fully processed. Pending bytes (ours plus the
// socket's) are counted so the connection can enforce max_pending.
//
// The copy buffer adapts to the traffic as nats-server's does: it starts
// small, doubles (up to 64 KB) while a flush holds more than it, halves
// while flushes hold far less; and a buffer is kept between flushes only
// by a connection that needed 4 KB or more. An idle connection holds no
// buffer, so ten thousand of them cost no 64 KB each.

import type { Socket } from 'node:net';

/** Largest and smallest size of the buffers small writes are copied into. */
const OUT_CHUNK = 64 * 1024;
const OUT_MIN = 512;
/** Buffers and rests smaller than this are not kept between flushes (Node pools allocations below it). */
const KEEP_MIN = 4096;
/** No buffer yet (or any more). */
const NONE = Buffer.alloc(0);
/** Payloads at least this big are queued by reference instead of copied. */
const COPY_MAX = 16 * 1024;
/** Queued bytes past which we flush at once instead of waiting for the tick. */
const FLUSH_THRESHOLD = 1024 * 1024;

export class Outbound {
  #buf: Buffer = NONE;
  #pos = 0;
  /** Size of the next copy buffer. */
  #size = OUT_MIN;
  /** Full buffers (and large payloads) waiting for the flush. */
  #queue: Buffer[] = [];
  #queued = 0;
  #scheduled = false;
  #closed = false;
  readonly #flushTask = () => this.flush();
  /**
   * When set, each flush's bytes carry it as their write callback: it runs
   * as they reach the kernel. A backed-up connection watches its pending
   * bytes fall this way, batch by batch ('drain' comes only once all is
   * written).
   */
  onWritten: (() => void) | undefined = undefined;

  constructor(
    private readonly socket: Socket,
    /** Called after each flush with the bytes the socket still holds. */
    private readonly onFlushed: (socketPending: number) => void,
  ) {}

  /** Bytes waiting in this buffer and in the socket. */
  get pending(): number {
    return this.#queued + this.#pos + this.socket.writableLength;
  }

  /** Queues a control line (ASCII or UTF-8 text). */
  text(s: string): void {
    this.#room(s.length * 3);
    this.#pos += this.#buf.write(s, this.#pos, 'utf8');
    this.#schedule();
  }

  /** Queues pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    if (b.length >= COPY_MAX) {
      this.#seal();
      this.#queue.push(Buffer.from(b.buffer, b.byteOffset, b.length));
      this.#queued += b.length;
    } else {
      this.#room(b.length);
      this.#buf.set(b, this.#pos);
      this.#pos += b.length;
    }
    this.#schedule();
  }

  /** A message: control line (text or encoded), payload, CRLF. */
  msg(line: string | Buffer, payload: Uint8Array): void {
    if (typeof line === 'string') this.text(line);
    else this.bytes(line);
    this.bytes(payload);
    this.#room(2);
    this.#buf[this.#pos++] = 13;
    this.#buf[this.#pos++] = 10;
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    this.#seal();
    const q = this.#queue;
    if (q.length === 0) return;
    const total = this.#queued;
    this.#queue = [];
    this.#queued = 0;
    if (total > this.#size) this.#size = Math.min(OUT_CHUNK, this.#size * 2);
    else if (total < this.#size / 4 && this.#size > OUT_MIN) this.#size /= 2;
    const written = this.onWritten;
    if (q.length === 1) {
      this.socket.write(q[0]!, written);
    } else {
      this.socket.cork();
      const last = q.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(q[i]!);
      this.socket.write(q[last]!, written);
      this.socket.uncork();
    }
    this.onFlushed(this.socket.writableLength);
  }

  /** Drops everything queued; later writes are ignored. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#pos = 0;
    this.#buf = NONE;
  }

  #schedule(): void {
    if (this.#queued + this.#pos >= FLUSH_THRESHOLD) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flushTask);
    }
  }

  /** Moves the bytes written so far to the queue. */
  #seal(): void {
    if (this.#pos === 0) return;
    this.#queue.push(this.#buf.subarray(0, this.#pos));
    this.#queued += this.#pos;
    // The sealed part now belongs to the socket: a busy connection goes on
    // in the rest of its buffer if a useful amount is left; others get a
    // new one when they next write.
    this.#buf = this.#size >= KEEP_MIN && this.#buf.length - this.#pos >= KEEP_MIN ? this.#buf.subarray(this.#pos) : NONE;
    this.#pos = 0;
  }

  /** Ensures `n` bytes of room in the current buffer. */
  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#seal();
    // Below 4 KB, allocUnsafe slices Node's shared pool.
    if (n > this.#buf.length) this.#buf = Buffer.allocUnsafe(Math.max(n, this.#size));
  }
}
