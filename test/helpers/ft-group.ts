// An FT group in child processes behind Debian's nats-server (-ns), for
// the FT tests and the takeover bench: starting a member (this server, or
// the Go one from GO_STAN_SERVER), its monitoring figures, a publisher that
// keeps a window of async publishes in flight and records what was
// acknowledged, and reading a channel back from its first message.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { startGoNats } from './go-nats.js';
import { routesAt } from './cluster.js';
import { freePort } from './ports.js';
import { ServerChild } from './server-child.js';
import { closeClient, stanConnect } from './stan.js';
import { stopProcess, until } from './wait.js';

export const GROUP = 'grp';
/** The Go server's binary for the mixed tests, when given. */
export const GO_STAN = process.env.GO_STAN_SERVER ?? '';

export interface Member {
  child: ServerChild;
  /** The monitoring port; 0 for the Go server, which has no monitoring with -ns (no embedded NATS server). */
  http: number;
  /** Which server: ours or Go's. */
  kind: 'ours' | 'go';
}

/**
 * Starts a member of GROUP on the file store in `store` (or with these
 * store flags) over the NATS server at `nats` (its URL,
 * for -ns), or with these NATS flags (an embedded server, e.g. in a route
 * cluster); resolves once it monitors.
 */
export async function startMember(store: string | string[], nats: string | string[], kind: 'ours' | 'go' = 'ours', extra: string[] = []): Promise<Member> {
  const storeArgs = typeof store === 'string' ? ['-st', 'file', '--dir', store] : store;
  const args = [...storeArgs, '--ft_group', GROUP, ...(typeof nats === 'string' ? ['-ns', nats] : nats), ...extra];
  if (kind === 'go') {
    const child = new ServerChild(args, GO_STAN);
    await child.waitFor(/Starting in standby mode/).catch(async (err) => {
      await child.stop('SIGKILL');
      throw err;
    });
    return { child, http: 0, kind };
  }
  const child = new ServerChild([...args, '-m', '-1']);
  try {
    const http = Number((await child.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
    return { child, http, kind };
  } catch (err) {
    await child.stop('SIGKILL');
    throw err;
  }
}

/** /streaming/isFTActive's status and /streaming/serverz's state. */
export async function ftStatus(m: Member): Promise<{ active: number; state: string }> {
  const active = (await fetch(`http://127.0.0.1:${m.http}/streaming/isFTActive`)).status;
  const serverz = (await (await fetch(`http://127.0.0.1:${m.http}/streaming/serverz`)).json()) as { state: string };
  return { active, state: serverz.state };
}

/** The channel's last sequence from the member's /streaming/channelsz (0 when it has none). */
export async function lastSeq(m: Member, channel: string): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${m.http}/streaming/channelsz?channel=${channel}`);
  if (r.status === 404) return 0;
  return ((await r.json()) as { last_seq: number }).last_seq;
}

/**
 * Publishes `m<i>` for i = 0, 1, 2... keeping `window` in flight until
 * stop(); `acked` gets each i whose PubAck came without error (with when).
 */
export class Publisher {
  readonly acked = new Map<number, number>();
  /** When each message was published (performance.now()). */
  readonly sentAt: number[] = [];
  failed = 0;
  published = 0;
  #inFlight = 0;
  #stopped = false;
  #settled: (() => void) | undefined;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(private readonly sc: any, private readonly channel: string, private readonly window: number) {
    this.#pump();
  }

  /** Stops publishing; resolves once every publish in flight has its answer (ack or error). */
  stop(): Promise<void> {
    this.#stopped = true;
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#settled = resolve));
  }

  /** When the first message published after `t` was acknowledged; undefined while none is. */
  firstAckOfPublishAfter(t: number): number | undefined {
    let first: number | undefined;
    for (const [i, at] of this.acked) if (this.sentAt[i]! > t && (first === undefined || at < first)) first = at;
    return first;
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight < this.window) {
      const i = this.published++;
      this.sentAt[i] = performance.now();
      this.#inFlight++;
      this.sc.publish(this.channel, `m${i}`, (err: unknown) => {
        this.#inFlight--;
        if (err) this.failed++;
        else this.acked.set(i, performance.now());
        if (this.#stopped) {
          if (this.#inFlight === 0) this.#settled?.();
        } else if (this.#inFlight < this.window / 2) setImmediate(() => this.#pump());
      });
    }
  }
}

/** The payload index of an `m<i>` message. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function indexOf(m: any): number {
  return Number(String(m.getData()).slice(1));
}

/**
 * Reads the channel from the first message until every index of `want` came
 * (rejecting with the missing ones after `timeoutMs`); resolves with the
 * payload index by sequence. Deliveries come in order: a hole is a gap.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readUntil(sc: any, channel: string, want: Set<number>, timeoutMs = 30_000): Promise<(number | undefined)[]> {
  return new Promise((resolve, reject) => {
    const sub = sc.subscribe(channel, sc.subscriptionOptions().setDeliverAllAvailable().setMaxInFlight(10_000));
    const missing = new Set(want);
    const bySeq: (number | undefined)[] = [];
    const done = () => {
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(bySeq);
    };
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`acknowledged and not read: ${missing.size} of ${want.size} (${[...missing].slice(0, 10).join(', ')}...)`));
    }, timeoutMs);
    sub.on('message', (m: { getSequence(): number }) => {
      const i = indexOf(m);
      bySeq[m.getSequence() - 1] = i;
      missing.delete(i);
      if (missing.size === 0) done();
    });
    sub.on('ready', () => {
      if (missing.size === 0) done();
    });
  });
}

/** Reads the channel's `count` messages from the first; resolves with the payload index by sequence. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readAll(sc: any, channel: string, count: number, timeoutMs = 30_000): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const sub = sc.subscribe(channel, sc.subscriptionOptions().setDeliverAllAvailable().setMaxInFlight(10_000));
    const bySeq: number[] = [];
    let received = 0;
    const done = () => {
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(bySeq);
    };
    const timer = setTimeout(() => reject(new Error(`read ${received} of ${count} messages`)), timeoutMs);
    sub.on('message', (m: { getSequence(): number }) => {
      const seq = m.getSequence();
      if (bySeq[seq - 1] === undefined) {
        bySeq[seq - 1] = indexOf(m);
        received++;
      }
      if (received === count) done();
    });
    sub.on('ready', () => {
      if (count === 0) done();
    });
  });
}

/**
 * A store directory, the NATS network (a nats-server, or the members' own
 * embedded servers joined by routes), and the members started on them.
 */
export interface FtEnv {
  dir: string;
  /** Where the test's clients connect. */
  url: string;
  nats: Awaited<ReturnType<typeof startGoNats>> | undefined;
  /** The members' store flags (default: the file store in `dir`). */
  storeArgs?: string[];
  /** The NATS flags of the i-th member started (default: -ns url). */
  natsArgs?: (i: number) => string[];
  members: Member[];
}

export async function ftEnv(): Promise<FtEnv> {
  const nats = await startGoNats();
  return { dir: mkdtempSync(join(tmpdir(), 'stan-ft-')), url: `nats://127.0.0.1:${nats.port}`, nats, members: [] };
}

/**
 * Two members on their own embedded NATS servers, each soliciting a route
 * to the other; the clients connect to the second one's (the standby's)
 * server, so their connections outlive the first.
 */
export async function ftClusterEnv(): Promise<FtEnv> {
  const [c0, c1, r0, r1] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const clientPorts = [c0, c1];
  const routePorts = [r0, r1];
  return {
    dir: mkdtempSync(join(tmpdir(), 'stan-ft-cluster-')),
    url: `nats://127.0.0.1:${c1}`,
    nats: undefined,
    natsArgs: (i) => [
      '-a', '127.0.0.1', '-p', String(clientPorts[i % 2]),
      '--cluster', `nats://127.0.0.1:${routePorts[i % 2]}`, '--routes', `nats://127.0.0.1:${routePorts[(i + 1) % 2]}`,
      '--cluster_name', 'ft',
    ],
    members: [],
  };
}

/** The NATS flags of the next member of `e`. */
export function memberNats(e: FtEnv): string | string[] {
  return e.natsArgs?.(e.members.length) ?? e.url;
}

export async function closeFtEnv(e: FtEnv): Promise<void> {
  for (const m of e.members) await m.child.stop('SIGKILL');
  if (e.nats !== undefined) await stopProcess(e.nats.proc);
  rmSync(e.dir, { recursive: true, force: true });
}

/** The first member (active once it is ready) and a second one in standby. */
export async function activeAndStandby(e: FtEnv, first: Member['kind'] = 'ours', second: Member['kind'] = 'ours'): Promise<[Member, Member]> {
  const a = await startMember(e.storeArgs ?? e.dir, memberNats(e), first);
  e.members.push(a);
  await a.child.waitFor(/Streaming Server is ready/);
  const b = await startMember(e.storeArgs ?? e.dir, memberNats(e), second);
  e.members.push(b);
  await b.child.waitFor(/Starting in standby mode/);
  if (e.natsArgs !== undefined) await routesAt(b.http);
  return [a, b];
}

export const FT_CHANNEL = 'ft';
/** Publishes in flight at once. */
const WINDOW = 200;
/** Acknowledged messages before the kill, and after the takeover. */
const BEFORE = 300;
const AFTER = 300;
/** A publish lost in the takeover fails this fast (node-nats-streaming's default is 30 s). */
export const ACK_TIMEOUT_MS = 2000;
/** The subscriptions' AckWait: what was sent and not acknowledged comes again this soon. */
const ACK_WAIT_MS = 2000;

/**
 * The takeover: `first` active, `second` standby; subscriptions (durable,
 * queue, plain) on one connection and async publishing on another; the
 * active SIGKILLed. Checks that the second takes over, that every
 * acknowledged message is stored in one gapless sequence, and that each
 * subscription of the surviving connection gets every one of them.
 */
export async function killActiveUnderLoad(e: FtEnv, first: Member['kind'], second: Member['kind']): Promise<void> {
  const [a, b] = await activeAndStandby(e, first, second);
  if (a.kind === 'ours') assert.equal(await ftStatus(a), { active: 200, state: 'FT_ACTIVE' });
  if (b.kind === 'ours') assert.equal(await ftStatus(b), { active: 204, state: 'FT_STANDBY' });

  const subscriber = await stanConnect(e.url, 'ft-subscriber');
  const received = { durable: new Set<number>(), queue: new Set<number>(), plain: new Set<number>() };
  const opts = () => subscriber.subscriptionOptions().setDeliverAllAvailable().setAckWait(ACK_WAIT_MS).setMaxInFlight(1000);
  const subs = [
    subscriber.subscribe(FT_CHANNEL, opts().setDurableName('dur')),
    subscriber.subscribe(FT_CHANNEL, 'workers', opts()),
    subscriber.subscribe(FT_CHANNEL, opts()),
  ];
  const sets = [received.durable, received.queue, received.plain];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  subs.forEach((s: any, k: number) => s.on('message', (m: any) => sets[k]!.add(indexOf(m))));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  await Promise.all(subs.map((s: any) => new Promise((r) => s.once('ready', r))));

  const pub = await stanConnect(e.url, 'ft-publisher', { ackTimeout: ACK_TIMEOUT_MS });
  const publisher = new Publisher(pub, FT_CHANNEL, WINDOW);
  await until(() => publisher.acked.size >= BEFORE, 'acks before the kill', 30_000);
  a.child.child.kill('SIGKILL');
  await a.child.exited;
  await b.child.waitFor(/Server is active\n/);
  await b.child.waitFor(/Streaming Server is ready/);
  const ackedAtTakeover = publisher.acked.size;
  await until(() => publisher.acked.size >= ackedAtTakeover + AFTER, 'acks from the new active', 30_000);
  await publisher.stop();
  if (b.kind === 'ours') assert.equal(await ftStatus(b), { active: 200, state: 'FT_ACTIVE' });

  // Every acknowledged message is in the store, in one gapless sequence.
  const reader = await stanConnect(e.url, 'ft-reader');
  const bySeq = await readUntil(reader, FT_CHANNEL, new Set(publisher.acked.keys()));
  assert.ok(bySeq.every((i) => i !== undefined), 'the sequences have no gap');
  if (b.kind === 'ours') assert.ok(bySeq.length <= (await lastSeq(b, FT_CHANNEL)));

  // The connection that survived: each subscription gets every acknowledged message.
  for (const [name, set] of Object.entries(received)) {
    await until(() => [...publisher.acked.keys()].every((i) => set.has(i)), `the ${name} subscription's messages`, 20_000);
  }
  // Its heartbeats and requests go on with the new active: a new subscription works.
  const more = subscriber.subscribe(FT_CHANNEL, subscriber.subscriptionOptions().setStartAtSequence(bySeq.length));
  await new Promise((resolve) => more.once('message', resolve));
  await Promise.all([closeClient(pub), closeClient(subscriber), closeClient(reader)]);
}
