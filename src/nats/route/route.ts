// The route kind of connection (nats-server 2.9 route.go): the rules a Conn
// follows when its peer is another server of the cluster. It answers the
// handshake (CONNECT with the cluster credentials on an accepted route,
// INFO on both sides), keeps the remote interest (RS+/RS- with queue
// weights) as subscriptions of the cluster's remote router, delivers RMSG
// and HMSG to local subscribers only (a message never takes a second
// hop), and writes the routed messages that the cluster forwards to it.

import type { Socket } from 'node:net';
import { FLAG_HAS_NUM, FLAG_OTHER_ACCOUNT, Op, R_KIND, R_NUM, R_REPLY_LEN, R_REPLY_OFF, R_SID_LEN, R_SUBJECT_OFF } from '../../core/index.js';
import { jsonObject, optText, payloadOf, SubjectDecoder, text } from '../args.js';
import { Conn, type CloseReason, type ConnKind } from '../conn.js';
import { processPing, processPong } from '../ops/ping.js';
import { Err } from '../proto.js';
import type { Subscription } from '../subscription.js';
import { clearLongTimer, setLongTimeout, type LongTimer } from '../../timers/long.js';
import type { RouteHost } from './host.js';
import { GLOBAL_ACCOUNT, rmsgLine, type RouteConnect, type RouteInfo } from './proto.js';

export class Route implements ConnKind {
  readonly conn: Conn;
  readonly echo = true;
  readonly perms = null;
  /** The remote's INFO, once received (registration happens then). */
  info: RouteInfo | undefined;
  /** Registered in the cluster (not a duplicate, not closed). */
  registered = false;
  /** A CONNECT was accepted (always true on a route we solicited). */
  connected: boolean;
  /** Remote interest: `subject` or `subject queue` → its subscription in the remote router. */
  readonly subs = new Map<string, Subscription>();
  /** Queue weights of the remote queue subscriptions. */
  readonly weights = new Map<Subscription, number>();
  readonly #subjects = new SubjectDecoder();
  readonly #replies = new SubjectDecoder();
  #authTimer: LongTimer | undefined;
  // The last plain RMSG line, reused for a stream on one subject and size.
  #line: Buffer | undefined;
  #lineSubject = '';
  #lineSize = -1;

  constructor(
    readonly host: RouteHost,
    readonly cid: number,
    socket: Socket,
    ip: string,
    port: number,
    /** The URL we dialled, for a solicited route. */
    readonly url: URL | undefined,
  ) {
    this.conn = new Conn(this, host.ctx, socket, ip, port, `${ip}:${port} - rid:${cid}`);
    // Routed ops, one native parse per chunk as for clients.
    this.conn.parser.setRoute(true);
    this.connected = url !== undefined;
  }

  get solicited(): boolean {
    return this.url !== undefined;
  }

