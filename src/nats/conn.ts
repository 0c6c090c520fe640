// What every socket connection of the NATS server shares, whatever its
// kind (a client today, a route later): the parse loop that feeds each
// socket chunk to the Rust parser in one call and hands the op records to
// the kind one by one, the pause of that loop while an op finishes
// asynchronously (CONNECT with bcrypt), keep-alive PING/PONG and stale
// detection (§1.8), close with its grace period, Outbound and its Backlog
// (back-pressure on producers, the write deadline and max_pending: backlog.ts),
// the message counters, and op tracing (STAN-REFERENCE §1).
//
// A kind composes a Conn and is called back through ConnKind; which ops
// are valid and what they mean is the kind's business, never decided here.

import type { Socket } from 'node:net';
import {
  FLAG_CARRY,
  H_CONSUMED,
  H_STATUS,
  HEADER_WORDS,
  KIND_MASK,
  Op,
  ParseError,
  RECORD_WORDS,
  R_KIND,
  R_NUM,
  STATUS_FULL,
  core,
  type ProtocolParser,
} from '../core/index.js';
import type { Logger } from '../log/logger.js';
import type { NatsOptions } from './options.js';
import { Backlog, type BacklogOwner } from './backlog.js';
import { Outbound } from './outbound.js';
import { Err, errLine, PING, type ErrSpec } from './proto.js';
import { traceIn, traceOut } from './trace.js';
import { clearLongTimer, setLongInterval, type LongTimer } from '../timers/long.js';

/** How long a closing connection may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** Why a connection closed (/connz `reason`, log lines). */
export type CloseReason =
  | 'Client Closed'
  | 'Server Shutdown'
  | 'Protocol Violation'
  | 'Authentication Failure'
  | 'Authentication Timeout'
  | 'Maximum Payload Exceeded'
  | 'Maximum Control Line Exceeded'
  | 'Stale Connection'
  | 'Slow Consumer (Pending Bytes)'
  | 'Slow Consumer (Write Deadline)'
  | 'Maximum Connections Exceeded'
  | 'TLS Handshake Error'
  | 'Read Error'
  // Routes (nats-server's closedState texts).
  | 'Parse Error'
  | 'Duplicate Route'
  | 'Route Removed'
  | 'Cluster Name Conflict';

/** What a connection reaches of its server. */
export interface ConnContext {
  readonly opts: NatsOptions;
  readonly log: Logger;
  /** Ops parsed from all connections (summed once per socket chunk). */
  opsParsed: number;
}

/** The rules of one kind of connection, called back by its Conn. */
export interface ConnKind {
  /**
   * Processes one op record (parse errors never reach it). Returns a
   * promise when the next op must wait for this one (authentication, a
   * producer stalled on a backlogged consumer): the
   * Conn stops reading until it settles. The promise must not reject; a
   * kind handles its own failures (closing the Conn, usually).
   */
  dispatch(kind: number, src: Buffer, ops: Uint32Array, at: number): Promise<void> | undefined;
  /** The Conn closed (closeReason is set): release what the kind holds. Called once. */
  onClose(reason: CloseReason): void;
  /** The prefix of this connection's trace lines. */
  traceName(): string;
  /** How nats-server names this connection in log lines (default: Conn.who). */
  logName?(): string;
}

/** Records left to process while the loop waits for an op to finish. */
interface Paused {
  chunk: Buffer;
  ops: Uint32Array;
  count: number;
  next: number;
  carry: Buffer | undefined;
}

export class Conn implements BacklogOwner {
  readonly parser: ProtocolParser;
  readonly outbound: Outbound;
  readonly start = new Date();
  closed = false;
  closeReason: CloseReason | undefined;
  // Statistics for /connz and /varz.
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  lastActivity = Date.now();
  pingsOut = 0;
  #paused: Paused | null = null;
  #pingTimer: LongTimer | undefined;
  /** Created the first time the socket holds bytes it has not written. */
  #backlog: Backlog | undefined;

