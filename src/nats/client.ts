// One client connection over a socket (STAN-REFERENCE §1): sends INFO,
// feeds every socket chunk to the Rust parser in one call, dispatches the
// op records to ops/*, and owns the connection's timers (auth timeout,
// keep-alive) and its slow-consumer policy. Output goes through Outbound,
// one write per tick.

import type { Socket } from 'node:net';
import {
  FLAG_CARRY,
  FLAG_HAS_NUM,
  H_CONSUMED,
  H_STATUS,
  HEADER_WORDS,
  KIND_MASK,
  Op,
  ParseError,
  RECORD_WORDS,
  R_KIND,
  R_NUM,
  R_REPLY_OFF,
  R_SID_OFF,
  R_SUBJECT_OFF,
  STATUS_FULL,
  core,
  type ProtocolParser,
} from '../core/index.js';
import { optText, SubjectDecoder, text } from './args.js';
import { Outbound } from './outbound.js';
import { Err, errLine, msgLine, OK, PING, PONG, type ErrSpec } from './proto.js';
import type { NatsServer } from './server.js';
import type { Subscriber, Subscription } from './subscription.js';
import type { PermissionChecker } from './permissions.js';
import { processConnect } from './ops/connect.js';
import { processPub } from './ops/pub.js';
import { processSub, processUnsub } from './ops/sub.js';
import { traceIn, traceOut } from './trace.js';

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
  | 'Read Error';

/** Records left to process when a CONNECT waits for (async) authentication. */
interface Paused {
  chunk: Buffer;
  ops: Uint32Array;
  count: number;
  next: number;
  carry: Buffer | undefined;
}

export class Client implements Subscriber {
  readonly parser: ProtocolParser;
  readonly outbound: Outbound;
  readonly subs = new Map<string, Subscription>();
  readonly subjects = new SubjectDecoder();
  readonly replies = new SubjectDecoder();
  readonly start = new Date();
  // CONNECT options; nats-server's defaults when a key is absent.
  verbose = true;
  pedantic = true;
  echo = true;
  headers = false;
  noResponders = false;
  protocol = 0;
  name = '';
  lang = '';
  version = '';
  user: string | undefined;
  perms: PermissionChecker | null = null;
  /** A CONNECT was accepted (with credentials, where required). */
  connected = false;
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
  #authTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;

