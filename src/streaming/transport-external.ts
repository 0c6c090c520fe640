// The streaming layer on an external NATS server (-ns URL): one client
// connection (the `nats` package), which keeps publish order and
// reconnects forever when the server restarts, re-creating the
// subscriptions itself.

import { connect, createInbox, type ConnectionOptions, type NatsConnection } from 'nats';
import type { Logger } from '../log/logger.js';
import { MAX_TIMER_MS, setLongTimeout } from '../timers/long.js';
import type { MsgHandler, NatsTransport, TransportSub } from './transport.js';

export interface ExternalNatsOptions {
  /** Comma-separated URLs, as -ns takes them. */
  url: string;
  name: string;
  user?: string;
  pass?: string;
  token?: string;
  /** -secure, -tls_client_cert/key/cacert. */
  tls?: { certFile?: string; keyFile?: string; caFile?: string };
}

/** How often a lost connection is retried (ms); it is retried forever. */
const RECONNECT_WAIT_MS = 250;

export async function connectExternal(o: ExternalNatsOptions, log: Logger): Promise<ExternalTransport> {
  const opts: ConnectionOptions = {
    servers: o.url.split(',').map((s) => s.trim()).filter(Boolean),
    name: o.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    waitOnFirstConnect: false,
    pingInterval: 10_000,
  };
  if (o.user !== undefined) opts.user = o.user;
  if (o.pass !== undefined) opts.pass = o.pass;
  if (o.token !== undefined) opts.token = o.token;
  if (o.tls !== undefined) opts.tls = o.tls;
  let nc: NatsConnection;
  try {
    nc = await connect(opts);
  } catch (err) {
    throw new Error(`cannot connect to the NATS server at ${o.url}: ${(err as Error).message}`, { cause: err });
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') log.warn(`STREAM: disconnected from NATS server ${s.data}`);
      else if (s.type === 'reconnect') log.info(`STREAM: reconnected to NATS server ${s.data}`);
    }
  })();
  return new ExternalTransport(nc, log);
}

export class ExternalTransport implements NatsTransport {
  constructor(
    readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {}

  subscribe(subject: string, handler: MsgHandler): TransportSub {
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err !== null) return;
        // An error escaping a handler would go up into the client's read
        // loop (the embedded server's Conn catches its own per chunk).
        try {
          handler(msg.subject, msg.reply || undefined, msg.data);
        } catch (e) {
          this.log.error(`STREAM: Error processing a message on "${msg.subject}": ${(e as Error).stack ?? e}`);
        }
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /**
   * Publishes, unless the subject is one the NATS wire cannot carry (a
   * client's inbox of "a b", "" or of 5,000 bytes): nothing can subscribe
   * there, so it is dropped as the embedded server's router drops it,
   * instead of a PUB line that makes nats-server close this connection
   * (fuzz findings). An error of the nats package (a payload over
   * max_payload) is logged: it must not go up into a timer or a handler.
   */
  publish(subject: string, data: Uint8Array, reply?: string): void {
    if (!onWire(subject, reply)) return;
    try {
      this.nc.publish(subject, data, reply === undefined ? undefined : { reply });
    } catch (err) {
      this.log.error(`STREAM: Unable to publish on "${subject}": ${(err as Error).message}`);
    }
  }

  async request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array | null> {
    if (!onWire(subject)) return null; // nobody can answer there
    if (timeoutMs > MAX_TIMER_MS) return this.#longRequest(subject, data, timeoutMs);
    try {
      const m = await this.nc.request(subject, data, { timeout: timeoutMs });
      return m.data;
    } catch {
      // Timeout, or no responders (a 503 status): nobody answered.
      return null;
    }
  }

  /**
   * A request whose timeout (a -hbt of weeks) the nats package would arm
   * as 1 ms: its own inbox and a long timer instead.
   */
  #longRequest(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array | null> {
    return new Promise((resolve) => {
      const inbox = createInbox();
      const sub = this.nc.subscribe(inbox, {
        max: 1,
        callback: (err, msg) => {
          timer.clear();
          // A 503 status (no responders) carries no data: nobody answered.
          resolve(err === null && msg.headers?.code !== 503 ? msg.data : null);
        },
      });
      const timer = setLongTimeout(() => {
        sub.unsubscribe();
        resolve(null);
      }, timeoutMs, { unref: true });
      this.publish(subject, data, inbox);
    });
  }

  flush(): Promise<void> {
    return this.nc.flush();
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }
}

/**
 * nats-server's default max_control_line: a PUB line longer than this
 * closes the connection. (Its INFO does not say the configured value.)
 */
const MAX_CONTROL_LINE = 4096;
/** "PUB ", the spaces, the size and CRLF. */
const PUB_LINE_OVERHEAD = 32;

/**
 * Whether a PUB line can carry the subject and reply: not empty, no space,
 * tab, CR or LF (they separate or end its fields), and within the
 * control line.
 */
function onWire(subject: string, reply = ''): boolean {
  if (subject.length === 0 || !noBreaks(subject) || !noBreaks(reply)) return false;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count only when it might matter.
  const max = 3 * (subject.length + reply.length) + PUB_LINE_OVERHEAD;
  return max <= MAX_CONTROL_LINE || Buffer.byteLength(subject) + Buffer.byteLength(reply) + PUB_LINE_OVERHEAD <= MAX_CONTROL_LINE;
}

function noBreaks(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 && (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a)) return false;
  }
  return true;
}
