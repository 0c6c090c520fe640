// Slow consumers, handled as nats-server 2.9 does (server/client.go:
// queueOutbound, stalledWait, flushOutbound, handleWriteTimeout):
// back-pressure first, a drop last.
//
// - A connection whose pending bytes (ours plus its socket's) pass half its
//   max_pending opens a stall. A client publishing to it then waits, its
//   socket no longer read, until the backlog is written or for a time that
//   grows with the backlog (100 ms at half of max_pending, 100 ms more per
//   twentieth of it above): a fast producer is slowed instead of its consumer dropped.
// - The connection is dropped only when its pending bytes pass max_pending
//   or bytes it was given stay unwritten past write_deadline. Both drops log
//   "Slow Consumer Detected: ..." at INF level, word for word nats-server's.
//
// A Backlog exists only while a connection has bytes its socket has not
// taken: an idle connection holds none of this.

import type { Socket } from 'node:net';
import { goDuration } from '../units/go-format.js';
import type { Logger } from '../log/logger.js';
import { clearLongTimer, setLongTimeout, type LongTimer } from '../timers/long.js';

/** nats-server stallClientMinDuration and stallClientMaxDuration. */
export const STALL_MIN_MS = 100;
export const STALL_MAX_MS = 1000;

/** How long a producer waits on a consumer with `pending` of `maxPending` bytes (nats-server stallDuration). */
export function stallDuration(pending: number, maxPending: number): number {
  if (pending >= maxPending) return STALL_MAX_MS;
  const half = Math.floor(maxPending / 2);
  if (pending <= half) return STALL_MIN_MS;
  const step = Math.max(1, Math.floor(half / 10));
  return STALL_MIN_MS * (1 + Math.floor((pending - half) / step));
}

/** What a Backlog reaches of its connection. */
export interface BacklogOwner {
  readonly socket: Socket;
  readonly log: Logger;
  readonly maxPending: number;
  readonly writeDeadlineMs: number;
  /** How nats-server names the connection in its log lines. */
  logName(): string;
  /** Bytes queued and not yet taken by the socket, plus the socket's. */
  pending(): number;
  /** Drops the connection as a slow consumer. */
  drop(reason: 'Slow Consumer (Pending Bytes)' | 'Slow Consumer (Write Deadline)'): void;
}

export class Backlog {
  /** Producers waiting on this stall; undefined when none is open. */
  #stall: (() => void)[] | undefined;
  #deadline: LongTimer | undefined;
  /** Bytes the socket had been given when the deadline was armed. */
  #target = 0;

  constructor(private readonly owner: BacklogOwner) {}

  get stalled(): boolean {
    return this.#stall !== undefined;
  }

  /**
   * After queuing past half of max_pending: drops the connection past
   * max_pending (false), else opens the stall (true: its producers wait).
   */
  overHalf(pending: number): boolean {
    const o = this.owner;
    if (pending > o.maxPending) {
      o.log.info(`${o.logName()} - Slow Consumer Detected: MaxPending of ${o.maxPending} Exceeded`);
      o.drop('Slow Consumer (Pending Bytes)');
      return false;
    }
    this.#stall ??= [];
    return true;
  }

  /** A producer's wait on this stall: until it is released or the stall duration passes. */
  wait(producer: string): Promise<void> | undefined {
    const stall = this.#stall;
    if (stall === undefined) return undefined;
    const o = this.owner;
    const ttl = stallDuration(o.pending(), o.maxPending);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        o.log.debug(`${producer} - Timed out of fast producer stall (${goDuration(ttl)})`);
        resolve();
      }, ttl);
      stall.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** After a flush: the write deadline covers what the socket now holds; a stall ends below half of max_pending. */
  flushed(socketPending: number): void {
    if (socketPending > 0 && this.#deadline === undefined) this.#arm();
    this.written();
  }

  /**
   * Some of what the socket held reached the kernel: a stall ends below
   * half of max_pending (nats-server releases its stalled producers so, as
   * its writes go out). False when no stall is open.
   */
  written(): boolean {
    if (this.#stall === undefined) return false;
    if (this.owner.pending() >= this.owner.maxPending / 2) return true;
    this.#release();
    return false;
  }

  /** The socket wrote everything it held. */
  drained(): void {
    clearLongTimer(this.#deadline);
    this.#deadline = undefined;
    this.#release();
  }

  /** The connection closed: nobody waits on it any more. */
  close(): void {
    this.drained();
  }

  #release(): void {
    const stall = this.#stall;
    this.#stall = undefined;
    if (stall !== undefined) for (const go of stall) go();
  }

  #arm(): void {
    this.#target = this.owner.socket.bytesWritten;
    this.#deadline = setLongTimeout(() => this.#expire(), this.owner.writeDeadlineMs, { unref: true });
  }

  /**
   * nats-server gives each write write_deadline to complete. Here: every
   * byte the socket held when the deadline was armed must have been written
   * since; then a new deadline covers what it holds now.
   */
  #expire(): void {
    this.#deadline = undefined;
    const o = this.owner;
    const s = o.socket;
    const held = s.writableLength;
    if (held === 0) return;
    if (s.bytesWritten - held >= this.#target) {
      this.#arm();
      return;
    }
    const chunks = (s as Socket & { writableBuffer?: unknown[] }).writableBuffer?.length ?? 0;
    o.log.info(
      `${o.logName()} - Slow Consumer Detected: WriteDeadline of ${goDuration(o.writeDeadlineMs)} exceeded with ${Math.max(chunks, 1)} chunks of ${held} total bytes.`,
    );
    o.drop('Slow Consumer (Write Deadline)');
  }
}