  /** Sends CONNECT (when soliciting) and INFO, starts reading and, if credentials are required, the CONNECT timer. */
  begin(first: string): void {
    this.conn.begin(Buffer.from(first));
    if (!this.connected && this.host.authRequired) {
      this.#authTimer = setLongTimeout(() => {
        if (!this.connected) this.conn.close('Authentication Timeout', Err.AUTH_TIMEOUT);
      }, this.host.authTimeoutMs);
    }
  }

  dispatch(kind: number, src: Buffer, ops: Uint32Array, at: number): Promise<void> | undefined {
    if (kind === Op.RMSG && this.registered) {
      this.#routedMsg(src, ops, at, -1);
      return undefined;
    }
    if (!this.connected && kind !== Op.CONNECT && kind !== Op.PING && kind !== Op.PONG) {
      // Nothing but CONNECT from a route that must log in first.
      this.#authViolation();
      return undefined;
    }
    switch (kind) {
      case Op.RMSG:
      case Op.MSG:
        if (this.registered) this.#routedMsg(src, ops, at, -1);
        break;
      case Op.HMSG:
        if (this.registered) this.#routedMsg(src, ops, at, ops[at + R_NUM]!);
        break;
      case Op.RS_SUB:
        if (this.registered) this.#remoteSub(src, ops, at);
        break;
      case Op.RS_UNSUB:
        if (this.registered) this.#remoteUnsub(src, ops, at);
        break;
      case Op.PING:
        processPing(this.conn);
        break;
      case Op.PONG:
        processPong(this.conn);
        break;
      case Op.CONNECT:
        this.#connect(text(src, ops, at + R_SUBJECT_OFF));
        break;
      case Op.INFO:
        this.#info(text(src, ops, at + R_SUBJECT_OFF));
        break;
      case Op.ERR:
        this.host.ctx.log.error(`${this.conn.who} - Route Error ${text(src, ops, at + R_SUBJECT_OFF)}`);
        this.conn.close('Parse Error');
        break;
      case Op.OK:
        break;
      default:
        this.conn.close('Protocol Violation', Err.UNKNOWN_OP);
    }
    return undefined;
  }

  #connect(json: string): void {
    let c: RouteConnect;
    try {
      c = jsonObject<RouteConnect>(json);
    } catch (err) {
      this.conn.close('Protocol Violation', undefined, `bad CONNECT: ${(err as Error).message}`);
      return;
    }
    if (this.solicited) return; // nats-server ignores a CONNECT on a route it dialled.
    if (!this.host.authorize(c)) {
      this.#authViolation();
      return;
    }
    if (typeof c.cluster === 'string' && c.cluster !== this.host.clusterName && !this.host.adoptClusterName(c.cluster, c.dynamic === true, this)) {
      this.host.ctx.log.error(`${this.conn.who} - Rejecting connection, cluster name "${c.cluster}" does not match "${this.host.clusterName}"`);
      this.conn.close('Cluster Name Conflict', { text: 'Cluster Name Conflict', close: true });
      return;
    }
    this.connected = true;
    clearLongTimer(this.#authTimer);
  }

  /** nats-server's authViolation for a route: the log line, -ERR 'Authorization Violation', close. */
  #authViolation(): void {
    this.host.ctx.log.error(`${this.conn.who} - authentication error`);
    this.conn.close('Authentication Failure', Err.AUTH_VIOLATION);
  }

  #info(json: string): void {
    let info: RouteInfo;
    try {
      info = jsonObject<RouteInfo>(json);
      if (typeof info.server_id !== 'string') throw new Error('no server_id');
    } catch (err) {
      this.conn.close('Protocol Violation', undefined, `bad INFO: ${(err as Error).message}`);
      return;
    }
    if (this.info === undefined) {
      if (info.server_id === this.host.serverId) {
        // A route to ourselves (a listed URL that is our own listener).
        this.host.forgetSelf(this);
        this.conn.close('Duplicate Route');
        return;
      }
      const cluster = info.cluster;
      if (typeof cluster === 'string' && cluster !== '' && cluster !== this.host.clusterName && !this.host.adoptClusterName(cluster, info.dynamic === true, this)) {
        this.conn.close('Cluster Name Conflict');
        return;
      }
      this.info = info;
      if (!this.host.register(this)) {
        this.host.ctx.log.debug(`${this.conn.who} - Detected duplicate remote route "${info.server_id}"`);
        this.conn.close('Duplicate Route');
      }
      return;
    }
    if (info.server_id !== this.info.server_id) {
      // Gossip: the remote tells us about another server of the cluster.
      this.host.implicitRoute(info);
      return;
    }
    const before = this.info;
    this.info = info;
    this.host.infoUpdated(this, before);
  }

  #remoteSub(src: Buffer, ops: Uint32Array, at: number): void {
    if (text(src, ops, at + 5) !== GLOBAL_ACCOUNT) return; // No accounts here: only $G interest matters.
    const subject = text(src, ops, at + R_SUBJECT_OFF);
    const queue = ops[at + R_REPLY_LEN] ? text(src, ops, at + R_REPLY_OFF) : null;
    if (!this.host.canExport(subject)) {
      this.host.ctx.log.debug(`${this.conn.who} - Can not export "${subject}", ignoring remote subscription request`);
      return;
    }
    const key = queue === null ? subject : `${subject} ${queue}`;
    const weight = queue !== null && ops[at + R_KIND]! & FLAG_HAS_NUM ? Math.max(1, ops[at + R_NUM]!) : 1;
    const had = this.subs.get(key);
    if (had !== undefined) {
      this.weights.set(had, weight);
      return;
    }
    const sub = this.host.remote.subscribe(this, subject, queue, key);
    if (typeof sub === 'number') {
      this.host.ctx.log.error(`${this.conn.who} - Could not insert subscription: invalid subject "${subject}"`);
      return;
    }
    this.subs.set(key, sub);
    if (queue !== null) this.weights.set(sub, weight);
  }

  #remoteUnsub(src: Buffer, ops: Uint32Array, at: number): void {
    if (text(src, ops, at + 5) !== GLOBAL_ACCOUNT) return;
    const subject = text(src, ops, at + R_SUBJECT_OFF);
    const queue = optText(src, ops, at + R_REPLY_OFF);
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const sub = this.subs.get(key);
    if (sub === undefined) return;
    this.subs.delete(key);
    this.weights.delete(sub);
    this.host.remote.unsubscribe(sub);
  }

  #routedMsg(src: Buffer, ops: Uint32Array, at: number, hdr: number): void {
    const conn = this.conn;
    const payload = payloadOf(src, ops, at);
    conn.inMsgs++;
    conn.inBytes += payload.length;
    if (ops[at + R_KIND]! & FLAG_OTHER_ACCOUNT) return;
    const subject = this.#subjects.decode(src, ops, at + R_SUBJECT_OFF);
    if (!this.host.canImport(subject)) return;
    const reply = ops[at + R_REPLY_LEN] ? this.#replies.decode(src, ops, at + R_REPLY_OFF) : undefined;
    const queues = ops[at + R_SID_LEN] ? text(src, ops, at + 5).split(/[ \t]+/) : undefined;
    this.host.local.routed(subject, reply, queues, payload, hdr);
  }

  /** Writes a routed message (the cluster decided this route wants it). */
  send(subject: string, reply: string | undefined, queues: readonly string[] | undefined, payload: Uint8Array, hdr: number): void {
    const conn = this.conn;
    if (conn.closed) return;
    if (hdr >= 0 && this.info !== undefined && !this.info.headers) {
      payload = payload.subarray(hdr);
      hdr = -1;
    }
    if (this.host.ctx.log.traceEnabled) conn.traceOut(rmsgLine(subject, reply, queues, hdr, payload.length).slice(0, -2));
    if (reply === undefined && queues === undefined && hdr < 0) {
      let line = this.#line;
      if (line === undefined || this.#lineSubject !== subject || this.#lineSize !== payload.length) {
        line = Buffer.from(rmsgLine(subject, undefined, undefined, -1, payload.length));
        this.#line = line;
        this.#lineSubject = subject;
        this.#lineSize = payload.length;
      }
      conn.outbound.msg(line, payload);
    } else {
      conn.outbound.msg(rmsgLine(subject, reply, queues, hdr, payload.length), payload);
    }
    conn.outMsgs++;
    conn.outBytes += payload.length;
    if (conn.outbound.pending > this.host.ctx.opts.maxPending) conn.close('Slow Consumer (Pending Bytes)');
  }

  /** Sends protocol lines (RS+/RS-, INFO) as they are. */
  sendProto(lines: string): void {
    if (this.conn.closed || lines === '') return;
    this.conn.outbound.text(lines);
  }

  // A route is the owner of its subscriptions in the remote router; the
  // cluster writes to it directly, never through deliver().
  deliver(): void {}
  released(): void {}

  onClose(reason: CloseReason): void {
    clearLongTimer(this.#authTimer);
    for (const sub of this.subs.values()) this.host.remote.unsubscribe(sub);
    this.subs.clear();
    this.weights.clear();
    this.host.closed(this, reason);
  }

  traceName(): string {
    return this.conn.who;
  }
}
