// Test fixtures for the streaming server: an embedded NATS server plus the
// streaming layer in this process (or, with `external`, Debian's
// nats-server in a child process and the streaming layer connected to it
// as -ns does), and promise helpers around node-nats-streaming.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect as netConnect } from 'node:net';
import { createRequire } from 'node:module';
import { startServer } from './nats.js';
import type { NatsServer } from '../../src/nats/server.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/stores/memory/index.js';
import type { Store } from '../../src/stores/store.js';
import { defaultStanOptions, type StanOptions } from '../../src/streaming/options.js';
import { StanServer } from '../../src/streaming/server.js';
import { EmbeddedTransport } from '../../src/streaming/transport-embedded.js';
import { connectExternal } from '../../src/streaming/transport-external.js';

const require = createRequire(import.meta.url);
/** node-nats-streaming (CommonJS, no types). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stan: any = require('node-nats-streaming');

export interface StanFixture {
  url: string;
  port: number;
  stan: StanServer;
  nats: NatsServer | undefined;
  /** Debian's nats-server when `external`. */
  proc: ChildProcess | undefined;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  stan?: Partial<StanOptions>;
  store?: Store;
  log?: Logger;
  /** Run on Debian's nats-server (-ns) instead of the embedded one. */
  external?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Whether Debian's nats-server is installed (for the -ns tests). */
export function haveNatsServer(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

/** Starts Debian's nats-server on a port (a free one unless given). */
export async function startGoNats(port?: number): Promise<{ port: number; proc: ChildProcess }> {
  const p = port ?? (await freePort());
  const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(p)], { stdio: 'ignore' });
  await waitPort(p);
  return { port: p, proc };
}

export async function startStan(o: FixtureOptions = {}): Promise<StanFixture> {
  const opts: StanOptions = { ...defaultStanOptions(), ...o.stan };
  const log = o.log ?? silentLogger;
  const store = o.store ?? new MemoryStore();
  if (o.external) {
    const go = await startGoNats();
    const transport = await connectExternal({ url: `nats://127.0.0.1:${go.port}`, name: 'stan-test' }, log);
    const s = new StanServer(opts, store, transport, log);
    await s.start();
    await transport.flush();
    return {
      url: `nats://127.0.0.1:${go.port}`,
      port: go.port,
      stan: s,
      nats: undefined,
      proc: go.proc,
      async stop() {
        await s.shutdown();
        go.proc.kill('SIGTERM');
      },
    };
  }
  const nats = await startServer({}, log);
  const s = new StanServer(opts, store, new EmbeddedTransport(nats, 'stan-test'), log);
  await s.start();
  return {
    url: `nats://127.0.0.1:${nats.port}`,
    port: nats.port,
    stan: s,
    nats,
    proc: undefined,
    async stop() {
      await s.shutdown();
      await nats.shutdown();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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

/** Closes a client and waits for its close event. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function closeClient(sc: any): Promise<void> {
  return new Promise((resolve) => {
    if (sc.isClosed?.()) return resolve();
    sc.once('close', () => resolve());
    sc.once('error', () => resolve());
    sc.close();
  });
}

/** Resolves when `predicate` holds, checking every 10 ms; rejects after `timeout`. */
export async function until(predicate: () => boolean, what: string, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
