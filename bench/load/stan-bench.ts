// A NATS Streaming load generator in the shape of Go's stan-bench
// (stan.go examples/stan-bench): publishers and subscribers, each with its
// own node-nats-streaming connection, on one channel; subscribers start
// first with DeliverAllAvailable (unless -io) and the publishers then share
// -n messages. Runs in its own process(es) and prints one JSON line:
//
//   node dist/bench/load/stan-bench.js [-s url] [-c cluster] [-id base] [-np 10] [-ns 0] [-n 100000]
//        [-ms 128] [-mpa 512] [-sync] [-io] [-raw] [-procs 1] [-spid PID] [-timeout 120] [subject]
//
// Flags and defaults are stan-bench's (-np 10, -ns 0, -n 100000, -ms 128,
// -mpa 512: the max-pubacks-in-flight window, so an async publisher keeps
// at most that many publishes un-acked; -sync waits for each PubAck;
// subscribers use MaxInflight 1024 and auto-ack, stan.go's defaults), plus:
//   -procs K   spread the clients over K generator processes (round-robin,
//              subscribers first), because node-nats-streaming is slow
//              enough that one process can be the bottleneck;
//   -spid PID  a server process whose CPU time is sampled over the measured
//              window (from /proc), to tell who the bottleneck is;
//   -timeout S give up (exit 1) if the run has not finished after S seconds;
//   -raw       use a lean built-in client (raw NATS protocol over a socket,
//              hand-encoded protobuf, batched writes, like stan.go's costs)
//              instead of node-nats-streaming, so that the server rather
//              than the client is measured.
//
// Rates are computed as stan-bench's bench package does: pub = messages
// published / (last publisher end - first publisher start); sub the same
// over subscribers (a subscriber starts at its first message); total =
// all messages published and received / (last end - first start).
// Latency is publish-to-PubAck per message, window wait excluded (the
// clock starts when the message is handed to the client).

import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stan: any = require('node-nats-streaming');

export interface Config {
  url: string;
  cluster: string;
  id: string;
  np: number;
  ns: number;
  n: number;
  ms: number;
  mpa: number;
  sync: boolean;
  io: boolean;
  raw: boolean;
  procs: number;
  spid: number;
  timeout: number;
  subject: string;
}

const DEFAULTS: Config = {
  url: 'nats://127.0.0.1:4222',
  cluster: 'test-cluster',
  id: 'benchmark',
  np: 10,
  ns: 0,
  n: 100_000,
  ms: 128,
  mpa: 512,
  sync: false,
  io: false,
  raw: false,
  procs: 1,
  spid: 0,
  timeout: 120,
  subject: 'foo',
};

const STRING_FLAGS: Record<string, 'url' | 'cluster' | 'id'> = { s: 'url', c: 'cluster', cluster: 'cluster', id: 'id' };
const NUMBER_FLAGS = ['np', 'ns', 'n', 'ms', 'mpa', 'procs', 'spid', 'timeout'] as const;
const BOOL_FLAGS = ['sync', 'io', 'raw'] as const;

export function parseFlags(argv: string[]): Config {
  const cfg: Config = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      cfg.subject = arg;
      continue;
    }
    const [rawName, inline] = arg.replace(/^--?/, '').split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`flag -${rawName} needs a value`);
      return v;
    };
    if (rawName in STRING_FLAGS) cfg[STRING_FLAGS[rawName]!] = value();
    else if ((NUMBER_FLAGS as readonly string[]).includes(rawName)) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`flag -${rawName}: not a count: ${arg}`);
      cfg[rawName as (typeof NUMBER_FLAGS)[number]] = n;
    } else if ((BOOL_FLAGS as readonly string[]).includes(rawName)) cfg[rawName as (typeof BOOL_FLAGS)[number]] = inline !== 'false';
    else throw new Error(`unknown flag ${arg}`);
  }
  if (cfg.np + cfg.ns === 0) throw new Error('nothing to do: -np 0 -ns 0');
  if (cfg.mpa < 1) throw new Error('-mpa must be >= 1');
  cfg.procs = Math.max(1, Math.min(cfg.procs, cfg.np + cfg.ns));
  return cfg;
}

