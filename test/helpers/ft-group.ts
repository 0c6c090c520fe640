// An FT group in child processes behind Debian's nats-server (-ns), for
// the FT tests and the takeover bench: starting a member (this server, or
// the Go one from GO_STAN_SERVER), its monitoring figures, a publisher that
// keeps a window of async publishes in flight and records what was
// acknowledged, and reading a channel back from its first message.

import { ServerChild } from './server-child.js';

export const GROUP = 'grp';
/** The Go server's binary for the mixed tests, when given. */
export const GO_STAN = process.env.GO_STAN_SERVER ?? '';

export interface Member {
  child: ServerChild;
  http: number;
  /** Which server: ours or Go's. */
  kind: 'ours' | 'go';
}

/** Starts a member of GROUP on `dir` over the NATS server at `url`; resolves once it monitors. */
export async function startMember(dir: string, url: string, kind: 'ours' | 'go' = 'ours', extra: string[] = []): Promise<Member> {
  const args = ['-st', 'file', '--dir', dir, '--ft_group', GROUP, '-ns', url, '-m', '-1', ...extra];
  const child = kind === 'go' ? new ServerChild(args, GO_STAN) : new ServerChild(args);
  const http = Number((await child.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
  return { child, http, kind };
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

  #pump(): void {
    while (!this.#stopped && this.#inFlight < this.window) {
      const i = this.published++;
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
