// A streaming server without sockets or real time, for unit tests of
// delivery and the sequencer: a fake NATS transport that records what the
// server publishes and lets the test inject requests, a fake clock whose
// timers fire only when the test advances it, and a message store whose
// memory misses and whose read() resolves when the test says; a store
// whose writes throw on demand (a full disk, a name the filesystem refuses).

import { type Logger, silentLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/stores/memory/index.js';
import { StoreError, type ChannelLimits, type ClientInfo, type MsgStore, type RecoveredState, type ServerInfo, type Store, type StoredMsg, type SubState, type SubStore } from '../../src/stores/store.js';
import type { Clock, TimerHandle } from '../../src/streaming/clock.js';
import { defaultStanOptions, type StanOptions } from '../../src/streaming/options.js';
import * as pb from '../../src/pb/protocol.js';
import { StanServer } from '../../src/streaming/server.js';
import type { MsgHandler, NatsTransport, TransportSub } from '../../src/streaming/transport.js';

interface FakeTimer {
  at: number;
  order: number;
  fn: () => void;
}

/** Time moves only in advance(); due timers fire in order of due time, then arming. */
export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #order = 0;
  readonly #timers = new Set<FakeTimer>();

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const t: FakeTimer = { at: this.#now + Math.max(0, ms), order: this.#order++, fn };
    this.#timers.add(t);
    return t;
  }

  clearTimer(t: TimerHandle | undefined): void {
    if (t !== undefined) this.#timers.delete(t as FakeTimer);
  }

  /** Timers armed and not fired. */
  get armed(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due by then (also ones armed meanwhile). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers) if (t.at <= end && (next === undefined || t.at < next.at || (t.at === next.at && t.order < next.order))) next = t;
      if (next === undefined) break;
      this.#timers.delete(next);
      if (next.at > this.#now) this.#now = next.at;
      next.fn();
    }
    this.#now = end;
  }
}

export interface Sent {
  subject: string;
  data: Uint8Array;
}

/** Records publishes; inject() plays a message to the server's subscriptions. */
export class FakeTransport implements NatsTransport {
  readonly sent: Sent[] = [];
  readonly #subs = new Map<string, Set<MsgHandler>>();
  /** Whether requests (heartbeats, duplicate-ID probes) get an answer. */
  answerRequests = true;

  subscribe(subject: string, handler: MsgHandler): TransportSub {
    let set = this.#subs.get(subject);
    if (set === undefined) this.#subs.set(subject, (set = new Set()));
    set.add(handler);
    return { unsubscribe: () => set!.delete(handler) };
  }

  publish(subject: string, data: Uint8Array): void {
    this.sent.push({ subject, data: Uint8Array.prototype.slice.call(data) });
  }

  async request(): Promise<Uint8Array | null> {
    return this.answerRequests ? new Uint8Array(0) : null;
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}

  /** Whether the server listens on `subject` (exactly, or through a `prefix.>` subscription). */
  listening(subject: string): boolean {
    return this.#handlersOf(subject).length > 0;
  }

  inject(subject: string, data: Uint8Array, reply?: string): void {
    for (const h of this.#handlersOf(subject)) h(subject, reply, data);
  }

  #handlersOf(subject: string): MsgHandler[] {
    const out: MsgHandler[] = [];
    for (const [s, set] of this.#subs) {
      const match = s.endsWith('.>') ? subject.startsWith(s.slice(0, -1)) : s === subject;
      if (match) out.push(...set);
    }
    return out;
  }
}

/** A message store over a memory one whose memory misses for chosen sequences and whose reads wait. */
export class SlowMsgStore implements MsgStore {
  /** Sequences "not in memory" (all when undefined). */
  missing: Set<number> | undefined;
  /** Reads under way, oldest first: resolve(n) lets the n-th go. */
  readonly reads: { from: number; max: number; go: () => void }[] = [];

  constructor(private readonly inner: MsgStore) {}

