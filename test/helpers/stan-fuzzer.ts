// The streaming protocol fuzzer of test/streaming/fuzz.test.ts: over one
// byte-exact NATS connection (wire-conn.ts) it sends random, truncated,
// bit-flipped, wrong-wire-type and wrong-message protobufs to every STAN
// subject (connect, publish, subscribe, unsubscribe, subscription close,
// close, pings), acks to the ack inboxes it learnt, odd answers to the
// server's heartbeats and acks (or none) to deliveries. Each request that
// the protocol answers is tracked by its reply subject: one still
// unanswered after `answerWaitMs` is a finding.

import * as pb from '../../src/pb/protocol.js';
import { decodePubMsg, isCtrlMsg } from '../../src/streaming/codec.js';
import { byteChannel, channelName, type Field, isWireSubject, mutate, type Mutation, pbEncode, Rand } from './stan-fuzz.js';
import type { WireConn, WireMsg } from './wire-conn.js';

const CLUSTER = 'test-cluster';
const S = {
  connect: `_STAN.discover.${CLUSTER}`,
  ping: `_STAN.discover.${CLUSTER}.pings`,
  pub: `_STAN.pub.${CLUSTER}`,
  sub: `_STAN.sub.${CLUSTER}`,
  unsub: `_STAN.unsub.${CLUSTER}`,
  subclose: `_STAN.subclose.${CLUSTER}`,
  close: `_STAN.close.${CLUSTER}`,
} as const;
type Kind = keyof typeof S;
/** Everything the fuzzer listens on: replies, heartbeat inboxes, subscription inboxes. */
export const FUZZ_SUBJECTS = ['_FZ.>'];

interface Pending {
  kind: Kind;
  how: Mutation;
  subject: string;
  bytes: Buffer;
  at: number;
  /** What to learn from a successful answer. */
  learn?: (reply: Buffer) => void;
}

export interface Unanswered {
  kind: Kind;
  how: Mutation;
  subject: string;
  hex: string;
}

interface KnownSub {
  clientID: string;
  channel: Buffer;
  ackInbox: string;
  durable: string;
}

/** nats-server's and the embedded server's default max_payload. */
const MAX_PAYLOAD = 1024 * 1024;
/** Requests in flight at most (the next waits for an answer). */
const WINDOW = 64;

export class StanFuzzer {
  readonly unanswered: Unanswered[] = [];
  /** Requests sent, and those that expected an answer. */
  sent = 0;
  answered = 0;
  readonly #r: Rand;
  /** The draws of reactions (heartbeat answers, acks of deliveries), apart: they come when the server sends. */
  readonly #react: Rand;
  readonly #pending = new Map<string, Pending>();
  readonly #clients = new Map<string, Buffer>(); // clientID -> connID
  readonly #subs: KnownSub[] = [];
  readonly #byInbox = new Map<string, KnownSub | Buffer>(); // delivery inbox -> its sub once known, its channel before
  #n = 0;
  #wake: (() => void) | undefined;

  constructor(
    private readonly conn: WireConn,
    seed: number,
    private readonly answerWaitMs: number,
  ) {
    this.#r = new Rand(seed);
    this.#react = new Rand(seed ^ 0x9e3779b9);
    conn.onMsg = (m) => this.#onMsg(m);
  }