// ---- latency histogram (log-linear, ~1.6 % resolution, mergeable) ----

const LINEAR = 128;
const SUB = 64;
const BUCKETS = LINEAR + SUB * 48;

function bucketOf(us: number): number {
  const v = Math.max(0, Math.floor(us));
  if (v < LINEAR) return v;
  const e = 31 - Math.clz32(v); // v in [2^e, 2^(e+1)), e >= 7
  return Math.min(BUCKETS - 1, LINEAR + (e - 7) * SUB + ((v >>> (e - 6)) & (SUB - 1)));
}

/** The lower bound of a bucket, in µs. */
function valueOf(b: number): number {
  if (b < LINEAR) return b;
  const e = Math.floor((b - LINEAR) / SUB) + 7;
  const sub = (b - LINEAR) % SUB;
  return (SUB + sub) * 2 ** (e - 6);
}

export function percentiles(hist: ArrayLike<number>, maxUs: number): { p50: number; p90: number; p99: number; max: number } {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  const at = (q: number) => {
    if (total === 0) return 0;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i < hist.length; i++) {
      seen += hist[i]!;
      if (seen >= rank) return valueOf(i);
    }
    return maxUs;
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(maxUs) };
}

// ---- what a generator process measures ----

export interface Role {
  kind: 'pub' | 'sub';
  index: number;
  /** Messages to publish (pub) or to receive (sub). */
  msgs: number;
}

interface Sample {
  kind: 'pub' | 'sub';
  msgs: number;
  /** Absolute ms (timeOrigin + now), comparable across processes. */
  start: number;
  end: number;
}

export interface WorkerResult {
  samples: Sample[];
  /** [bucket, count] pairs of the publish-ack latency histogram. */
  hist: [number, number][];
  maxUs: number;
  /** CPU µs this process spent between go and done. */
  cpuUs: number;
}

const clock = () => performance.timeOrigin + performance.now();

// ---- the lean client (-raw) ----
// Just enough of the NATS protocol and of the STAN protobufs (STAN-REFERENCE
// §2, §3) for this benchmark: connect, publish with a window, subscribe and
// auto-ack, answer server heartbeats, close. Writes are gathered into one
// socket write per turn of the event loop, as nats.go's flusher does.

const CRLF = Buffer.from('\r\n');

type MsgHandler = (subject: string, reply: string, data: Buffer) => void;

class RawNats {
  #out = Buffer.allocUnsafe(1 << 16);
  #olen = 0;
  #flushQueued = false;
  #in: Buffer = Buffer.alloc(0);
  #sid = 0;
  readonly #subs = new Map<number, MsgHandler>();
  readonly #pongs: (() => void)[] = [];