  constructor(
    readonly server: NatsServer,
    readonly cid: number,
    readonly socket: Socket,
    readonly ip: string,
    readonly port: number,
  ) {
    const o = server.opts;
    this.parser = core().newParser(o.maxControlLine, o.maxPayload);
    this.outbound = new Outbound(socket, (pending) => this.#watchDeadline(pending));
  }

  /** Sends INFO and starts reading; the socket is already TLS-wrapped if needed. */
  begin(info: Buffer | undefined): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.#consume(chunk));
    s.on('error', (err) => this.close('Read Error', undefined, err.message));
    s.on('close', () => this.close('Client Closed'));
    s.on('drain', () => this.#clearDeadline());
    if (info) this.outbound.bytes(info);
    const o = this.server.opts;
    if (this.server.auth.required) {
      this.#authTimer = setTimeout(() => {
        if (!this.connected) this.close('Authentication Timeout', Err.AUTH_TIMEOUT);
      }, this.server.authTimeoutMs);
    }
    if (o.pingIntervalMs > 0) {
      this.#pingTimer = setInterval(() => this.#keepAlive(), o.pingIntervalMs);
      this.#pingTimer.unref();
    }
  }

  deliver(sub: Subscription, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): void {
    if (this.closed) return;
    if (hdr >= 0 && !this.headers) {
      // A client that did not negotiate headers gets the message without them.
      payload = payload.subarray(hdr);
      hdr = -1;
    }
    if (this.server.log.traceEnabled) this.#traceOut(msgLine(subject, sub.sid, reply, hdr, payload.length).slice(0, -2));
    // allow_responses: receiving a request grants the right to answer it.
    if (reply !== undefined && this.perms !== null && this.perms.tracksReplies) this.perms.trackReply(reply);
    if (reply === undefined && hdr < 0) {
      let line = sub.line;
      if (line === undefined || sub.lineSubject !== subject || sub.lineSize !== payload.length) {
        line = Buffer.from(msgLine(subject, sub.sid, undefined, -1, payload.length));
        sub.line = line;
        sub.lineSubject = subject;
        sub.lineSize = payload.length;
      }
      this.outbound.msg(line, payload);
    } else {
      this.outbound.msg(msgLine(subject, sub.sid, reply, hdr, payload.length), payload);
    }
    this.outMsgs++;
    this.outBytes += payload.length;
    if (this.outbound.pending > this.server.opts.maxPending) {
      // nats-server drops a slow consumer without an -ERR.
      this.close('Slow Consumer (Pending Bytes)');
    }
  }

  released(sub: Subscription): void {
    if (this.subs.get(sub.sid) === sub) this.subs.delete(sub.sid);
  }

  /** Sends an -ERR; closes the connection if the error does. */
  sendErr(e: ErrSpec, reason: CloseReason = 'Protocol Violation'): void {
    if (e.close) {
      this.close(reason, e);
      return;
    }
    if (this.server.log.traceEnabled) this.#traceOut(`-ERR ${e.text}`);
    this.outbound.bytes(errLine(e));
  }

  sendOk(): void {
    if (!this.verbose) return;
    if (this.server.log.traceEnabled) this.#traceOut('OK');
    this.outbound.bytes(OK);
  }

  /** Marks the CONNECT accepted (after authentication, where required). */
  accept(perms: PermissionChecker | null, user: string | undefined): void {
    this.connected = true;
    this.perms = perms;
    this.user = user;
    clearTimeout(this.#authTimer);
    this.sendOk();
  }

  close(reason: CloseReason, err?: ErrSpec, detail?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    clearTimeout(this.#authTimer);
    clearInterval(this.#pingTimer);
    this.#clearDeadline();
    for (const sub of this.subs.values()) this.server.router.unsubscribe(sub);
    this.subs.clear();
    this.server.removeClient(this);
    const log = this.server.log;
    if (reason !== 'Client Closed' && reason !== 'Server Shutdown') {
      log.debug(`${this.ip}:${this.port} - cid:${this.cid} - Closing connection: ${reason}${detail ? ` (${detail})` : ''}`);
    }
    if (err) {
      if (log.traceEnabled) this.#traceOut(`-ERR ${err.text}`);
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
      this.server.opsParsed += count;
      const ops = this.parser.ops;
      const status = ops[H_STATUS]!;
      const consumed = ops[H_CONSUMED]!;
      const carry = count > 0 && ops[HEADER_WORDS + R_KIND]! & FLAG_CARRY ? this.parser.carry() : undefined;
      if (!this.#run(rest, ops, count, 0, carry)) {
        if (this.#paused && status & STATUS_FULL && consumed < rest.length) {
          // Parsed later, after the records already taken.
          this.#paused.chunk = Buffer.concat([this.#paused.chunk, rest.subarray(consumed)]);
        }
        return;
      }
      if (status & STATUS_FULL && consumed < rest.length) {
        rest = rest.subarray(consumed);
        continue;
      }
      return;
    }
  }

  /** Processes records [from, count); false when closed or paused. */
  #run(chunk: Buffer, ops: Uint32Array, count: number, from: number, carry: Buffer | undefined): boolean {
    // Read once per chunk: with -V off, tracing costs nothing more.
    const trace = this.server.log.traceEnabled;
    for (let r = from; r < count; r++) {
      const at = HEADER_WORDS + r * RECORD_WORDS;
      const src = ops[at + R_KIND]! & FLAG_CARRY ? carry! : chunk;
      const kind = ops[at + R_KIND]! & KIND_MASK;
      if (trace) traceIn(this.server.log, this.#traceName(), kind, src, ops, at);
      if (!this.connected && kind !== Op.CONNECT && kind !== Op.ERROR && this.server.auth.required) {
        this.close('Authentication Failure', Err.AUTH_VIOLATION);
        return false;
      }
      switch (kind) {
        case Op.PUB:
        case Op.HPUB:
          processPub(this, kind === Op.HPUB, src, ops, at);
          break;
        case Op.SUB:
          processSub(this, text(src, ops, at + R_SUBJECT_OFF), optText(src, ops, at + R_REPLY_OFF), text(src, ops, at + R_SID_OFF));
          break;
        case Op.UNSUB:
          processUnsub(this, text(src, ops, at + R_SID_OFF), ops[at + R_KIND]! & FLAG_HAS_NUM ? ops[at + R_NUM]! : -1);
          break;
        case Op.PING:
          if (trace) this.#traceOut('PONG');
          this.outbound.bytes(PONG);
          break;
        case Op.PONG:
          this.pingsOut = 0;
          break;
        case Op.CONNECT: {
          const pending = processConnect(this, text(src, ops, at + R_SUBJECT_OFF));
          if (pending) {
            this.#pause(chunk, ops, count, r + 1, carry, pending);
            return false;
          }
          break;
        }
        case Op.INFO:
        case Op.OK:
        case Op.ERR:
          break; // Accepted and ignored from clients, as nats-server does.
        case Op.ERROR:
          this.#parseError(ops[at + R_NUM]!);
          return false;
        default:
          // MSG and HMSG are server-to-client ops.
          this.close('Protocol Violation', Err.UNKNOWN_OP);
          return false;
      }
      if (this.closed) return false;
    }
    return true;
  }

  /** Holds the rest of the chunk until authentication finishes. */
  #pause(chunk: Buffer, ops: Uint32Array, count: number, next: number, carry: Buffer | undefined, done: Promise<void>): void {
    this.#paused = { chunk, ops: ops.slice(0, HEADER_WORDS + count * RECORD_WORDS), count, next, carry };
    this.socket.pause();
    done.then(
      () => this.#resume(),
      (err: Error) => this.close('Authentication Failure', Err.AUTH_VIOLATION, err.message),
    );
  }

  #resume(): void {
    const p = this.#paused;
    this.#paused = null;
    if (!p || this.closed) return;
    if (!this.#run(p.chunk, p.ops, p.count, p.next, p.carry)) return;
    const status = p.ops[H_STATUS]!;
    const consumed = p.ops[H_CONSUMED]!;
    if (status & STATUS_FULL && consumed < p.chunk.length) this.#consume(p.chunk.subarray(consumed));
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
    const o = this.server.opts;
    if (Date.now() - this.lastActivity < o.pingIntervalMs && this.pingsOut === 0) return;
    if (this.pingsOut + 1 > o.pingMax) {
      this.close('Stale Connection', Err.STALE);
      return;
    }
    this.pingsOut++;
    if (this.server.log.traceEnabled) this.#traceOut('PING');
    this.outbound.bytes(PING);
  }

  /** `ip:port - cid:N`, then the client's name once CONNECT gave one (nats-server's trace prefix). */
  #traceName(): string {
    const id = `${this.ip}:${this.port} - cid:${this.cid}`;
    return this.name === '' ? id : `${id} - ${JSON.stringify(this.name)}`;
  }

  /** Traces an op sent, as nats-server's traceOutOp (`->> [MSG foo 1 5]`); callers check traceEnabled. */
  #traceOut(op: string): void {
    traceOut(this.server.log, this.#traceName(), op);
  }

  #watchDeadline(socketPending: number): void {
    if (socketPending === 0 || this.#deadline) return;
    this.#deadline = setTimeout(() => this.close('Slow Consumer (Write Deadline)'), this.server.opts.writeDeadlineMs);
    this.#deadline.unref();
  }

  #clearDeadline(): void {
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }
}