  constructor(
    readonly kind: ConnKind,
    readonly ctx: ConnContext,
    readonly socket: Socket,
    readonly ip: string,
    readonly port: number,
    /** `ip:port - cid:N`: how log lines name this connection. */
    readonly who: string,
  ) {
    const o = ctx.opts;
    this.parser = core().newParser(o.maxControlLine, o.maxPayload);
    this.outbound = new Outbound(socket, (pending) => this.#flushed(pending));
  }

  // What the Backlog reads of its connection.
  get log(): Logger {
    return this.ctx.log;
  }
  get maxPending(): number {
    return this.ctx.opts.maxPending;
  }
  get writeDeadlineMs(): number {
    return this.ctx.opts.writeDeadlineMs;
  }
  pending(): number {
    return this.outbound.pending;
  }
  logName(): string {
    return this.kind.logName?.() ?? this.who;
  }
  drop(reason: 'Slow Consumer (Pending Bytes)' | 'Slow Consumer (Write Deadline)'): void {
    // nats-server drops a slow consumer without an -ERR.
    this.close(reason);
  }

  /**
   * After queuing a delivery: past half of max_pending, drops the
   * connection past max_pending, else opens a stall; true when the
   * producer should wait on it (stallWait).
   */
  queued(): boolean {
    const pending = this.outbound.pending;
    const max = this.ctx.opts.maxPending;
    // Backed up: watch the writes, so that a stall opened later ends as soon as they bring it below half.
    if (pending > max / 4) this.outbound.onWritten ??= this.#watchWrites;
    if (pending <= max / 2) return false;
    this.#backlog ??= new Backlog(this);
    return this.#backlog.overHalf(pending);
  }

  /** Write callback of a backed-up connection (Outbound.onWritten): ends its stall below half, stops when caught up. */
  readonly #watchWrites = (): void => {
    if (this.#backlog?.written() !== true && this.outbound.pending <= this.ctx.opts.maxPending / 4) this.outbound.onWritten = undefined;
  };

  /** A producer's wait while this connection's backlog is stalled; undefined when it is not. */
  stallWait(producer: string): Promise<void> | undefined {
    return this.#backlog?.wait(producer);
  }

  /** Sends INFO (when given) and starts reading; the socket is already TLS-wrapped if needed. */
  begin(info: Buffer | undefined): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.#consume(chunk));
    s.on('error', (err) => this.close('Read Error', undefined, err.message));
    s.on('close', () => this.close('Client Closed'));
    s.on('drain', () => this.#backlog?.drained());
    if (info) this.outbound.bytes(info);
    const interval = this.ctx.opts.pingIntervalMs;
    if (interval > 0) {
      this.#pingTimer = setLongInterval(() => this.#keepAlive(), interval, { unref: true });
    }
  }

  /** Sends an -ERR; closes the connection if the error does. */
  sendErr(e: ErrSpec, reason: CloseReason = 'Protocol Violation'): void {
    if (e.close) {
      this.close(reason, e);
      return;
    }
    if (this.ctx.log.traceEnabled) this.traceOut(`-ERR ${e.text}`);
    this.outbound.bytes(errLine(e));
  }

  /** Traces an op sent (`op` without CRLF); callers check log.traceEnabled. */
  traceOut(op: string): void {
    traceOut(this.ctx.log, this.kind.traceName(), op);
  }

  close(reason: CloseReason, err?: ErrSpec, detail?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    clearLongTimer(this.#pingTimer);
    this.#backlog?.close();
    this.kind.onClose(reason);
    const log = this.ctx.log;
    if (reason !== 'Client Closed' && reason !== 'Server Shutdown') {
      log.debug(`${this.who} - Closing connection: ${reason}${detail ? ` (${detail})` : ''}`);
    }
    if (err) {
      if (log.traceEnabled) this.traceOut(`-ERR ${err.text}`);
      this.outbound.bytes(errLine(err));
    }
    this.outbound.flush();
    this.outbound.close();
    this.parser.dispose();
    if (this.socket.destroyed) return;
    if (reason === 'Server Shutdown') {
      this.socket.destroySoon();
      return;
    }
    this.socket.end();
    // Not unref'd: a listener closing at shutdown waits for this socket.
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
  }

  #consume(chunk: Buffer): void {
    this.lastActivity = Date.now();
    let rest = chunk;
    while (!this.closed) {
      const count = this.parser.parse(rest);
      this.ctx.opsParsed += count;
      const ops = this.parser.ops;
      const status = ops[H_STATUS]!;
      const consumed = ops[H_CONSUMED]!;
      const carry = count > 0 && ops[HEADER_WORDS + R_KIND]! & FLAG_CARRY ? this.parser.carry() : undefined;
      // When the loop pauses, the saved header keeps status and consumed:
      // #resume parses the rest of the chunk after the saved records.
      if (!this.#run(rest, ops, count, 0, carry)) return;
      if (status & STATUS_FULL && consumed < rest.length) {
        rest = rest.subarray(consumed);
        continue;
      }
      return;
    }
  }

  /**
   * Processes records [from, count); false when closed or paused. An op
   * whose processing throws (a bug, or an in-process subscriber that let
   * an error escape) is logged at ERR level and skipped: the connection
   * and the server go on with the next op. One try per chunk, none per op.
   */
  #run(chunk: Buffer, ops: Uint32Array, count: number, from: number, carry: Buffer | undefined): boolean {
    // Read once per chunk: with -V off, tracing costs nothing more.
    const trace = this.ctx.log.traceEnabled;
    const kind = this.kind;
    let r = from;
    for (;;) {
      try {
        for (; r < count; r++) {
          const at = HEADER_WORDS + r * RECORD_WORDS;
          const word = ops[at + R_KIND]!;
          const src = word & FLAG_CARRY ? carry! : chunk;
          const op = word & KIND_MASK;
          if (trace) traceIn(this.ctx.log, kind.traceName(), op, src, ops, at);
          if (op === Op.ERROR) {
            this.#parseError(ops[at + R_NUM]!);
            return false;
          }
          const pending = kind.dispatch(op, src, ops, at);
          if (pending !== undefined) {
            this.#pause(chunk, ops, count, r + 1, carry, pending);
            return false;
          }
          if (this.closed) return false;
        }
        return true;
      } catch (err) {
        this.ctx.log.error(`${this.who} - Error processing op ${ops[HEADER_WORDS + r * RECORD_WORDS + R_KIND]! & KIND_MASK}: ${(err as Error).stack ?? err}`);
        if (this.closed) return false;
        r++;
      }
    }
  }

  /** Holds the rest of the chunk, and stops reading, until `done` settles. */
  #pause(chunk: Buffer, ops: Uint32Array, count: number, next: number, carry: Buffer | undefined, done: Promise<void>): void {
    // The parser reuses its ops array on the next parse: keep a copy.
    this.#paused = { chunk, ops: ops.slice(0, HEADER_WORDS + count * RECORD_WORDS), count, next, carry };
    this.socket.pause();
    done.then(
      () => this.#resume(),
      // Broken contract: never go on with the ops after it unchecked.
      (err: Error) => this.close('Protocol Violation', undefined, err.message),
    );
  }

