// Helpers for the streaming delivery and publish tests
// (test/streaming/delivery.test.ts, publish.test.ts): the two server
// variants (embedded, -ns on Debian's nats-server), node-nats-streaming
// subscriptions that record what they receive, and a raw client over the
// `nats` v2 package speaking the pb protocol with our codecs, for exact
// texts and raw fields (PubAck bytes, MsgProto timestamps).

import { connect as natsConnect, createInbox, type NatsConnection, type Subscription as NatsSub } from 'nats';
import * as pb from '../../src/pb/protocol.js';
import { nuid } from '../../src/streaming/nuid.js';
import { haveNatsServer, sleep, until } from './stan.js';

export interface Variant {
  name: string;
  external: boolean;
}

/** The embedded server, and -ns on Debian's nats-server when it is installed. */
export function variants(file: string): Variant[] {
  const out: Variant[] = [{ name: 'embedded', external: false }];
  if (haveNatsServer()) out.push({ name: '-ns nats-server', external: true });
  else console.log(`NOTE: ${file}: nats-server is not installed, the -ns (external nats-server) variant is SKIPPED`);
  return out;
}

let counter = 0;
/** A client ID unique in this process. */
export function uniqueId(prefix = 'c'): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/** One message as a node-nats-streaming subscription saw it. */
export interface Got {
  seq: number;
  data: string;
  redelivered: boolean;
  count: number;
  /** Date.now() at arrival. */
  at: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  msg: any;
}

export interface SubOptions {
  queue?: string;
  /** Manual ack mode (default: auto-ack). */
  manual?: boolean;
  ackWaitMs?: number;
  maxInFlight?: number;
  /** DeliverAllAvailable (default: new only). */
  all?: boolean;
}

export class SubHandle {
  readonly got: Got[] = [];
  /** Errors the subscription emitted after it was ready. */
  readonly errors: unknown[] = [];
  readonly #acked = new Set<Got>();
  #ackOnArrival = false;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly sub: any,
    readonly manual: boolean,
  ) {}

  /** In manual mode: ack every message as it arrives from now on, and those not acked yet. */
  ackEverything(): void {
    this.#ackOnArrival = true;
    for (const g of this.got) this.#ack(g);
  }

  /** Acks sequence `seq` (manual mode), as received last. */
  ack(seq: number): void {
    const g = [...this.got].reverse().find((x) => x.seq === seq);
    if (g === undefined) throw new Error(`ack of ${seq}: not received`);
    this.#ack(g);
  }

  /** Sequences received, in order. */
  seqs(): number[] {
    return this.got.map((g) => g.seq);
  }

  /** @internal */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  received(msg: any): void {
    const g: Got = {
      seq: msg.getSequence(),
      data: msg.getData(),
      redelivered: msg.isRedelivered(),
      count: msg.getRedeliveryCount(),
      at: Date.now(),
      msg,
    };
    this.got.push(g);
    if (this.manual && this.#ackOnArrival) this.#ack(g);
  }

  #ack(g: Got): void {
    if (this.#acked.has(g)) return;
    this.#acked.add(g);
    g.msg.ack();
  }
}

/** Subscribes and resolves once the server answered (rejects with its error text). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function subscribe(sc: any, channel: string, o: SubOptions = {}): Promise<SubHandle> {
  const opts = sc.subscriptionOptions();
  if (o.manual) opts.setManualAckMode(true);
  if (o.ackWaitMs !== undefined) opts.setAckWait(o.ackWaitMs);
  if (o.maxInFlight !== undefined) opts.setMaxInFlight(o.maxInFlight);
  if (o.all) opts.setDeliverAllAvailable();
  const sub = o.queue === undefined ? sc.subscribe(channel, opts) : sc.subscribe(channel, o.queue, opts);
  const h = new SubHandle(sub, o.manual === true);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sub.on('message', (msg: any) => h.received(msg));
  return new Promise((resolve, reject) => {
    let ready = false;
    sub.once('ready', () => {
      ready = true;
      resolve(h);
    });
    sub.on('error', (err: unknown) => (ready ? h.errors.push(err) : reject(err)));
    sub.once('timeout', (err: unknown) => reject(err));
  });
}

/** Closes a subscription (sub-close request) and waits for the server's answer. */
export function closeSub(h: SubHandle): Promise<void> {
  return new Promise((resolve, reject) => {
    h.sub.once('closed', () => resolve());
    h.sub.once('error', reject);
    h.sub.close();
  });
}

