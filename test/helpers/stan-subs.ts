// Subscription fixtures for the streaming tests: a per-test environment
// (server + every client it opened, all closed at the end), a recording
// wrapper around node-nats-streaming subscriptions, and a raw STAN client
// on the `nats` v2 package with our pb codecs, for requests whose exact
// error texts (or wire ordering) a real client would hide.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { connect as natsConnect, createInbox, type NatsConnection, type Subscription as NatsSub } from 'nats';
import * as pb from '../../src/pb/protocol.js';
import { closeClient, haveNatsServer, publish, stan, stanConnect, startStan, until, type FixtureOptions, type StanFixture } from './stan.js';

export type Variant = 'embedded' | 'external';

/** The variants to run: both, or only embedded (with a printed note) without Debian's nats-server. */
export function variants(file: string): Variant[] {
  if (haveNatsServer()) return ['embedded', 'external'];
  console.log(`NOTE ${file}: nats-server is not installed; the -ns (external) variant is skipped`);
  return ['embedded'];
}

/** One delivered message as recorded. */
export interface Got {
  seq: number;
  data: string;
  subject: string;
  redelivered: boolean;
  count: number;
  /** Timestamp in ms (float). */
  tsMs: number;
  /** The SubscriptionResponse had been processed when it arrived. */
  afterReady: boolean;
  raw: any;
}

export type Start =
  | 'new'
  | 'last'
  | 'first'
  | { seq: number }
  | { time: Date }
  | { deltaMs: number };

export interface SubOpts {
  queue?: string;
  durable?: string;
  start?: Start;
  maxInFlight?: number;
  ackWaitMs?: number;
  manual?: boolean;
}

/** A node-nats-streaming subscription that records what it receives. */
export class Sub {
  readonly msgs: Got[] = [];
  ready = false;
  readonly errors: string[] = [];

  constructor(
    readonly sub: any,
    readonly subject: string,
  ) {
    sub.on('ready', () => (this.ready = true));
    sub.on('message', (m: any) => {
      this.msgs.push({
        seq: m.getSequence(),
        data: String(m.getData()),
        subject: m.getSubject(),
        redelivered: m.isRedelivered(),
        count: m.getRedeliveryCount(),
        tsMs: m.getTimestampRaw() / 1e6,
        afterReady: this.ready,
        raw: m,
      });
    });
  }

  seqs(): number[] {
    return this.msgs.map((m) => m.seq);
  }

  /** [seq, redelivered] pairs. */
  flags(): [number, boolean][] {
    return this.msgs.map((m) => [m.seq, m.redelivered]);
  }

  has(seq: number): boolean {
    return this.msgs.some((m) => m.seq === seq);
  }

  waitCount(n: number, what = `${n} messages on ${this.subject}`, timeout = 5000): Promise<void> {
    return until(() => this.msgs.length >= n, what, timeout);
  }

  waitSeq(seq: number, timeout = 5000): Promise<void> {
    return until(() => this.has(seq), `sequence ${seq} on ${this.subject} (got ${this.seqs().join(',')})`, timeout);
  }

  /** Manually acks the (latest delivery of) each given sequence. */
  ack(...seqs: number[]): void {
    for (const seq of seqs) {
      const m = [...this.msgs].reverse().find((g) => g.seq === seq);
      if (m === undefined) throw new Error(`no sequence ${seq} to ack on ${this.subject}`);
      m.raw.ack();
    }
  }

  ackAll(): void {
    for (const m of this.msgs) m.raw.ack();
  }

  unsubscribe(): Promise<void> {
    return this.#end(false);
  }

  close(): Promise<void> {
    return this.#end(true);
  }

  #end(close: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sub.once(close ? 'closed' : 'unsubscribed', () => resolve());
      this.sub.once('error', (e: Error) => reject(e));
      this.sub.once('timeout', (e: Error) => reject(e));
      if (close) this.sub.close();
      else this.sub.unsubscribe();
    });
  }
}

function options(sc: any, o: SubOpts): any {
  const opts = sc.subscriptionOptions();
  if (o.durable !== undefined) opts.setDurableName(o.durable);
  if (o.maxInFlight !== undefined) opts.setMaxInFlight(o.maxInFlight);
  if (o.ackWaitMs !== undefined) opts.setAckWait(o.ackWaitMs);
  if (o.manual) opts.setManualAckMode(true);
  const s = o.start ?? 'new';
  if (s === 'last') opts.setStartWithLastReceived();
  else if (s === 'first') opts.setDeliverAllAvailable();
  else if (s === 'new') opts.setStartAt(stan.StartPosition.NEW_ONLY);
  else if ('seq' in s) opts.setStartAtSequence(s.seq);
  else if ('time' in s) opts.setStartTime(s.time);
  else opts.setStartAtTimeDelta(s.deltaMs);
  return opts;
}

function rawSubscribe(sc: any, subject: string, o: SubOpts): any {
  const opts = options(sc, o);
  return o.queue !== undefined ? sc.subscribe(subject, o.queue, opts) : sc.subscribe(subject, opts);
}

/** Subscribes and resolves once the server accepted (rejects with its error text). */
export function subscribe(sc: any, subject: string, o: SubOpts = {}): Promise<Sub> {
  const raw = rawSubscribe(sc, subject, o);
  const s = new Sub(raw, subject);
  return new Promise((resolve, reject) => {
    raw.once('ready', () => resolve(s));
    raw.once('error', (e: Error) => reject(e));
    raw.once('timeout', (e: Error) => reject(e));
  });
}