  private constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => this.#read(d));
    sock.on('error', (err) => fail(`socket: ${err.message}`));
  }

  static connect(url: string): Promise<RawNats> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const sock = netConnect(Number(u.port || 4222), u.hostname, () => {
        sock.off('error', reject);
        sock.setNoDelay(true);
        const nc = new RawNats(sock);
        nc.#write(`CONNECT {"verbose":false,"pedantic":false,"protocol":1,"name":"stan-bench-raw"}\r\n`);
        void nc.flush().then(() => resolve(nc));
      });
      sock.once('error', reject);
    });
  }

  /** Room for `n` more bytes in the output buffer. */
  #reserve(n: number): void {
    if (this.#olen + n <= this.#out.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#out.length * 2, this.#olen + n));
    this.#out.copy(next, 0, 0, this.#olen);
    this.#out = next;
  }

  #write(s: string): void {
    this.#reserve(s.length);
    this.#olen += this.#out.write(s, this.#olen, 'latin1');
    this.#queueFlush();
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (this.#olen === 0) return;
      this.sock.write(this.#out.subarray(0, this.#olen));
      this.#out = Buffer.allocUnsafe(this.#out.length);
      this.#olen = 0;
    });
  }

  /** PUB with a payload made of `parts`; returns the offset of the payload in the output buffer, for patching. */
  pub(subject: string, reply: string, payload: Buffer): number {
    const head = `PUB ${subject} ${reply} ${payload.length}\r\n`;
    this.#reserve(head.length + payload.length + 2);
    this.#olen += this.#out.write(head, this.#olen, 'latin1');
    const at = this.#olen;
    this.#olen += payload.copy(this.#out, this.#olen);
    this.#out[this.#olen++] = 13;
    this.#out[this.#olen++] = 10;
    this.#queueFlush();
    return at;
  }

  /** Writes `s` (latin1) at `at` of the pending output (right after pub()). */
  patch(at: number, s: string): void {
    this.#out.write(s, at, 'latin1');
  }

  sub(subject: string, cb: MsgHandler): number {
    const sid = ++this.#sid;
    this.#subs.set(sid, cb);
    this.#write(`SUB ${subject} ${sid}\r\n`);
    return sid;
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.#pongs.push(resolve);
      this.#write('PING\r\n');
    });
  }

  close(): void {
    this.sock.destroy();
  }

  #read(d: Buffer): void {
    let buf = this.#in.length ? Buffer.concat([this.#in, d]) : d;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(CRLF, pos);
      if (nl < 0) break;
      const c = buf[pos];
      if (c === 0x4d /* M */) {
        const parts = buf.toString('latin1', pos + 4, nl).split(' ');
        const size = Number(parts[parts.length - 1]);
        const end = nl + 2 + size;
        if (end + 2 > buf.length) break;
        const cb = this.#subs.get(Number(parts[1]));
        if (cb) cb(parts[0]!, parts.length === 4 ? parts[2]! : '', buf.subarray(nl + 2, end));
        pos = end + 2;
        continue;
      }
      const line = buf.toString('latin1', pos, nl);
      pos = nl + 2;
      if (line === 'PING') this.#write('PONG\r\n');
      else if (line === 'PONG') this.#pongs.shift()?.();
      else if (line.startsWith('-ERR')) fail(`server: ${line}`);
    }
    this.#in = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
  }
}

// protobuf, minimal

function putVarint(b: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    b[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  b[at++] = v;
  return at;
}

type Field = [number, string | Uint8Array | number];

function encode(fields: Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const [num, v] of fields) {
    if (typeof v === 'number') {
      const b = Buffer.alloc(1 + 10);
      parts.push(b.subarray(0, putVarint(b, putVarint(b, 0, num << 3), v)));
    } else {
      const data = typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);
      const b = Buffer.alloc(12);
      const head = putVarint(b, putVarint(b, 0, (num << 3) | 2), data.length);
      parts.push(b.subarray(0, head), data);
    }
  }
  return Buffer.concat(parts);
}

/** Calls `cb(field, varint, start, end)` for each field (start/end delimit a length-delimited value). */
function decode(b: Buffer, cb: (field: number, v: number, start: number, end: number) => void): void {
  let i = 0;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const x = b[i++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
  };
  while (i < b.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) cb(tag >>> 3, varint(), 0, 0);
    else if (wire === 2) {
      const len = varint();
      cb(tag >>> 3, 0, i, i + len);
      i += len;
    } else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else throw new Error(`bad wire type ${wire}`);
  }
}

function decodeStrings(b: Buffer): Map<number, string> {
  const m = new Map<number, string>();
  decode(b, (f, _v, s, e) => {
    if (e > s) m.set(f, b.toString('utf8', s, e));
  });
  return m;
}

const randomId = (n: number) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

/** A STAN connection of the lean client. */
class RawStan {
  #reqId = 0;
  readonly #pending = new Map<string, (data: Buffer) => void>();
  readonly #respPrefix = `_INBOX.${randomId(16)}.`;
  readonly connId = randomId(22);
  /** The ConnectResponse's string fields by number (1 pubPrefix, 2 subRequests, 4 closeRequests). */
  info = new Map<number, string>();

  private constructor(
    readonly nc: RawNats,
    readonly clientId: string,
  ) {
    nc.sub(`${this.#respPrefix}*`, (subject, _r, data) => {
      const cb = this.#pending.get(subject);
      if (cb) {
        this.#pending.delete(subject);
        cb(Buffer.from(data));
      }
    });
  }

