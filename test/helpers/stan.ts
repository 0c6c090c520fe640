// Test fixtures for the streaming server: an embedded NATS server plus the
// streaming layer in this process (or, with `external`, Debian's
// nats-server in a child process and the streaming layer connected to it
// as -ns does), and promise helpers around node-nats-streaming.

import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { startServer } from './nats.js';
import { startGoNats } from './go-nats.js';
import { errText } from './stan-raw.js';
import { stopProcess } from './wait.js';
import type { NatsOptions } from '../../src/nats/options.js';
import type { NatsServer } from '../../src/nats/server.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/stores/memory/index.js';
import type { Store } from '../../src/stores/store.js';
import { defaultStanOptions, type StanOptions } from '../../src/streaming/options.js';
import { StanServer } from '../../src/streaming/server.js';
import { EmbeddedTransport } from '../../src/streaming/transport-embedded.js';
import { connectExternal, type ExternalTransport } from '../../src/streaming/transport-external.js';

// The fixtures' building blocks, for the files that import them from here.
export { haveNatsServer, startGoNats } from './go-nats.js';
export { sleep, until } from './wait.js';

const require = createRequire(import.meta.url);
/** node-nats-streaming (CommonJS, no types). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stan: any = require('node-nats-streaming');

export interface StanFixture {
  url: string;
  port: number;
  stan: StanServer;
  nats: NatsServer | undefined;
  /** The streaming layer's connection to Debian's nats-server when `external`. */
  transport: ExternalTransport | undefined;
  /** Debian's nats-server when `external` (a test that restarts it sets the new one here). */
  proc: ChildProcess | undefined;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  stan?: Partial<StanOptions>;
  store?: Store;
  log?: Logger;
  /** Run on Debian's nats-server (-ns) instead of the embedded one. */
  external?: boolean;
  /** With `external`: nats-server's extra arguments, and the credentials the streaming layer connects with. */
  natsArgs?: string[];
  credentials?: { user: string; pass: string };
  /** The NATS port (a free one unless given): a restart on the same port. */
  port?: number;
  /** The embedded NATS server's options (max_pending, ...). */
  nats?: Partial<NatsOptions>;
}

export async function startStan(o: FixtureOptions = {}): Promise<StanFixture> {
  const opts: StanOptions = { ...defaultStanOptions(), ...o.stan };
  const log = o.log ?? silentLogger;
  const store = o.store ?? new MemoryStore();
  if (o.external) {
    const go = await startGoNats(o.port, o.natsArgs);
    const url = `nats://127.0.0.1:${go.port}`;
    try {
      const transport = await connectExternal({ url, name: 'stan-test', ...o.credentials }, log);
      const s = new StanServer(opts, store, transport, log);
      await s.start();
      await transport.flush();
      const f: StanFixture = {
        url,
        port: go.port,
        stan: s,
        nats: undefined,
        transport,
        proc: go.proc,
        async stop() {
          await s.shutdown();
          if (f.proc) await stopProcess(f.proc);
        },
      };
      return f;
    } catch (err) {
      await stopProcess(go.proc);
      throw err;
    }
  }
  const nats = await startServer({ ...o.nats, port: o.port ?? 0 }, log);
  const s = new StanServer(opts, store, new EmbeddedTransport(nats, 'stan-test'), log);
  await s.start();
  return {
    url: `nats://127.0.0.1:${nats.port}`,
    port: nats.port,
    stan: s,
    nats,
    transport: undefined,
    proc: undefined,
    async stop() {
      await s.shutdown();
      await nats.shutdown();
    },
  };
}

/** Connects a node-nats-streaming client; rejects on its connect error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function stanConnect(url: string, clientId: string, opts: Record<string, unknown> = {}, cluster = 'test-cluster'): Promise<any> {
  return new Promise((resolve, reject) => {
    const sc = stan.connect(cluster, clientId, { url, ...opts });
    const onErr = (err: Error) => reject(err);
    sc.once('error', onErr);
    sc.once('connect', () => {
      sc.off('error', onErr);
      resolve(sc);
    });
  });
}

/** Publishes and resolves with the guid once the PubAck arrives (rejects on its error). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function publish(sc: any, subject: string, data: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    sc.publish(subject, data, (err: Error | undefined, guid: string) => (err ? reject(err) : resolve(guid)));
  });
}

/** Publishes; resolves with the PubAck's error text, '' on success. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function pubResult(sc: any, channel: string, data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    sc.publish(channel, data, (err: unknown) => resolve(err === undefined || err === '' ? '' : errText(err)));
  });
}

/** Closes a client and waits for its close event; resolves with the error that event carries (null when none), or the error emitted instead. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function closeClient(sc: any): Promise<unknown> {
  return new Promise((resolve) => {
    if (sc.isClosed?.()) return resolve(null);
    sc.once('close', (err: unknown) => resolve(err));
    sc.once('error', (err: unknown) => resolve(err));
    sc.close();
  });
}