  /**
   * Every byte value in a channel name: a publish and a subscription on
   * each, by a registered client. Resolves with each byte's PubAck error
   * ('' when stored; undefined when none came).
   */
  async byteSweep(): Promise<(string | undefined)[]> {
    const errors: (string | undefined)[] = new Array(256).fill(undefined);
    const id = 'fzsweep';
    await this.#send('connect', S.connect, pbEncode([
      [1, id],
      [2, this.#inbox('hb')],
      [3, 1],
      [4, Buffer.from('sweep-conn')],
      [5, 1],
      [6, 10],
    ]), 'valid', (reply) => this.#learnConnect(reply, id, Buffer.from('sweep-conn')));
    await this.settle();
    for (let b = 0; b < 256; b++) {
      const ch = byteChannel(b);
      const pm = pbEncode([[1, id], [2, `sweep-${b}`], [3, ch], [5, Buffer.from('x')], [6, Buffer.from('sweep-conn')]]);
      await this.#send('pub', pubSubject(isWireSubject(ch) ? ch : Buffer.from('fz.sweep')), pm, 'valid', (reply) => {
        errors[b] = pb.PubAck.decode(reply).error;
      });
      const inbox = this.#inbox('in');
      this.#byInbox.set(inbox, ch);
      await this.#send('sub', S.sub, pbEncode([[1, id], [2, ch], [4, inbox], [5, 10], [6, 30], [10, 4]]), 'valid', (reply) =>
        this.#learnSub(reply, id, ch, inbox, ''),
      );
    }
    await this.#send('close', S.close, pbEncode([[1, id]]), 'valid');
    await this.settle();
    return errors;
  }

  /** `count` random requests. */
  async run(count: number): Promise<void> {
    for (let i = 0; i < count && !this.conn.isClosed; i++) {
      const r = this.#r;
      const kind = r.pick<Kind | 'ack' | 'wrong'>(['pub', 'pub', 'pub', 'pub', 'sub', 'sub', 'connect', 'connect', 'unsub', 'subclose', 'close', 'ping', 'ack', 'ack', 'wrong']);
      if (kind === 'ack') {
        this.#ack();
        continue;
      }
      // A message of one kind sent to another kind's subject.
      const to = kind === 'wrong' ? r.pick(Object.keys(S) as Kind[]) : kind;
      const [fields, learn] = this.#build(kind === 'wrong' ? r.pick(Object.keys(S) as Kind[]) : kind);
      const { bytes: mangled, how } = mutate(r, fields);
      // The NATS server refuses (and closes the connection on) a payload past max_payload: that is not the fuzz's subject.
      const bytes = mangled.subarray(0, MAX_PAYLOAD);
      const subject = to === 'pub' ? pubSubject(this.#pubSuffix(fields)) : S[to];
      // A few without a reply subject: nothing to answer.
      if (r.chance(0.03)) {
        this.conn.pub(subject, undefined, bytes);
        continue;
      }
      await this.#send(to, subject, bytes, how, how === 'valid' && kind !== 'wrong' ? learn : undefined);
      if (i % 256 === 0) await this.conn.drain();
    }
  }

  /** Waits for every tracked request's answer, or until its wait is over (then it is a finding). */
  async settle(): Promise<void> {
    await this.conn.flush();
    while (this.#pending.size > 0 && !this.conn.isClosed) await this.#waitAnswer();
    this.#expire(true);
  }

  async #send(kind: Kind, subject: string | Buffer, bytes: Buffer, how: Mutation, learn?: (reply: Buffer) => void): Promise<void> {
    while (this.#pending.size >= WINDOW && !this.conn.isClosed) await this.#waitAnswer();
    this.sent++;
    const reply = this.#inbox('r');
    if (expectsAnswer(kind, bytes)) this.#pending.set(reply, { kind, how, subject: subject.toString('latin1'), bytes, at: Date.now(), ...(learn ? { learn } : {}) });
    if (!this.conn.pub(subject, reply, bytes)) await this.conn.drain();
  }

  /** Resolves on the next answer, or after a while (to expire the overdue). */
  #waitAnswer(): Promise<void> {
    this.#expire(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, 200);
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** Moves requests waiting longer than answerWaitMs (all of them when `all` and their time is up) to the findings. */
  #expire(all: boolean): void {
    const now = Date.now();
    for (const [reply, p] of this.#pending) {
      if (!all && now - p.at < this.answerWaitMs) continue;
      this.#pending.delete(reply);
      this.unanswered.push({ kind: p.kind, how: p.how, subject: p.subject, hex: p.bytes.subarray(0, 256).toString('hex') });
    }
  }

  #onMsg(m: WireMsg): void {
    const [, kind] = m.subject.split('.');
    if (kind === 'r') {
      const p = this.#pending.get(m.subject);
      if (p === undefined) return;
      this.#pending.delete(m.subject);
      this.answered++;
      p.learn?.(m.data);
      this.#wake?.();
    } else if (kind === 'hb' && m.reply !== undefined) {
      // The server's heartbeat: mostly answered, sometimes oddly or not at all.
      const r = this.#react;
      if (r.chance(0.85)) this.conn.pub(m.reply, undefined, r.chance(0.8) ? Buffer.alloc(0) : r.bytes(r.int(20)));
    } else if (kind === 'in') {
      this.#delivery(m);
    }
  }

  /** A delivered message: acked right, acked wrong, or not at all. */
  #delivery(m: WireMsg): void {
    const sub = this.#byInbox.get(m.subject);
    if (sub === undefined || !('ackInbox' in sub)) return;
    const r = this.#react;
    let seq: bigint;
    try {
      seq = BigInt(pb.MsgProto.decode(m.data).sequence);
    } catch {
      return;
    }
    if (r.chance(0.2)) return;
    const { bytes } = r.chance(0.85) ? { bytes: pbEncode([[1, sub.channel], [2, seq]]) } : mutate(r, [[1, sub.channel], [2, seq]]);
    this.conn.pub(sub.ackInbox, undefined, bytes);
  }

  /** An ack to a known ack inbox (or a made-up one): random sequences and channels, mangled. */
  #ack(): void {
    const r = this.#r;
    const sub = r.known(this.#subs, 0.9);
    const made = `_STAN.ack.${CLUSTER}.${r.bytes(4).toString('hex')}`;
    const own = r.chance(0.8);
    const other = channelName(r);
    const fields: Field[] = [[1, sub && own ? sub.channel : other], [2, r.int64()]];
    const inbox = sub?.ackInbox ?? made;
    this.conn.pub(inbox, r.chance(0.1) ? this.#inbox('x') : undefined, mutate(r, fields).bytes);
  }

  #inbox(what: string): string {
    return `_FZ.${what}.${++this.#n}`;
  }

  #clientID(): string | Buffer {
    const r = this.#r;
    const known = r.known([...this.#clients.keys()], 0.6);
    const pooled = r.chance(0.8) ? `fz${r.int(40)}` : undefined;
    const odd = r.pick<string | Buffer>(['', 'a b', 'x'.repeat(1000), 'fz-_ok', r.bytes(1 + r.int(10)), 'fz.1', '*']);
    return known ?? pooled ?? odd;
  }

  #connID(id: string | Buffer): Buffer {
    const r = this.#r;
    const known = typeof id === 'string' ? this.#clients.get(id) : undefined;
    const useKnown = r.chance(0.85);
    const made = r.pick([Buffer.alloc(0), r.bytes(1 + r.int(30)), Buffer.from(`conn-${r.int(50)}`)]);
    return known !== undefined && useKnown ? known : made;
  }

  #odd(): string | Buffer {
    const r = this.#r;
    return r.pick<string | Buffer>(['', ' ', 'a b', '>', '*', '_FZ.x.*', '_FZ.>', 'a..b', '.', r.bytes(1 + r.int(16)), 'i'.repeat(5000), S.connect, `${S.pub}.fz.c1`, S.close, S.sub]);
  }

  /** The fields of a request of `kind`, and what a successful answer teaches. */
  #build(kind: Kind): [Field[], ((reply: Buffer) => void) | undefined] {
    const r = this.#r;
    switch (kind) {
      case 'connect': {
        const id = this.#clientID();
        const connID = r.chance(0.9) ? Buffer.from(`cid-${++this.#n}`) : this.#connID(id);
        const hb = r.chance(0.85) ? this.#inbox('hb') : this.#odd();
        const fields: Field[] = [[1, id], [2, hb], [3, r.chance(0.8) ? 1 : r.int32()], [4, connID], [5, r.chance(0.8) ? 1 : r.int32()], [6, r.chance(0.8) ? 3 : r.int32()]];
        return [fields, typeof id === 'string' ? (reply) => this.#learnConnect(reply, id, connID) : undefined];
      }
      case 'pub': {
        const id = this.#clientID();
        // Rarely a message at the edge of max_payload (1 MB): its MsgProto is larger than its PubMsg.
        const huge = r.chance(0.0005);
        const size = huge ? MAX_PAYLOAD - 64 - r.int(64) : r.chance(0.9) ? r.int(64) : 4000;
        const fields: Field[] = [[1, id], [2, r.chance(0.95) ? `g${++this.#n}` : ''], [3, huge ? 'fz.big' : channelName(r)], [5, r.bytes(size)], [6, this.#connID(id)]];
        if (r.chance(0.1)) fields.push([4, this.#odd()]);
        if (r.chance(0.05)) fields.push([10, r.bytes(32)]);
        return [fields, undefined];
      }
      case 'sub': {
        const id = this.#clientID();
        const ch = channelName(r);
        const inbox = r.chance(0.9) ? this.#inbox('in') : this.#odd();
        const durable = r.chance(0.7) ? '' : r.pick<string | Buffer>(['d1', 'd2', 'd:x', r.bytes(3)]);
        const fields: Field[] = [
          [1, id],
          [2, ch],
          [3, r.chance(0.6) ? '' : r.pick<string | Buffer>(['q1', 'q2', 'q:x', r.bytes(3)])],
          [4, inbox],
          [5, r.chance(0.85) ? 1 + r.int(100) : r.int32()],
          [6, r.chance(0.85) ? 1 + r.int(30) : r.int32()],
          [7, durable],
          [10, r.chance(0.85) ? r.int(5) : r.int32()],
          [11, r.int64()],
          [12, r.int64()],
        ];
        if (typeof inbox === 'string') this.#byInbox.set(inbox, ch);
        const learn = typeof id === 'string' && typeof inbox === 'string' && typeof durable === 'string'
          ? (reply: Buffer) => this.#learnSub(reply, id, ch, inbox, durable)
          : undefined;
        return [fields, learn];
      }
      case 'unsub':
      case 'subclose': {
        const sub = r.known(this.#subs, 0.7);
        const made: Field[] = [[1, this.#clientID()], [2, channelName(r)], [3, this.#odd()], [4, this.#odd()]];
        const fields: Field[] = sub ? [[1, sub.clientID], [2, sub.channel], [3, sub.ackInbox], [4, sub.durable]] : made;
        return [fields, sub ? () => this.#subs.splice(this.#subs.indexOf(sub) >>> 0, 1) : undefined];
      }
      case 'close': {
        const id = this.#clientID();
        return [[[1, id]], typeof id === 'string' ? () => this.#clients.delete(id) : undefined];
      }
      case 'ping': {
        const id = r.known([...this.#clients.keys()], 0.6) ?? 'none';
        return [[[1, this.#connID(id)]], undefined];
      }
    }
  }

  /** The NATS subject suffix of a publish: its channel when the wire allows, else another. */
  #pubSuffix(fields: Field[]): Buffer {
    const ch = fields.find(([no]) => no === 3)?.[1];
    const b = typeof ch === 'string' ? Buffer.from(ch) : ch instanceof Uint8Array ? Buffer.from(ch) : Buffer.alloc(0);
    if (isWireSubject(b) && b.length < 2000 && this.#r.chance(0.9)) return b;
    return Buffer.from(this.#r.pick(['fz.other', 'x', '*', '>', 'fz.*']));
  }

  #learnConnect(reply: Buffer, id: string, connID: Buffer): void {
    try {
      if (pb.ConnectResponse.decode(reply).error === '') this.#clients.set(id, connID);
    } catch {
      // not a ConnectResponse: nothing learnt
    }
  }

  #learnSub(reply: Buffer, clientID: string, channel: Buffer, inbox: string, durable: string): void {
    try {
      const res = pb.SubscriptionResponse.decode(reply);
      if (res.error !== '') return;
      const sub = { clientID, channel, ackInbox: res.ackInbox, durable };
      this.#subs.push(sub);
      if (this.#subs.length > 500) this.#subs.shift();
      this.#byInbox.set(inbox, sub);
    } catch {
      // not a SubscriptionResponse
    }
  }
}

function pubSubject(suffix: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${S.pub}.`), suffix]);
}

/**
 * Whether the server owes this request an answer. Pings that are empty or
 * do not decode are dropped (as the Go server does: processClientPings);
 * so are publishes that are not a PubMsg but a legacy CtrlMsg.
 */
function expectsAnswer(kind: Kind, bytes: Buffer): boolean {
  if (kind === 'ping') {
    if (bytes.length === 0) return false;
    try {
      pb.Ping.decode(bytes);
      return true;
    } catch {
      return false;
    }
  }
  if (kind === 'pub') {
    try {
      decodePubMsg(bytes);
      return true;
    } catch {
      return !isCtrlMsg(bytes);
    }
  }
  return true;
}