  static async connect(cfg: Config, clientId: string): Promise<RawStan> {
    const nc = await RawNats.connect(cfg.url);
    const sc = new RawStan(nc, clientId);
    const hb = `_INBOX.${randomId(22)}`;
    // Server heartbeats: answer with an empty message.
    nc.sub(hb, (_s, reply) => reply && nc.pub(reply, '', Buffer.alloc(0)));
    // Protocol 1 without pingInterval: the server echoes 0, so no client pings.
    const resp = await sc.request(`_STAN.discover.${cfg.cluster}`, encode([[1, clientId], [2, hb], [3, 1], [4, sc.connId]]));
    sc.info = decodeStrings(resp);
    if (sc.info.get(5)) throw new Error(`connect ${clientId}: ${sc.info.get(5)}`);
    return sc;
  }

  request(subject: string, data: Buffer, timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const inbox = `${this.#respPrefix}${++this.#reqId}`;
      const t = setTimeout(() => {
        this.#pending.delete(inbox);
        reject(new Error(`request on ${subject} timed out`));
      }, timeoutMs);
      this.#pending.set(inbox, (d) => {
        clearTimeout(t);
        resolve(d);
      });
      this.nc.pub(subject, inbox, data);
    });
  }

  async close(): Promise<void> {
    try {
      await this.request(this.info.get(4)!, encode([[1, this.clientId]]), 2000);
    } finally {
      this.nc.close();
    }
  }
}

const GUID_DIGITS = 10;

/** Publishes `count` messages with at most `window` un-acked; resolves with the sample. */
function rawPublish(
  sc: RawStan,
  cfg: Config,
  count: number,
  window: number,
  payload: Buffer,
  record: (us: number) => void,
): Promise<Sample> {
  return new Promise((resolve) => {
    const start = clock();
    if (count === 0) return resolve({ kind: 'pub', msgs: 0, start, end: start });
    const guidBase = randomId(22 - GUID_DIGITS);
    // PubMsg: everything but the guid's counter digits is the same for every message.
    const template = encode([
      [1, sc.clientId],
      [3, cfg.subject],
      [6, sc.connId],
      [2, guidBase + '0'.repeat(GUID_DIGITS)],
      [5, payload],
    ]);
    const digitsAt = template.indexOf(guidBase + '0'.repeat(GUID_DIGITS)) + guidBase.length;
    const subject = `${sc.info.get(1)}.${cfg.subject}`;
    const ackInbox = `_STAN.acks.${randomId(22)}`;
    const sentAt = new Float64Array(count);
    let sent = 0;
    let acked = 0;
    sc.nc.sub(ackInbox, (_s, _r, data) => {
      let index = -1;
      decode(data, (f, _v, s, e) => {
        if (f === 1) index = Number(data.toString('latin1', e - GUID_DIGITS, e));
        else if (f === 2 && e > s) fail(`publish error: ${data.toString('utf8', s, e)}`);
      });
      if (!(index >= 0 && index < count)) fail('PubAck with an unknown guid');
      record((performance.now() - sentAt[index]!) * 1000);
      if (++acked === count) return resolve({ kind: 'pub', msgs: count, start, end: clock() });
      pump();
    });
    const pump = () => {
      while (sent < count && sent - acked < window) {
        const i = sent++;
        sentAt[i] = performance.now();
        const at = sc.nc.pub(subject, ackInbox, template);
        sc.nc.patch(at + digitsAt, String(i).padStart(GUID_DIGITS, '0'));
      }
    };
    void sc.nc.flush().then(pump);
  });
}