/** Subscribes expecting a refusal; resolves with the error text. */
export function subscribeError(sc: any, subject: string, o: SubOpts = {}): Promise<string> {
  const raw = rawSubscribe(sc, subject, o);
  return new Promise((resolve, reject) => {
    raw.once('ready', () => reject(new Error(`subscription on ${subject} unexpectedly accepted`)));
    raw.once('error', (e: Error) => resolve(e.message));
    raw.once('timeout', (e: Error) => reject(e));
  });
}

/** Publishes `${prefix}${i}` for i in from..to, in order, waiting for every PubAck. */
export async function publishRange(sc: any, channel: string, from: number, to: number, prefix = 'm'): Promise<void> {
  const acks: Promise<string>[] = [];
  for (let i = from; i <= to; i++) acks.push(publish(sc, channel, `${prefix}${i}`));
  await Promise.all(acks);
}

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** A raw STAN client: NATS v2 connection plus pb-encoded requests. */
export class RawStan {
  constructor(
    readonly nc: NatsConnection,
    readonly f: StanFixture,
  ) {}

  get info() {
    return this.f.stan.info;
  }

  /** The payload of the last reply received (to check zero-length successes). */
  lastReply: Uint8Array = new Uint8Array(0);

  async #req(subject: string, data: Uint8Array): Promise<Uint8Array> {
    const m = await this.nc.request(subject, data, { timeout: 2000 });
    this.lastReply = m.data;
    return m.data;
  }

  /** The connID register() used for a client ID. */
  connID(clientID: string): Uint8Array {
    return new TextEncoder().encode(`conn-${clientID}`);
  }

  /** A PubMsg of a registered client. */
  pubMsg(clientID: string, channel: string, guid: string, data: string): Uint8Array {
    return pb.PubMsg.encode({ clientID, guid, subject: channel, data: new TextEncoder().encode(data), connID: this.connID(clientID) });
  }

  /** Registers a client ID (answers its heartbeats); returns the ConnectResponse. */
  async register(clientID: string): Promise<pb.ConnectResponse> {
    const hb = createInbox();
    this.nc.subscribe(hb, { callback: (_e, m) => m.respond(new Uint8Array(0)) });
    const connID = this.connID(clientID);
    const r = pb.ConnectResponse.decode(
      await this.#req(
        this.info.discovery,
        pb.ConnectRequest.encode({ clientID, heartbeatInbox: hb, protocol: 1, connID, pingInterval: 5, pingMaxOut: 88 }),
      ),
    );
    if (r.error) throw new Error(r.error);
    return r;
  }

  async subscribeRaw(data: Uint8Array): Promise<pb.SubscriptionResponse> {
    return pb.SubscriptionResponse.decode(await this.#req(this.info.subscribe, data));
  }

  subscribe(req: pb.Init<pb.SubscriptionRequest>): Promise<pb.SubscriptionResponse> {
    return this.subscribeRaw(pb.SubscriptionRequest.encode(req));
  }

  /** An unsubscribe (close=false) or subscription-close request. */
  async unsubRaw(data: Uint8Array, close: boolean): Promise<pb.SubscriptionResponse> {
    return pb.SubscriptionResponse.decode(await this.#req(close ? this.info.subClose : this.info.unsubscribe, data));
  }

  unsub(req: pb.Init<pb.UnsubscribeRequest>, close: boolean): Promise<pb.SubscriptionResponse> {
    return this.unsubRaw(pb.UnsubscribeRequest.encode(req), close);
  }

  /** Listens on a subject with a callback (messages in arrival order). */
  listen(subject: string, cb: (data: Uint8Array) => void): NatsSub {
    return this.nc.subscribe(subject, { callback: (_e, m) => cb(m.data) });
  }
}

/** One test's server and everything connected to it. */
export class Env {
  readonly #clients: any[] = [];
  readonly #raws: NatsConnection[] = [];
  #n = 0;

  constructor(readonly f: StanFixture) {}

  async connect(clientId: string): Promise<any> {
    const sc = await stanConnect(this.f.url, clientId);
    sc.on('error', () => {});
    this.#clients.push(sc);
    return sc;
  }

  async raw(): Promise<RawStan> {
    const nc = await natsConnect({ servers: this.f.url, reconnect: false });
    this.#raws.push(nc);
    return new RawStan(nc, this.f);
  }

  /** A unique channel name. */
  channel(base = 'ch'): string {
    return `${base}.${++this.#n}`;
  }

  async dispose(): Promise<void> {
    for (const sc of this.#clients) {
      await Promise.race([closeClient(sc), new Promise((r) => setTimeout(r, 3000))]);
    }
    for (const nc of this.#raws) await nc.close().catch(() => {});
    await this.f.stop();
  }
}

/** Runs fn against a fresh server of the variant, tearing everything down after. */
export async function withEnv(variant: Variant, o: FixtureOptions, fn: (env: Env) => Promise<void>): Promise<void> {
  const f = await startStan({ ...o, external: variant === 'external' });
  const env = new Env(f);
  try {
    await fn(env);
  } finally {
    await env.dispose();
  }
}
