// node-nats-streaming subscriptions for the streaming tests: one recording
// wrapper (what arrived, in order, and whether after the
// SubscriptionResponse), subscribing with the test's options, and the
// server variants every streaming suite runs on.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { haveNatsServer } from './go-nats.js';
import { publish, stan } from './stan.js';
import { sleep, until } from './wait.js';

export interface Variant {
  name: string;
  /** -ns on Debian's nats-server instead of the embedded NATS server. */
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

/** 1..n */
export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** One message as a node-nats-streaming subscription saw it. */
export interface Got {
  seq: number;
  data: string;
  subject: string;
  redelivered: boolean;
  count: number;
  /** The server's timestamp in ms (float). */
  tsMs: number;
  /** Date.now() at arrival. */
  at: number;
  /** The SubscriptionResponse had been processed when it arrived. */
  afterReady: boolean;
  msg: any;
}

export type Start = 'new' | 'last' | 'first' | { seq: number } | { time: Date } | { deltaMs: number };

export interface SubOpts {
  queue?: string;
  durable?: string;
  /** Where delivery starts (default: new only). */
  start?: Start;
  /** DeliverAllAvailable: start 'first'. */
  all?: boolean;
  maxInFlight?: number;
  ackWaitMs?: number;
  /** Manual ack mode (default: auto-ack). */
  manual?: boolean;
}

/** A node-nats-streaming subscription that records what it receives. */
export class Sub {
  readonly got: Got[] = [];
  ready = false;
  /** Errors the subscription emitted after it was ready. */
  readonly errors: unknown[] = [];
  readonly #acked = new Set<Got>();
  #ackOnArrival = false;

  constructor(
    readonly sub: any,
    readonly subject: string,
    readonly manual: boolean,
  ) {
    sub.on('ready', () => (this.ready = true));
    sub.on('message', (m: any) => {
      const g: Got = {
        seq: m.getSequence(),
        data: String(m.getData()),
        subject: m.getSubject(),
        redelivered: m.isRedelivered(),
        count: m.getRedeliveryCount(),
        tsMs: m.getTimestampRaw() / 1e6,
        at: Date.now(),
        afterReady: this.ready,
        msg: m,
      };
      this.got.push(g);
      if (this.manual && this.#ackOnArrival) this.#ack(g);
    });
  }

  /** Sequences received, in order. */
  seqs(): number[] {
    return this.got.map((m) => m.seq);
  }

  /** [seq, redelivered] pairs. */
  flags(): [number, boolean][] {
    return this.got.map((m) => [m.seq, m.redelivered]);
  }

  has(seq: number): boolean {
    return this.got.some((m) => m.seq === seq);
  }

  waitCount(n: number, what = `${n} messages on ${this.subject}`, timeout = 5000): Promise<void> {
    return until(() => this.got.length >= n, what, timeout);
  }

  waitSeq(seq: number, timeout = 5000): Promise<void> {
    return until(() => this.has(seq), `sequence ${seq} on ${this.subject} (got ${this.seqs().join(',')})`, timeout);
  }

  /** Manual mode: acks the latest delivery of each given sequence (each delivery once). */
  ack(...seqs: number[]): void {
    for (const seq of seqs) {
      const m = [...this.got].reverse().find((g) => g.seq === seq);
      if (m === undefined) throw new Error(`no sequence ${seq} to ack on ${this.subject}`);
      this.#ack(m);
    }
  }

  /** Manual mode: acks every delivery received so far. */
  ackAll(): void {
    for (const m of this.got) this.#ack(m);
  }

  /** Manual mode: acks everything received so far, and every message as it arrives from now on. */
  ackEverything(): void {
    this.#ackOnArrival = true;
    this.ackAll();
  }

  unsubscribe(): Promise<void> {
    return this.#end(false);
  }

  close(): Promise<void> {
    return this.#end(true);
  }

  #ack(g: Got): void {
    if (this.#acked.has(g)) return;
    this.#acked.add(g);
    g.msg.ack();
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
  const s = o.start ?? (o.all ? 'first' : 'new');
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

/** Subscribes and resolves once the server accepted (rejects with its error). */
export function subscribe(sc: any, subject: string, o: SubOpts = {}): Promise<Sub> {
  const raw = rawSubscribe(sc, subject, o);
  const s = new Sub(raw, subject, o.manual === true);
  return new Promise((resolve, reject) => {
    raw.once('ready', () => resolve(s));
    raw.on('error', (e: unknown) => (s.ready ? s.errors.push(e) : reject(e)));
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

/** Closes a subscription (sub-close request) and waits for the server's answer. */
export function closeSub(s: Sub): Promise<void> {
  return s.close();
}

/**
 * Resolves once `s` received `n` messages and checks it has no more. With
 * `quietMs`, it checks again after that long (prefer a state the server
 * reports over waiting).
 */
export async function exactly(s: Sub, n: number, what: string, timeout = 5000, quietMs = 0): Promise<void> {
  await until(() => s.got.length >= n, `${what}: ${n} messages (got ${s.got.length})`, timeout);
  if (quietMs > 0) await sleep(quietMs);
  if (s.got.length !== n) {
    throw new Error(`${what}: expected exactly ${n} messages, got ${s.got.length}: ${JSON.stringify(s.seqs())}`);
  }
}