/** Subscribes (auto-ack, MaxInflight 1024); `done` resolves once `count` messages arrived. */
async function rawSubscribe(sc: RawStan, cfg: Config, count: number): Promise<{ done: Promise<Sample> }> {
  const inbox = `_INBOX.${randomId(22)}`;
  let received = 0;
  let start = 0;
  let ackInbox = '';
  const ackHead = encode([[1, cfg.subject]]);
  const ackBuf = Buffer.allocUnsafe(ackHead.length + 11);
  ackHead.copy(ackBuf);
  let done!: (s: Sample) => void;
  const finished = new Promise<Sample>((resolve) => (done = resolve));
  if (count === 0) done({ kind: 'sub', msgs: 0, start: clock(), end: clock() });
  /** Sequences that arrived before the SubscriptionResponse (the server should not send any). */
  const early: number[] = [];
  const ack = (seq: number) => {
    ackBuf[ackHead.length] = 0x10;
    const end = putVarint(ackBuf, ackHead.length + 1, seq);
    sc.nc.pub(ackInbox, '', ackBuf.subarray(0, end));
  };
  sc.nc.sub(inbox, (_s, _r, data) => {
    let seq = 0;
    decode(data, (f, v) => {
      if (f === 1) seq = v;
    });
    if (ackInbox) ack(seq);
    else early.push(seq);
    if (++received === 1) start = clock();
    if (received === count) done({ kind: 'sub', msgs: received, start, end: clock() });
  });
  const fields: Field[] = [
    [1, sc.clientId],
    [2, cfg.subject],
    [4, inbox],
    [5, 1024],
    [6, 30],
  ];
  if (!cfg.io) fields.push([10, 4]); // StartPosition First = DeliverAllAvailable
  const resp = decodeStrings(await sc.request(sc.info.get(2)!, encode(fields)));
  if (resp.get(3)) throw new Error(`subscribe: ${resp.get(3)}`);
  ackInbox = resp.get(2)!;
  early.forEach(ack);
  return { done: finished };
}

// ---- node-nats-streaming, and one generator process's share of the clients ----

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function connect(cfg: Config, clientId: string, opts: Record<string, unknown> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    const sc = stan.connect(cfg.cluster, clientId, { url: cfg.url, ...opts });
    sc.once('error', reject);
    sc.once('connect', () => {
      sc.off('error', reject);
      sc.on('error', (err: Error) => fail(`${clientId}: ${err.message}`));
      sc.on('connection_lost', (err: Error) => fail(`${clientId}: connection lost: ${err?.message}`));
      resolve(sc);
    });
  });
}

function fail(why: string): never {
  process.stderr.write(`stan-bench: ${why}\n`);
  process.exit(1);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function closeAll(conns: any[]): Promise<void> {
  return Promise.all(
    conns.map(
      (sc) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 2000);
          sc.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          sc.close();
        }),
    ),
  ).then(() => undefined);
}

/** Connects and subscribes this process's clients; the returned function runs the load. */
export async function prepare(cfg: Config, roles: Role[]): Promise<() => Promise<WorkerResult>> {
  const hist = new Float64Array(BUCKETS);
  let maxUs = 0;
  const record = (us: number) => {
    hist[bucketOf(us)]!++;
    if (us > maxUs) maxUs = us;
  };
  const payload = Buffer.alloc(cfg.ms, 0x61);
  const window = cfg.sync ? 1 : cfg.mpa;
  const subDone: Promise<Sample>[] = [];
  const starters: (() => Promise<Sample>)[] = [];
  const closers: (() => Promise<void>)[] = [];

  for (const role of roles.filter((r) => r.kind === 'sub')) {
    const id = `${cfg.id}-sub-${role.index}`;
    if (cfg.raw) {
      const sc = await RawStan.connect(cfg, id);
      closers.push(() => sc.close());
      subDone.push((await rawSubscribe(sc, cfg, role.msgs)).done);
    } else {
      const sc = await connect(cfg, id);
      closers.push(() => closeAll([sc]));
      subDone.push((await nodeSubscribe(sc, cfg, role.msgs)).done);
    }
  }
  for (const role of roles.filter((r) => r.kind === 'pub')) {
    const id = `${cfg.id}-pub-${role.index}`;
    if (cfg.raw) {
      const sc = await RawStan.connect(cfg, id);
      closers.push(() => sc.close());
      starters.push(() => rawPublish(sc, cfg, role.msgs, window, payload, record));
    } else {
      const sc = await connect(cfg, id, { maxPubAcksInflight: cfg.mpa });
      closers.push(() => closeAll([sc]));
      starters.push(() => nodePublish(sc, cfg, role.msgs, window, payload, record));
    }
  }

  return async () => {
    const cpu0 = process.cpuUsage();
    const timer = setTimeout(() => fail(`not finished after ${cfg.timeout} s`), cfg.timeout * 1000);
    const samples = await Promise.all([...starters.map((start) => start()), ...subDone]);
    const cpu = process.cpuUsage(cpu0);
    clearTimeout(timer);
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
    const pairs: [number, number][] = [];
    hist.forEach((c, b) => c > 0 && pairs.push([b, c]));
    return { samples, hist: pairs, maxUs, cpuUs: cpu.user + cpu.system };
  };
}

