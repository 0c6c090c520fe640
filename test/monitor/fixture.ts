// A streaming server in a known state for the monitoring tests, and ways
// to query its monitor: through app.inject() (no socket) or over HTTP.
//
//   clients  alice, bob
//   foo (3 msgs)  alice plain (all acked); alice durable "dur" (manual
//                 acks, MaxInflight 2, AckWait 60 s: 2 pending, stalled)
//   bar (2 msgs)  bob durable "bd", closed: offline, nothing pending
//   baz (4 msgs)  queue "workers": alice (got all 4), then bob;
//                 durable queue "dq:grp" of bob, closed: a shadow
//
// Per-channel limits `foo` and `baz.*` exercise /streaming/storez.

/* eslint-disable @typescript-eslint/no-explicit-any */

import type { FastifyInstance } from 'fastify';
import { core } from '../../src/core/index.js';
import { createMonitorApp, createMonitorContext } from '../../src/monitor/index.js';
import type { MonitorContext } from '../../src/monitor/context.js';
import { DEFAULT_STORE_LIMITS } from '../../src/stores/store.js';
import { startStan, until, type StanFixture } from '../helpers/stan.js';
import { Env } from '../helpers/stan-env.js';
import { publishRange, subscribe, type Sub } from '../helpers/stan-sub.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: any;
}

export interface Known {
  f: StanFixture;
  env: Env;
  alice: any;
  bob: any;
  subs: { fooPlain: Sub; fooDur: Sub; bazAlice: Sub; bazBob: Sub };
  ctx: MonitorContext;
  app: FastifyInstance;
  get(path: string): Promise<Reply>;
  dispose(): Promise<void>;
}

/** Waits until no subscription of `channel` but those named has pending messages. */
function settled(f: StanFixture, channel: string): Promise<void> {
  return until(() => {
    const c = f.stan.channels.get(channel);
    return c !== undefined && [...c.subs].every((s) => s.pending.size === 0 || s.state.durableName === 'dur');
  }, `acks on ${channel}`);
}

export async function inject(app: FastifyInstance, path: string): Promise<Reply> {
  const r = await app.inject({ method: 'GET', url: path });
  let json: any;
  try {
    json = JSON.parse(r.body);
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, headers: r.headers, body: r.body, json };
}

export async function knownState(): Promise<Known> {
  const perChannel = new Map([
    ['foo', { maxMsgs: 100 }],
    ['baz.*', { maxBytes: 5000, maxAgeMs: 60_000 }],
  ]);
  const f = await startStan({ stan: { storeLimits: { ...DEFAULT_STORE_LIMITS, perChannel } } });
  const env = new Env(f);
  const alice = await env.connect('alice');
  const bob = await env.connect('bob');
  await publishRange(alice, 'foo', 1, 3);
  await publishRange(bob, 'bar', 1, 2);
  await publishRange(alice, 'baz', 1, 4);

  const fooPlain = await subscribe(alice, 'foo', { start: 'first' });
  await fooPlain.waitCount(3);
  const fooDur = await subscribe(alice, 'foo', { durable: 'dur', start: 'first', manual: true, maxInFlight: 2, ackWaitMs: 60_000 });
  await fooDur.waitCount(2);
  await settled(f, 'foo');

  const barDur = await subscribe(bob, 'bar', { durable: 'bd', start: 'first' });
  await barDur.waitCount(2);
  await settled(f, 'bar');
  await barDur.close();

  const bazAlice = await subscribe(alice, 'baz', { queue: 'workers', start: 'first' });
  await bazAlice.waitCount(4);
  const bazBob = await subscribe(bob, 'baz', { queue: 'workers', start: 'first' });
  const dq = await subscribe(bob, 'baz', { queue: 'grp', durable: 'dq', start: 'first' });
  await dq.waitCount(4);
  await settled(f, 'baz');
  await dq.close();

  const ctx = createMonitorContext({ nats: f.nats, stan: f.stan, coreKind: core().kind }, { host: '127.0.0.1', httpPort: 8222, httpsPort: 0 });
  const app = await createMonitorApp(ctx);
  return {
    f,
    env,
    alice,
    bob,
    subs: { fooPlain, fooDur, bazAlice, bazBob },
    ctx,
    app,
    get: (path) => inject(app, path),
    async dispose() {
      await app.close();
      await env.dispose();
    },
  };
}

/** RFC 3339 as Go's time.Time marshals it (fraction trimmed, `Z` or an offset). */
export const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
/** nats-server's myUptime. */
export const GO_UPTIME = /^(\d+y)?(\d+d)?(\d+h)?(\d+m)?\d+s$/;
