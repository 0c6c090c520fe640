// The raw STAN client of the tests: streaming-protocol requests built by
// hand with our pb codecs and sent over the `nats` v2 package, so that
// exact error texts, reply bytes and wire order can be checked where
// node-nats-streaming would hide them. RawStan sends any request for any
// client ID; RawSession is one client it registered (heartbeats answered),
// publishing and subscribing as that client.

import { connect, createInbox, type NatsConnection, type Subscription } from 'nats';
import * as pb from '../../src/pb/protocol.js';
import { nuid } from '../../src/streaming/nuid.js';

export const CLUSTER = 'test-cluster';
export const DISCOVER = `_STAN.discover.${CLUSTER}`;
export const PINGS = `${DISCOVER}.pings`;
export const PUB_PREFIX = `_STAN.pub.${CLUSTER}`;
export const CLOSE = `_STAN.close.${CLUSTER}`;
const SUB = `_STAN.sub.${CLUSTER}`;
const UNSUB = `_STAN.unsub.${CLUSTER}`;
const SUB_CLOSE = `_STAN.subclose.${CLUSTER}`;

/** Bytes no pb message decodes: field 1, length 16, one byte present. */
export const GARBAGE = Uint8Array.from([0x0a, 0x10, 0x41]);

/** How long a request waits for its reply unless told. */
const REQUEST_TIMEOUT_MS = 3000;

/** The text of an error as node-nats-streaming or nats emit it (node-nats-streaming emits server errors as strings). */
export function errText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * A heartbeat inbox served over a raw connection: every request that
 * arrives is counted; it is answered (empty) only while `answering`.
 */
export class HbInbox {
  readonly subject = createInbox();
  answering = true;
  received = 0;
  unanswered = 0;
  /** Called on each request, before it is answered (or not). */
  onRequest: (() => void) | undefined;
  readonly #sub;

  constructor(nc: NatsConnection) {
    this.#sub = nc.subscribe(this.subject, {
      callback: (err, m) => {
        if (err !== null) return;
        this.received++;
        if (!this.answering) this.unanswered++;
        this.onRequest?.();
        if (this.answering) m.respond(new Uint8Array(0));
      },
    });
  }

  unsubscribe(): void {
    this.#sub.unsubscribe();
  }
}

/** A raw connection speaking the streaming protocol for any client ID. */
export class RawStan {
  /** The payload of the last reply received (to check zero-length successes). */
  lastReply: Uint8Array = new Uint8Array(0);

  constructor(readonly nc: NatsConnection) {}

  static async open(url: string, name = 'stan-raw-test'): Promise<RawStan> {
    return new RawStan(await connect({ servers: url, name, reconnect: false }));
  }

  /** One request; the raw reply bytes (rejects on timeout or no responders). */
  async request(subject: string, data: Uint8Array, timeout = REQUEST_TIMEOUT_MS): Promise<Uint8Array> {
    const m = await this.nc.request(subject, data, { timeout });
    this.lastReply = m.data;
    return m.data;
  }

  /** A ConnectRequest as given (no heartbeats answered unless its inbox is served). */
  async connect(req: pb.Init<pb.ConnectRequest>, discover = DISCOVER): Promise<pb.ConnectResponse> {
    return pb.ConnectResponse.decode(await this.request(discover, pb.ConnectRequest.encode(req)));
  }

  /** Connects `clientID` with an inbox that answers its heartbeats; rejects with the server's error. */
  async register(clientID: string, o: { pingInterval?: number; pingMaxOut?: number; discover?: string } = {}): Promise<RawSession> {
    const hb = new HbInbox(this.nc);
    const connID = Buffer.from(nuid.next());
    const resp = await this.connect(
      { clientID, heartbeatInbox: hb.subject, protocol: 1, connID, pingInterval: o.pingInterval ?? 5, pingMaxOut: o.pingMaxOut ?? 88 },
      o.discover,
    );
    if (resp.error !== '') {
      hb.unsubscribe();
      throw new Error(resp.error);
    }
    return new RawSession(this, clientID, connID, resp, hb);
  }

  /** A CloseRequest for `clientID`: the raw CloseResponse bytes. */
  closeClient(clientID: string, subject = CLOSE): Promise<Uint8Array> {
    return this.request(subject, pb.CloseRequest.encode({ clientID }));
  }

  /** A client PING: the raw PingResponse bytes. */
  ping(connID: Uint8Array): Promise<Uint8Array> {
    return this.request(PINGS, pb.Ping.encode({ connID }));
  }

  /** Publishes a PubMsg as given and decodes its PubAck. */
  async publish(msg: { clientID: string; connID?: Uint8Array; guid: string; subject: string; data?: Uint8Array }): Promise<pb.PubAck> {
    const bytes = pb.PubMsg.encode({ ...msg, data: msg.data ?? new Uint8Array([1, 2, 3]) });
    return pb.PubAck.decode(await this.request(`${PUB_PREFIX}.${msg.subject}`, bytes));
  }

  async subscribeBytes(data: Uint8Array, subject = SUB): Promise<pb.SubscriptionResponse> {
    return pb.SubscriptionResponse.decode(await this.request(subject, data));
  }

  subscribe(req: pb.Init<pb.SubscriptionRequest>, subject = SUB): Promise<pb.SubscriptionResponse> {
    return this.subscribeBytes(pb.SubscriptionRequest.encode(req), subject);
  }