/** Subscribes with node-nats-streaming (MaxInflight 1024 as stan.go's default, auto-ack). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function nodeSubscribe(sc: any, cfg: Config, count: number): Promise<{ done: Promise<Sample> }> {
  const opts = sc.subscriptionOptions().setMaxInFlight(1024);
  if (!cfg.io) opts.setDeliverAllAvailable();
  const sub = sc.subscribe(cfg.subject, opts);
  let received = 0;
  let start = 0;
  const finished = new Promise<Sample>((resolve) => {
    if (count === 0) resolve({ kind: 'sub', msgs: 0, start: clock(), end: clock() });
    sub.on('message', () => {
      if (++received === 1) start = clock();
      if (received === count) resolve({ kind: 'sub', msgs: received, start, end: clock() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    sub.once('ready', resolve);
    sub.once('error', reject);
    sub.once('timeout', reject);
  });
  return { done: finished };
}

/**
 * Publishes with node-nats-streaming, at most `window` un-acked (its own
 * limit only fails a publish, it does not block as stan.go's does).
 */
function nodePublish(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sc: any,
  cfg: Config,
  count: number,
  window: number,
  payload: Buffer,
  record: (us: number) => void,
): Promise<Sample> {
  return new Promise((resolve) => {
    const sentAt = new Float64Array(count);
    let sent = 0;
    let acked = 0;
    const start = clock();
    if (count === 0) return resolve({ kind: 'pub', msgs: 0, start, end: start });
    const onAck = (i: number, err: Error | undefined) => {
      if (err) fail(`publish: ${err.message ?? String(err)}`);
      record((performance.now() - sentAt[i]!) * 1000);
      if (++acked === count) return resolve({ kind: 'pub', msgs: count, start, end: clock() });
      pump();
    };
    const pump = () => {
      while (sent < count && sent - acked < window) {
        const i = sent++;
        sentAt[i] = performance.now();
        sc.publish(cfg.subject, payload, (err: Error | undefined) => onAck(i, err));
      }
    };
    pump();
  });
}

// ---- the coordinator ----

/** stan-bench's bench.MsgsPerClient: n split evenly, the remainder to the first ones. */
function msgsPerClient(n: number, clients: number): number[] {
  return Array.from({ length: clients }, (_, i) => Math.floor(n / clients) + (i < n % clients ? 1 : 0));
}

/** utime + stime of a process in seconds, or undefined when it cannot be read. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Busy jiffies-as-seconds of the whole machine (all CPUs), from /proc/stat. */
function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return undefined;
  }
}

export interface BenchResult {
  np: number;
  ns: number;
  n: number;
  ms: number;
  sync: boolean;
  mpa: number;
  procs: number;
  client: 'raw' | 'node-nats-streaming';
  pub: { msgs: number; seconds: number; rate: number };
  sub: { msgs: number; seconds: number; rate: number };
  total: { msgs: number; seconds: number; rate: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number };
  /** CPU use over the measured window, in % of one core (the machine has os.cpus().length). */
  generatorCpu: number;
  /** Per generator process. */
  generatorCpuPerProc: number[];
  serverCpu?: number;
  /** Every process on the machine together. */
  machineCpu?: number;
}

function aggregate(samples: Sample[]): { msgs: number; seconds: number; rate: number } {
  if (samples.length === 0) return { msgs: 0, seconds: 0, rate: 0 };
  const msgs = samples.reduce((a, s) => a + s.msgs, 0);
  const seconds = (Math.max(...samples.map((s) => s.end)) - Math.min(...samples.map((s) => s.start))) / 1000;
  return { msgs, seconds, rate: seconds > 0 ? Math.round(msgs / seconds) : 0 };
}