  #miss(seq: number): boolean {
    return this.missing === undefined || this.missing.has(seq);
  }

  store(data: Uint8Array, reply: string, timestamp: bigint): number {
    return this.inner.store(data, reply, timestamp);
  }
  lookup(seq: number): StoredMsg | undefined {
    return this.inner.lookup(seq);
  }
  cached(seq: number): StoredMsg | undefined {
    return this.#miss(seq) ? undefined : this.inner.cached(seq);
  }
  encoded(seq: number): Uint8Array | undefined {
    return this.#miss(seq) ? undefined : this.inner.encoded?.(seq);
  }
  read(from: number, max: number): Promise<StoredMsg[]> {
    return new Promise((resolve, reject) => {
      const go = () => this.inner.read(from, max).then(resolve, reject);
      this.reads.push({ from, max, go });
    });
  }
  /** Lets the oldest read resolve (with the store as it is now). */
  async release(): Promise<void> {
    const r = this.reads.shift();
    if (r === undefined) throw new Error('no read under way');
    r.go();
    await settle();
  }
  timestampOf(seq: number): bigint | undefined {
    return this.inner.timestampOf(seq);
  }
  firstSeqAtOrAfter(ts: bigint): number {
    return this.inner.firstSeqAtOrAfter(ts);
  }
  seqFromTimestamp(ts: bigint): Promise<number> {
    return this.inner.seqFromTimestamp(ts);
  }
  state() {
    return this.inner.state();
  }
  get firstSeq(): number {
    return this.inner.firstSeq;
  }
  get lastSeq(): number {
    return this.inner.lastSeq;
  }
  setLimits(limits: ChannelLimits): void {
    this.inner.setLimits(limits);
  }
  expire(nowNs: bigint): number {
    return this.inner.expire(nowNs);
  }
  /** When set, flush() rejects with this error. */
  flushError: Error | undefined;
  /** When true, flush() waits for openFlushes(). */
  holdFlushes = false;
  readonly #heldFlushes: (() => void)[] = [];
  flush(): Promise<void> | void {
    if (this.flushError !== undefined) return Promise.reject(this.flushError);
    if (this.holdFlushes) return new Promise((resolve) => this.#heldFlushes.push(resolve));
    return this.inner.flush();
  }
  /** Completes the held flushes. */
  async openFlushes(): Promise<void> {
    this.holdFlushes = false;
    for (const f of this.#heldFlushes.splice(0)) f();
    await settle();
  }
  close(): Promise<void> | void {
    return this.inner.close();
  }
}

/** A store that hands everything to a memory store: the fakes below override what they change. */
class MemoryStoreWrapper implements Store {
  readonly #inner = new MemoryStore();
  readonly type = 'MEMORY';

  lock(): Promise<boolean> {
    return this.#inner.lock();
  }
  recover(): Promise<RecoveredState> {
    return this.#inner.recover();
  }
  init(info: ServerInfo): void {
    this.#inner.init(info);
  }
  addClient(info: ClientInfo): void {
    this.#inner.addClient(info);
  }
  deleteClient(id: string): void {
    this.#inner.deleteClient(id);
  }
  createChannel(name: string, limits: ChannelLimits): { msgs: MsgStore; subs: SubStore } {
    return this.#inner.createChannel(name, limits);
  }
  deleteChannel(name: string): void {
    this.#inner.deleteChannel(name);
  }
  flush(): Promise<void> | void {
    return this.#inner.flush();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** A memory store whose channels' message stores are SlowMsgStores (by channel name), missing nothing at first. */
export class SlowStore extends MemoryStoreWrapper {
  readonly slow = new Map<string, SlowMsgStore>();

  override createChannel(name: string, limits: ChannelLimits): { msgs: MsgStore; subs: SubStore } {
    const { msgs, subs } = super.createChannel(name, limits);
    const s = new SlowMsgStore(msgs);
    s.missing = new Set();
    this.slow.set(name, s);
    return { msgs: s, subs };
  }
}

/** The store calls a FailingStore can make throw. */
export type StoreWrite = 'createChannel' | 'deleteChannel' | 'addClient' | 'deleteClient' | 'subs.create' | 'subs.update' | 'subs.delete' | 'msgs.cached';

/** A memory store whose chosen write (or memory read) throws a StoreError (`failing`), as a full disk (or EIO) does. */
export class FailingStore extends MemoryStoreWrapper {
  /** The write that throws; none when undefined. */
  failing: StoreWrite | undefined;

  /** Throws the store's error if `what` is the failing write. */
  check(what: StoreWrite): void {
    if (this.failing === what) throw new StoreError(`${what}: no space left on device`);
  }
  override addClient(info: ClientInfo): void {
    this.check('addClient');
    super.addClient(info);
  }
  override deleteClient(id: string): void {
    this.check('deleteClient');
    super.deleteClient(id);
  }
  override deleteChannel(name: string): void {
    this.check('deleteChannel');
    super.deleteChannel(name);
  }
  override createChannel(name: string, limits: ChannelLimits): { msgs: MsgStore; subs: SubStore } {
    this.check('createChannel');
    const { msgs, subs } = super.createChannel(name, limits);
    return { msgs: new FailingMsgStore(msgs, this), subs: new FailingSubStore(subs, this) };
  }
}

/** A message store whose memory reads throw when the FailingStore says (an I/O error). */
class FailingMsgStore extends SlowMsgStore {
  constructor(
    inner: MsgStore,
    private readonly owner: FailingStore,
  ) {
    super(inner);
    this.missing = new Set();
  }
  override cached(seq: number): StoredMsg | undefined {
    this.owner.check('msgs.cached');
    return super.cached(seq);
  }
}

class FailingSubStore implements SubStore {
  constructor(
    private readonly inner: SubStore,
    private readonly store: FailingStore,
  ) {}
  create(state: SubState): void {
    this.store.check('subs.create');
    this.inner.create(state);
  }
  update(state: SubState): void {
    this.store.check('subs.update');
    this.inner.update(state);
  }
  delete(id: number): void {
    this.store.check('subs.delete');
    this.inner.delete(id);
  }
  sent(id: number, seq: number): void {
    this.inner.sent(id, seq);
  }
  acked(id: number, seq: number): void {
    this.inner.acked(id, seq);
  }
  flush(): Promise<void> | void {
    return this.inner.flush();
  }
  close(): Promise<void> | void {
    return this.inner.close();
  }
}

/** Lets queued promise callbacks and the sequencer's microtasks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export interface SubOpts {
  maxInFlight?: number;
  ackWaitSecs?: number;
  queue?: string;
  durable?: string;
  startPosition?: number;
  startSequence?: number;
}

/** One delivered MsgProto as the test reads it. */
export interface Delivered {
  seq: number;
  data: string;
  redelivered: boolean;
  count: number;
}

/** A StanServer over the fakes, and the client side of the protocol as function calls. */
export class Harness {
  readonly clock = new FakeClock();
  readonly transport = new FakeTransport();
  readonly server: StanServer;
  #guid = 0;
  #inbox = 0;

  constructor(
    readonly store: Store = new MemoryStore(),
    opts: Partial<StanOptions> = {},
    log: Logger = silentLogger,
  ) {
    const o = { ...defaultStanOptions(), hbIntervalMs: 3_600_000, ...opts };
    this.server = new StanServer(o, store, this.transport, log, this.clock);
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.shutdown();
  }

  get info() {
    return this.server.info;
  }

  /** What the server published on `subject`. */
  on(subject: string): Uint8Array[] {
    return this.transport.sent.filter((s) => s.subject === subject).map((s) => s.data);
  }

  async connect(clientID: string): Promise<void> {
    const reply = `_INBOX.connect.${clientID}`;
    const req = { clientID, heartbeatInbox: `_INBOX.hb.${clientID}`, protocol: 1, connID: Buffer.from(clientID), pingInterval: 5, pingMaxOut: 3 };
    const n = this.on(reply).length;
    this.transport.inject(this.info.discovery, pb.ConnectRequest.encode(req), reply);
    await this.#answered(reply, n);
    const res = pb.ConnectResponse.decode(this.on(reply).at(-1)!);
    if (res.error !== '') throw new Error(res.error);
  }

  /** Publishes without waiting; returns the PubAck subject. */
  publish(clientID: string, channel: string, data: string): string {
    const guid = `g${++this.#guid}`;
    const reply = `_INBOX.puback.${guid}`;
    const msg = pb.PubMsg.encode({ clientID, guid, subject: channel, data: Buffer.from(data), connID: Buffer.from(clientID) });
    this.transport.inject(`${this.info.publish}.${channel}`, msg, reply);
    return reply;
  }

  /** The PubAck's error ('' for stored), or undefined if none came yet. */
  pubAck(reply: string): string | undefined {
    const got = this.on(reply);
    return got.length === 0 ? undefined : pb.PubAck.decode(got[0]!).error;
  }

  async publishN(clientID: string, channel: string, n: number): Promise<void> {
    for (let i = 1; i <= n; i++) this.publish(clientID, channel, `m${i}`);
    await settle();
  }

  /** Subscribes; returns the delivery inbox and the ack inbox. */
  async subscribe(clientID: string, channel: string, o: SubOpts = {}): Promise<{ inbox: string; ackInbox: string }> {
    const inbox = `_INBOX.sub.${++this.#inbox}`;
    const reply = `${inbox}.reply`;
    const req = {
      clientID,
      subject: channel,
      qGroup: o.queue ?? '',
      inbox,
      maxInFlight: o.maxInFlight ?? 1024,
      ackWaitInSecs: o.ackWaitSecs ?? 30,
      durableName: o.durable ?? '',
      startPosition: o.startPosition ?? pb.StartPosition.First,
      startSequence: o.startSequence ?? 0,
    };
    const n = this.on(reply).length;
    this.transport.inject(this.info.subscribe, pb.SubscriptionRequest.encode(req), reply);
    await this.#answered(reply, n);
    const res = pb.SubscriptionResponse.decode(this.on(reply).at(-1)!);
    if (res.error !== '') throw new Error(res.error);
    return { inbox, ackInbox: res.ackInbox };
  }

  /** The messages delivered to an inbox, in arrival order. */
  delivered(inbox: string): Delivered[] {
    return this.on(inbox).map((d) => {
      const m = pb.MsgProto.decode(d);
      return { seq: m.sequence, data: Buffer.from(m.data).toString(), redelivered: m.redelivered, count: m.redeliveryCount };
    });
  }

  seqs(inbox: string): number[] {
    return this.delivered(inbox).map((d) => d.seq);
  }

  async ack(ackInbox: string, channel: string, ...seqs: number[]): Promise<void> {
    for (const sequence of seqs) this.transport.inject(ackInbox, pb.Ack.encode({ subject: channel, sequence }));
    await settle();
  }

  async unsubscribe(clientID: string, channel: string, ackInbox: string, close = false): Promise<void> {
    const subject = close ? this.info.subClose : this.info.unsubscribe;
    this.transport.inject(subject, pb.UnsubscribeRequest.encode({ clientID, subject: channel, inbox: ackInbox }), `_INBOX.unsub.${ackInbox}`);
    await settle();
  }

  async closeClient(clientID: string): Promise<void> {
    this.transport.inject(this.info.close, pb.CloseRequest.encode({ clientID }), `_INBOX.close.${clientID}`);
    await settle();
  }

  /**
   * Lets the server run until `reply` got an answer past the `n` it had:
   * one that wrote waits for the store's flush (a real fsync with a file store).
   */
  async #answered(reply: string, n: number): Promise<void> {
    await settle();
    for (let i = 0; this.on(reply).length === n && i < 2000; i++) await new Promise((r) => setTimeout(r, 1));
  }

  /** Advances the fake clock and lets what it started run. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await settle();
  }
}