  #resume(): void {
    const p = this.#paused;
    this.#paused = null;
    if (!p || this.closed) return;
    if (!this.#run(p.chunk, p.ops, p.count, p.next, p.carry)) return;
    const consumed = p.ops[H_CONSUMED]!;
    if (p.ops[H_STATUS]! & STATUS_FULL && consumed < p.chunk.length) this.#consume(p.chunk.subarray(consumed));
    if (!this.#paused && !this.closed) this.socket.resume();
  }

  #parseError(code: number): void {
    switch (code) {
      case ParseError.CONTROL_LINE:
        this.close('Maximum Control Line Exceeded', Err.MAX_CONTROL_LINE);
        break;
      case ParseError.MAX_PAYLOAD:
        this.close('Maximum Payload Exceeded', Err.MAX_PAYLOAD);
        break;
      case ParseError.UNKNOWN_OP:
        this.close('Protocol Violation', Err.UNKNOWN_OP);
        break;
      default:
        // Bad arguments: nats-server closes without an -ERR.
        this.close('Protocol Violation', undefined, `parse error ${code}`);
    }
  }

  #keepAlive(): void {
    const o = this.ctx.opts;
    if (Date.now() - this.lastActivity < o.pingIntervalMs && this.pingsOut === 0) return;
    if (this.pingsOut + 1 > o.pingMax) {
      this.close('Stale Connection', Err.STALE);
      return;
    }
    this.pingsOut++;
    if (this.ctx.log.traceEnabled) this.traceOut('PING');
    this.outbound.bytes(PING);
  }

  #flushed(socketPending: number): void {
    if (socketPending > 0) this.#backlog ??= new Backlog(this);
    this.#backlog?.flushed(socketPending);
  }
}