async function coordinate(cfg: Config): Promise<BenchResult> {
  const pubCounts = msgsPerClient(cfg.n, cfg.np);
  const roles: Role[] = [
    ...Array.from({ length: cfg.ns }, (_, i): Role => ({ kind: 'sub', index: i, msgs: cfg.n })),
    ...pubCounts.map((msgs, i): Role => ({ kind: 'pub', index: i, msgs })),
  ];
  const shares: Role[][] = Array.from({ length: cfg.procs }, () => []);
  roles.forEach((r, i) => shares[i % cfg.procs]!.push(r));

  let results: WorkerResult[];
  let serverCpu0: number | undefined;
  let machine0: number | undefined;
  let t0 = 0;
  if (cfg.procs === 1) {
    const run = await prepare(cfg, shares[0]!);
    serverCpu0 = cfg.spid ? cpuSeconds(cfg.spid) : undefined;
    machine0 = machineBusySeconds();
    t0 = clock();
    results = [await run()];
  } else {
    const self = fileURLToPath(import.meta.url);
    const children: ChildProcess[] = shares.map((share) =>
      fork(self, ['--worker', JSON.stringify({ cfg, roles: share })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const next = (c: ChildProcess) =>
      new Promise<{ type: string; result?: WorkerResult }>((resolve, reject) => {
        c.once('message', (m) => resolve(m as { type: string; result?: WorkerResult }));
        c.once('exit', (code) => reject(new Error(`generator process exited ${code}`)));
      });
    await Promise.all(children.map(next)); // ready
    serverCpu0 = cfg.spid ? cpuSeconds(cfg.spid) : undefined;
    machine0 = machineBusySeconds();
    t0 = clock();
    const done = children.map(next);
    for (const c of children) c.send({ type: 'go' });
    results = (await Promise.all(done)).map((m) => m.result!);
  }
  const t1 = clock();
  const serverCpu1 = cfg.spid ? cpuSeconds(cfg.spid) : undefined;
  const machine1 = machineBusySeconds();

  const all = results.flatMap((r) => r.samples);
  const hist = new Float64Array(BUCKETS);
  for (const r of results) for (const [b, c] of r.hist) hist[b]! += c;
  const windowSecs = (t1 - t0) / 1000;
  const out: BenchResult = {
    np: cfg.np,
    ns: cfg.ns,
    n: cfg.n,
    ms: cfg.ms,
    sync: cfg.sync,
    mpa: cfg.mpa,
    procs: cfg.procs,
    client: cfg.raw ? 'raw' : 'node-nats-streaming',
    pub: aggregate(all.filter((s) => s.kind === 'pub')),
    sub: aggregate(all.filter((s) => s.kind === 'sub')),
    total: aggregate(all),
    latencyUs: percentiles(hist, Math.max(...results.map((r) => r.maxUs))),
    generatorCpu: Math.round((results.reduce((a, r) => a + r.cpuUs, 0) / 1e6 / windowSecs) * 100),
    generatorCpuPerProc: results.map((r) => Math.round((r.cpuUs / 1e6 / windowSecs) * 100)),
  };
  const pct = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined ? Math.round(((b - a) / windowSecs) * 100) : undefined;
  const serverCpu = pct(serverCpu0, serverCpu1);
  if (serverCpu !== undefined) out.serverCpu = serverCpu;
  const machineCpu = pct(machine0, machine1);
  if (machineCpu !== undefined) out.machineCpu = machineCpu;
  return out;
}

async function worker(spec: { cfg: Config; roles: Role[] }): Promise<void> {
  const run = await prepare(spec.cfg, spec.roles);
  process.send!({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const result = await run();
  process.send!({ type: 'done', result }, () => process.exit(0));
}

const argv = process.argv.slice(2);
if (argv[0] === '--worker') {
  await worker(JSON.parse(argv[1]!) as { cfg: Config; roles: Role[] });
} else {
  let cfg: Config;
  try {
    cfg = parseFlags(argv);
  } catch (err) {
    fail((err as Error).message);
  }
  const result = await coordinate(cfg);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