  /** An unsubscribe (close=false) or subscription-close request. */
  async unsubBytes(data: Uint8Array, close: boolean): Promise<pb.SubscriptionResponse> {
    return pb.SubscriptionResponse.decode(await this.request(close ? SUB_CLOSE : UNSUB, data));
  }

  unsub(req: pb.Init<pb.UnsubscribeRequest>, close: boolean): Promise<pb.SubscriptionResponse> {
    return this.unsubBytes(pb.UnsubscribeRequest.encode(req), close);
  }

  /** Listens on a subject with a callback (messages in arrival order). */
  listen(subject: string, cb: (data: Uint8Array) => void): Subscription {
    return this.nc.subscribe(subject, { callback: (_e, m) => cb(m.data) });
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}

export interface RawSub {
  inbox: string;
  ackInbox: string;
  got: pb.MsgProto[];
  ack(seq: number): void;
  nsub: Subscription;
}

/** A client registered by a RawStan: publishes and subscribes as it. */
export class RawSession {
  readonly #owned: boolean;

  constructor(
    readonly raw: RawStan,
    readonly clientId: string,
    readonly connId: Uint8Array,
    readonly resp: pb.ConnectResponse,
    private readonly hb: HbInbox,
    owned = false,
  ) {
    this.#owned = owned;
  }

  /** Opens its own connection and registers `clientId` on it; close() closes both. */
  static async connect(url: string, clientId: string): Promise<RawSession> {
    const raw = await RawStan.open(url, `raw-${clientId}`);
    const s = await raw.register(clientId, { pingInterval: 5, pingMaxOut: 3 });
    return new RawSession(raw, s.clientId, s.connId, s.resp, s.hb, true);
  }

  get nc(): NatsConnection {
    return this.raw.nc;
  }

  /** A PubMsg of this client (connID set) with the given fields. */
  pubMsg(channel: string, data: string | Uint8Array, over: Partial<pb.PubMsg> = {}): Buffer {
    return pb.PubMsg.encode({
      clientID: this.clientId,
      guid: nuid.next(),
      subject: channel,
      data: typeof data === 'string' ? Buffer.from(data) : data,
      connID: this.connId,
      ...over,
    });
  }

  /**
   * Sends raw bytes to `<pubPrefix>.<natsSuffix>` as a request; resolves with
   * the raw PubAck bytes, or undefined if nothing answered within `timeout`.
   */
  async publishBytes(natsSuffix: string, bytes: Uint8Array, timeout = REQUEST_TIMEOUT_MS): Promise<Uint8Array | undefined> {
    try {
      return await this.raw.request(`${this.resp.pubPrefix}.${natsSuffix}`, bytes, timeout);
    } catch (err) {
      if (/TIMEOUT/i.test(String((err as { code?: string }).code ?? err))) return undefined;
      throw err;
    }
  }

  /** Publishes a PubMsg (defaults from pubMsg()) and decodes its PubAck. */
  async publish(channel: string, data: string | Uint8Array, over: Partial<pb.PubMsg> = {}, natsSuffix = channel): Promise<pb.PubAck> {
    const raw = await this.publishBytes(natsSuffix, this.pubMsg(channel, data, over));
    if (raw === undefined) throw new Error(`no PubAck for a publish on ${channel}`);
    return pb.PubAck.decode(raw);
  }

  /** Subscribes with a raw SubscriptionRequest; auto-acks unless `manual`. */
  async subscribe(
    channel: string,
    o: { startPosition?: number; maxInFlight?: number; ackWaitInSecs?: number; manual?: boolean } = {},
  ): Promise<RawSub> {
    const inbox = createInbox();
    const got: pb.MsgProto[] = [];
    let ackInbox = '';
    // Messages may be handled before the code awaiting the SubscriptionResponse
    // runs (same socket read): their acks wait for the ack inbox.
    const early: number[] = [];
    const ack = (seq: number) => {
      if (ackInbox === '') early.push(seq);
      else this.nc.publish(ackInbox, pb.Ack.encode({ subject: channel, sequence: seq }));
    };
    const nsub = this.nc.subscribe(inbox, {
      callback: (_e, m) => {
        const msg = pb.MsgProto.decode(m.data);
        got.push(msg);
        if (!o.manual) ack(msg.sequence);
      },
    });
    const r = await this.raw.subscribe(
      {
        clientID: this.clientId,
        subject: channel,
        inbox,
        maxInFlight: o.maxInFlight ?? 1024,
        ackWaitInSecs: o.ackWaitInSecs ?? 30,
        startPosition: o.startPosition ?? pb.StartPosition.First,
      },
      this.resp.subRequests,
    );
    if (r.error !== '') {
      nsub.unsubscribe();
      throw new Error(r.error);
    }
    ackInbox = r.ackInbox;
    for (const seq of early.splice(0)) ack(seq);
    return { inbox, ackInbox, got, ack, nsub };
  }

  /** Sends the CloseRequest (and closes the connection it opened itself). */
  async close(): Promise<void> {
    try {
      await this.raw.closeClient(this.clientId, this.resp.closeRequests);
    } catch {
      // the server may be gone already
    }
    this.hb.unsubscribe();
    if (this.#owned) await this.raw.close();
  }
}
