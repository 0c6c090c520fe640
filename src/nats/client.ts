// The client kind of connection (STAN-REFERENCE §1): the rules a Conn
// follows when its peer is a NATS client. It holds the CONNECT options and
// the login, runs the authentication timer, dispatches the client ops to
// ops/*.ts (no op but CONNECT before a login, where one is required; MSG
// and HMSG are server-to-client ops, a violation here), and formats the
// MSG/HMSG lines of deliveries, reusing a subscription's last line.

import type { Socket } from 'node:net';
import { FLAG_HAS_NUM, Op, R_KIND, R_NUM, R_REPLY_OFF, R_SID_OFF, R_SUBJECT_OFF } from '../core/index.js';
import { optText, SubjectDecoder, text } from './args.js';
import { Conn, type CloseReason, type ConnKind } from './conn.js';
import type { ClientConn, NatsContext } from './context.js';
import { processConnect } from './ops/connect.js';
import { processPing, processPong } from './ops/ping.js';
import { processPub } from './ops/pub.js';
import { processSub } from './ops/sub.js';
import { processUnsub } from './ops/unsub.js';
import type { PermissionChecker } from './permissions.js';
import { Err, msgLine, OK } from './proto.js';
import type { Subscription } from './subscription.js';
import { clearLongTimer, setLongTimeout, type LongTimer } from '../timers/long.js';

export class Client implements ClientConn, ConnKind {
  readonly conn: Conn;
  readonly subs = new Map<string, Subscription>();
  readonly subjects = new SubjectDecoder();
  readonly replies = new SubjectDecoder();
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
  #authTimer: LongTimer | undefined;

  constructor(
    readonly ctx: NatsContext,
    readonly cid: number,
    socket: Socket,
    ip: string,
    port: number,
  ) {
    this.conn = new Conn(this, ctx, socket, ip, port, `${ip}:${port} - cid:${cid}`);
  }

  /** Sends INFO (when given), starts reading and the authentication timer. */
  begin(info: Buffer | undefined): void {
    this.conn.begin(info);
    if (this.ctx.auth.required) {
      this.#authTimer = setLongTimeout(() => {
        if (!this.connected) this.conn.close('Authentication Timeout', Err.AUTH_TIMEOUT);
      }, this.ctx.authTimeoutMs);
    }
  }

  // What /connz, /varz and /metrics read of a client connection.
  get ip(): string {
    return this.conn.ip;
  }
  get port(): number {
    return this.conn.port;
  }
  get socket(): Socket {
    return this.conn.socket;
  }
  get outbound(): Conn['outbound'] {
    return this.conn.outbound;
  }
  get start(): Date {
    return this.conn.start;
  }
  get lastActivity(): number {
    return this.conn.lastActivity;
  }
  get inMsgs(): number {
    return this.conn.inMsgs;
  }
  get inBytes(): number {
    return this.conn.inBytes;
  }
  get outMsgs(): number {
    return this.conn.outMsgs;
  }
  get outBytes(): number {
    return this.conn.outBytes;
  }

  dispatch(kind: number, src: Buffer, ops: Uint32Array, at: number): Promise<void> | undefined {
    // PUB of a logged-in client first and alone: this method stays small
    // enough for the JIT to inline it, and PUB with it, into Conn's loop.
    if (kind === Op.PUB && this.connected) return processPub(this.ctx, this, false, src, ops, at);
    return this.#dispatch(kind, src, ops, at);
  }

  #dispatch(kind: number, src: Buffer, ops: Uint32Array, at: number): Promise<void> | undefined {
    if (!this.connected && kind !== Op.CONNECT && this.ctx.auth.required) {
      this.conn.close('Authentication Failure', Err.AUTH_VIOLATION);
      return undefined;
    }
    switch (kind) {
      case Op.PUB:
        return processPub(this.ctx, this, false, src, ops, at);
      case Op.HPUB:
        return processPub(this.ctx, this, true, src, ops, at);
      case Op.SUB:
        processSub(this.ctx, this, text(src, ops, at + R_SUBJECT_OFF), optText(src, ops, at + R_REPLY_OFF), text(src, ops, at + R_SID_OFF));
        break;
      case Op.UNSUB:
        processUnsub(this.ctx, this, text(src, ops, at + R_SID_OFF), ops[at + R_KIND]! & FLAG_HAS_NUM ? ops[at + R_NUM]! : -1);
        break;
      case Op.PING:
        processPing(this.conn);
        break;
      case Op.PONG:
        processPong(this.conn);
        break;
      case Op.CONNECT:
        return processConnect(this.ctx, this, text(src, ops, at + R_SUBJECT_OFF));
      case Op.INFO:
      case Op.OK:
      case Op.ERR:
        break; // Accepted and ignored from clients, as nats-server does.
      default:
        // MSG and HMSG are server-to-client ops.
        this.conn.close('Protocol Violation', Err.UNKNOWN_OP);
    }
    return undefined;
  }

  deliver(sub: Subscription, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): void {
    const conn = this.conn;
    if (conn.closed) return;
    if (hdr >= 0 && !this.headers) {
      // A client that did not negotiate headers gets the message without them.
      payload = payload.subarray(hdr);
      hdr = -1;
    }
    if (this.ctx.log.traceEnabled) conn.traceOut(msgLine(subject, sub.sid, reply, hdr, payload.length).slice(0, -2));
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
      conn.outbound.msg(line, payload);
    } else {
      conn.outbound.msg(msgLine(subject, sub.sid, reply, hdr, payload.length), payload);
    }
    conn.outMsgs++;
    conn.outBytes += payload.length;
    // Past half of max_pending the producer is made to wait (ops/pub.ts).
    if (conn.queued()) this.ctx.router.stalled = conn;
  }

  released(sub: Subscription): void {
    if (this.subs.get(sub.sid) === sub) this.subs.delete(sub.sid);
  }

  sendOk(): void {
    if (!this.verbose) return;
    if (this.ctx.log.traceEnabled) this.conn.traceOut('OK');
    this.conn.outbound.bytes(OK);
  }

  accept(perms: PermissionChecker | null, user: string | undefined): void {
    this.connected = true;
    this.perms = perms;
    this.user = user;
    clearLongTimer(this.#authTimer);
    this.sendOk();
  }

  onClose(_reason: CloseReason): void {
    clearLongTimer(this.#authTimer);
    for (const sub of this.subs.values()) this.ctx.router.unsubscribe(sub);
    this.subs.clear();
    this.ctx.removeClient(this.cid);
  }

  /**
   * nats-server's name of a client connection in log lines: `ip:port -
   * cid:N`, then `- "v<version>:<lang>:<name>"` of what CONNECT gave.
   */
  logName(): string {
    let ncs = this.version === '' ? '' : `v${this.version}`;
    if (this.lang !== '') ncs = ncs === '' ? this.lang : `${ncs}:${this.lang}`;
    if (this.name !== '') ncs = ncs === '' ? this.name : `${ncs}:${this.name}`;
    return ncs === '' ? this.conn.who : `${this.conn.who} - ${JSON.stringify(ncs)}`;
  }

  /** `ip:port - cid:N`, then the client's name once CONNECT gave one (nats-server's trace prefix). */
  traceName(): string {
    return this.name === '' ? this.conn.who : `${this.conn.who} - ${JSON.stringify(this.name)}`;
  }
}
