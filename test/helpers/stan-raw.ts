// Raw streaming-protocol helpers for the tests: STAN requests sent with the
// `nats` v2 client and our pb codecs (so exact server error texts and
// payload bytes can be checked), and a streaming server that can be stopped
// and started again, fresh, on the same NATS port.

import type { ChildProcess } from 'node:child_process';
import { connect, createInbox, type NatsConnection } from 'nats';
import * as pb from '../../src/pb/protocol.js';
import { silentLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/stores/memory/index.js';
import { defaultStanOptions, type StanOptions } from '../../src/streaming/options.js';
import { StanServer } from '../../src/streaming/server.js';
import { EmbeddedTransport } from '../../src/streaming/transport-embedded.js';
import { connectExternal } from '../../src/streaming/transport-external.js';
import type { NatsServer } from '../../src/nats/server.js';
import { startServer } from './nats.js';
import { freePort, startGoNats } from './stan.js';

export const CLUSTER = 'test-cluster';
export const DISCOVER = `_STAN.discover.${CLUSTER}`;
export const PINGS = `${DISCOVER}.pings`;
export const PUB_PREFIX = `_STAN.pub.${CLUSTER}`;
export const CLOSE = `_STAN.close.${CLUSTER}`;

/** Bytes no pb message decodes: field 1, length 16, one byte present. */
export const GARBAGE = Uint8Array.from([0x0a, 0x10, 0x41]);

export function rawNats(url: string): Promise<NatsConnection> {
  return connect({ servers: url, name: 'stan-raw-test' });
}

/** One request, the raw reply bytes (rejects on timeout / no responders). */
export async function requestRaw(nc: NatsConnection, subject: string, data: Uint8Array, timeout = 3000): Promise<Uint8Array> {
  const m = await nc.request(subject, data, { timeout });
  return m.data;
}

export async function connectRaw(
  nc: NatsConnection,
  req: pb.Init<pb.ConnectRequest>,
  discover = DISCOVER,
): Promise<pb.ConnectResponse> {
  return pb.ConnectResponse.decode(await requestRaw(nc, discover, pb.ConnectRequest.encode(req)));
}

export async function closeRaw(nc: NatsConnection, clientID: string, subject = CLOSE): Promise<Uint8Array> {
  return requestRaw(nc, subject, pb.CloseRequest.encode({ clientID }));
}

export async function pingRaw(nc: NatsConnection, connID: Uint8Array): Promise<Uint8Array> {
  return requestRaw(nc, PINGS, pb.Ping.encode({ connID }));
}

/** Publishes a PubMsg and resolves with the decoded PubAck. */
export async function publishRaw(
  nc: NatsConnection,
  msg: { clientID: string; connID?: Uint8Array; guid: string; subject: string; data?: Uint8Array },
): Promise<pb.PubAck> {
  const bytes = pb.PubMsg.encode({ ...msg, data: msg.data ?? new Uint8Array([1, 2, 3]) });
  return pb.PubAck.decode(await requestRaw(nc, `${PUB_PREFIX}.${msg.subject}`, bytes));
}

/**
 * A heartbeat inbox served over a raw connection: every request that
 * arrives is counted; it is answered (empty) only while `answering`.
 */
export class HbInbox {
  readonly subject = createInbox();
  answering = true;
  received = 0;
  unanswered = 0;
  /** Called on each request, before it is answered (or not). */
  onRequest: (() => void) | undefined;
  readonly #sub;

  constructor(nc: NatsConnection) {
    this.#sub = nc.subscribe(this.subject, {
      callback: (err, m) => {
        if (err !== null) return;
        this.received++;
        if (!this.answering) this.unanswered++;
        this.onRequest?.();
        if (this.answering) m.respond(new Uint8Array(0));
      },
    });
  }

  unsubscribe(): void {
    this.#sub.unsubscribe();
  }
}

/** A streaming server on a fixed NATS port that can be restarted fresh. */
export interface PortStan {
  url: string;
  port: number;
  stan: StanServer;
  stop(): Promise<void>;
}

/** Starts a streaming server (memory store) on `port` (a free one unless given). */
export async function startStanOnPort(o: { port?: number; external?: boolean; stan?: Partial<StanOptions> } = {}): Promise<PortStan> {
  const port = o.port ?? (await freePort());
  const opts: StanOptions = { ...defaultStanOptions(), ...o.stan };
  const url = `nats://127.0.0.1:${port}`;
  if (o.external) {
    const go = await startGoNats(port);
    const transport = await connectExternal({ url, name: 'stan-test' }, silentLogger);
    const s = new StanServer(opts, new MemoryStore(), transport, silentLogger);
    await s.start();
    await transport.flush();
    return { url, port, stan: s, stop: async () => {
      await s.shutdown();
      await killAndWait(go.proc);
    } };
  }
  const nats: NatsServer = await startServer({ port });
  const s = new StanServer(opts, new MemoryStore(), new EmbeddedTransport(nats, 'stan-test'), silentLogger);
  await s.start();
  return { url, port, stan: s, stop: async () => {
    await s.shutdown();
    await nats.shutdown();
  } };
}

function killAndWait(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

/** The text of a node-nats-streaming error (it emits server errors as strings). */
export function errText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  return String(e);
}