/** Publishes; resolves with the PubAck error text, '' on success. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function pubResult(sc: any, channel: string, data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    sc.publish(channel, data, (err: unknown) => resolve(err === undefined || err === '' ? '' : errText(err)));
  });
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves once `h` received `n` messages, and checks none more arrive for `quietMs`. */
export async function exactly(h: SubHandle, n: number, what: string, timeout = 5000, quietMs = 0): Promise<void> {
  await until(() => h.got.length >= n, `${what}: ${n} messages (got ${h.got.length})`, timeout);
  if (quietMs > 0) await sleep(quietMs);
  if (h.got.length !== n) {
    throw new Error(`${what}: expected exactly ${n} messages, got ${h.got.length}: ${JSON.stringify(h.seqs())}`);
  }
}

/** 1..n */
export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

// ---------- Raw client ----------

export interface RawSub {
  inbox: string;
  ackInbox: string;
  got: pb.MsgProto[];
  ack(seq: number): void;
  nsub: NatsSub;
}

/** A STAN client built by hand on the `nats` v2 package and our pb codecs. */
export class RawStan {
  private constructor(
    readonly nc: NatsConnection,
    readonly clientId: string,
    readonly connId: Uint8Array,
    readonly resp: pb.ConnectResponse,
    private readonly hb: NatsSub,
  ) {}

  static async connect(url: string, clientId: string, clusterId = 'test-cluster'): Promise<RawStan> {
    const nc = await natsConnect({ servers: url, name: `raw-${clientId}` });
    const hbInbox = createInbox();
    const hb = nc.subscribe(hbInbox, { callback: (_e, m) => m.respond(new Uint8Array(0)) });
    const connId = Buffer.from(nuid.next());
    const req = pb.ConnectRequest.encode({
      clientID: clientId,
      heartbeatInbox: hbInbox,
      protocol: 1,
      connID: connId,
      pingInterval: 5,
      pingMaxOut: 3,
    });
    const m = await nc.request(`_STAN.discover.${clusterId}`, req, { timeout: 3000 });
    const resp = pb.ConnectResponse.decode(m.data);
    if (resp.error !== '') throw new Error(resp.error);
    return new RawStan(nc, clientId, connId, resp, hb);
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
  async publishBytes(natsSuffix: string, bytes: Uint8Array, timeout = 3000): Promise<Uint8Array | undefined> {
    try {
      const m = await this.nc.request(`${this.resp.pubPrefix}.${natsSuffix}`, bytes, { timeout });
      return m.data;
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
    const req = pb.SubscriptionRequest.encode({
      clientID: this.clientId,
      subject: channel,
      inbox,
      maxInFlight: o.maxInFlight ?? 1024,
      ackWaitInSecs: o.ackWaitInSecs ?? 30,
      startPosition: o.startPosition ?? pb.StartPosition.First,
    });
    const m = await this.nc.request(this.resp.subRequests, req, { timeout: 3000 });
    const r = pb.SubscriptionResponse.decode(m.data);
    if (r.error !== '') {
      nsub.unsubscribe();
      throw new Error(r.error);
    }
    ackInbox = r.ackInbox;
    for (const seq of early.splice(0)) ack(seq);
    return { inbox, ackInbox, got, ack, nsub };
  }

  /** Sends the CloseRequest and closes the NATS connection. */
  async close(): Promise<void> {
    try {
      await this.nc.request(this.resp.closeRequests, pb.CloseRequest.encode({ clientID: this.clientId }), { timeout: 2000 });
    } catch {
      // the server may be gone already
    }
    this.hb.unsubscribe();
    await this.nc.close();
  }
}
