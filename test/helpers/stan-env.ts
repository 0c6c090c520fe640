// One test's streaming server and everything connected to it, closed at the
// end whatever the test did: node-nats-streaming clients, raw connections,
// the server.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { RawStan } from './stan-raw.js';
import type { Variant } from './stan-sub.js';
import { closeClient, stanConnect, startStan, type FixtureOptions, type StanFixture } from './stan.js';
import { sleep } from './wait.js';

/** How long dispose() waits for a client's close before it moves on. */
const CLOSE_WAIT_MS = 3000;

export class Env {
  readonly #clients: any[] = [];
  readonly #raws: RawStan[] = [];
  #n = 0;

  constructor(readonly f: StanFixture) {}

  async connect(clientId: string): Promise<any> {
    const sc = await stanConnect(this.f.url, clientId);
    sc.on('error', () => {});
    this.#clients.push(sc);
    return sc;
  }

  async raw(): Promise<RawStan> {
    const r = await RawStan.open(this.f.url);
    this.#raws.push(r);
    return r;
  }

  /** A unique channel name. */
  channel(base = 'ch'): string {
    return `${base}.${++this.#n}`;
  }

  async dispose(): Promise<void> {
    for (const sc of this.#clients) await Promise.race([closeClient(sc), sleep(CLOSE_WAIT_MS)]);
    for (const r of this.#raws) await r.close().catch(() => {});
    await this.f.stop();
  }
}

/** Runs fn against a fresh server of the variant, tearing everything down after. */
export async function withEnv(v: Variant, o: FixtureOptions, fn: (env: Env) => Promise<void>): Promise<void> {
  const env = new Env(await startStan({ ...o, external: v.external }));
  try {
    await fn(env);
  } finally {
    await env.dispose();
  }
}
