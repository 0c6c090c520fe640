// Registered clients (STAN-REFERENCE §2.2, §2.3): registration with the
// duplicate-ID probe of the old instance's heartbeat inbox, lookup by
// client ID and by connID (which fences replaced clients), and the
// server-to-client heartbeats that close a client after more than
// hb_fail_count missed replies. The registry only: registering and closing
// are operations (apply.ts), which persist them.

import type { ClientInfo } from '../stores/store.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from './clock.js';
import { StanErr, StanError } from './errors.js';
import { StanClient } from './model.js';
import type { StanOptions } from './options.js';
import type { NatsTransport } from './transport.js';

const EMPTY = new Uint8Array(0);
/** A PING from a client with failed heartbeats re-arms its heartbeat this soon. */
const FAST_HB_MS = 1;

export class Clients {
  readonly #byId = new Map<string, StanClient>();
  readonly #byConn = new Map<string, StanClient>();
  /** Client IDs whose old instance is being probed. */
  readonly #probing = new Set<string>();
  /** The client last found by connID. */
  #lastConn: StanClient | undefined;
  /** The server shut down: no heartbeat is armed any more. */
  #stopped = false;
  /** Requests waiting for their client's connect to be processed (partitioning), by client ID. */
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly opts: StanOptions,
    private readonly transport: NatsTransport,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** A client missed its heartbeats: close it as a CloseRequest would (its subscriptions per §2.8). */
    private readonly onDead: (c: StanClient, why: string) => void,
  ) {}

  get size(): number {
    return this.#byId.size;
  }

  values(): IterableIterator<StanClient> {
    return this.#byId.values();
  }

  get(id: string): StanClient | undefined {
    return this.#byId.get(id);
  }

  byConnId(connId: Uint8Array): StanClient | undefined {
    // A publisher sends the same connID with every message: compare its
    // bytes with the last one before building a key string.
    const last = this.#lastConn;
    if (last !== undefined && !last.closed && sameBytes(connId, last.info.connId)) return last;
    const c = this.#byConn.get(connKey(connId));
    if (c !== undefined) this.#lastConn = c;
    return c;
  }

  /**
   * Before registering a client: a registered ID is probed on its heartbeat
   * inbox. Alive, the new one is refused (throws StanError); silent, the
   * result is true: the connect operation replaces the old one.
   */
  async probe(info: ClientInfo): Promise<boolean> {
    const old = this.#byId.get(info.id);
    if (old === undefined) return false;
    if (this.#probing.has(info.id)) throw new StanError(StanErr.CLIENT_ID_REGISTERED);
    this.#probing.add(info.id);
    let alive: boolean;
    try {
      alive = (await this.transport.request(old.info.hbInbox, EMPTY, this.opts.dupClientProbeMs)) !== null;
    } finally {
      this.#probing.delete(info.id);
    }
    if (alive) throw new StanError(StanErr.CLIENT_ID_REGISTERED);
    if (this.#byId.get(info.id) === old) {
      this.log.debug(`STREAM: [Client:${info.id}] Replacing old client (it did not answer its heartbeat inbox)`);
      return true;
    }
    if (this.#byId.has(info.id)) throw new StanError(StanErr.CLIENT_ID_REGISTERED);
    return false;
  }

  /** Adds a client (registered by apply, or recovered) and starts its heartbeats. */
  add(info: ClientInfo): StanClient {
    const c = new StanClient(info, connKey(info.connId));
    this.#byId.set(info.id, c);
    if (info.connId.length > 0) this.#byConn.set(c.connKey, c);
    this.#armHeartbeat(c, this.opts.hbIntervalMs);
    const waiting = this.#waiting.get(info.id);
    if (waiting !== undefined) {
      this.#waiting.delete(info.id);
      for (const wake of waiting) wake();
    }
    return c;
  }

  /**
   * The client of `id` (by `connId` when given, as a publish looks it up),
   * waiting up to `timeoutMs` for its connect to be processed (Go's
   * isValidWithTimeout, partitioning mode: the connect that answered the
   * client may have been another server's). Waiters resume in arrival
   * order, so the requests of one client keep theirs.
   */
  async waitFor(id: string, connId: Uint8Array | undefined, timeoutMs: number): Promise<StanClient | undefined> {
    const find = () => (connId !== undefined && connId.length > 0 ? this.byConnId(connId) : this.get(id));
    const found = find();
    if (found !== undefined || this.#stopped) return found;
    await new Promise<void>((resolve) => {
      const list = this.#waiting.get(id) ?? [];
      this.#waiting.set(id, list);
      const timer = this.clock.setTimer(() => {
        const i = list.indexOf(wake);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0 && this.#waiting.get(id) === list) this.#waiting.delete(id);
        resolve();
      }, timeoutMs);
      const wake = () => {
        this.clock.clearTimer(timer);
        resolve();
      };
      list.push(wake);
    });
    return find();
  }

  /** Forgets a client and stops its heartbeats; its subscriptions are apply's. */
  remove(c: StanClient): void {
    c.closed = true;
    this.clock.clearTimer(c.hbTimer);
    if (this.#byId.get(c.id) === c) this.#byId.delete(c.id);
    if (this.#byConn.get(c.connKey) === c) this.#byConn.delete(c.connKey);
  }

  /** A PING: a client with failed heartbeats gets a heartbeat at once. */
  pinged(c: StanClient): void {
    if (c.hbFailed > 0 && !c.hbInFlight) this.#armHeartbeat(c, FAST_HB_MS);
  }

  stopAll(): void {
    this.#stopped = true;
    for (const c of this.#byId.values()) this.clock.clearTimer(c.hbTimer);
  }

  #armHeartbeat(c: StanClient, ms: number): void {
    // A heartbeat in flight at shutdown comes back after stopAll(): no new one then.
    if (this.#stopped) return;
    this.clock.clearTimer(c.hbTimer);
    c.hbTimer = this.clock.setTimer(() => void this.#heartbeat(c), ms);
  }

  async #heartbeat(c: StanClient): Promise<void> {
    if (c.closed) return;
    c.hbInFlight = true;
    let reply: Uint8Array | null;
    try {
      reply = await this.transport.request(c.info.hbInbox, EMPTY, this.opts.hbTimeoutMs);
    } catch (err) {
      // Counted as a miss: a rejection here would be unhandled (the timer
      // drops the promise) and end the process.
      this.log.error(`STREAM: [Client:${c.id}] Error sending heartbeat: ${(err as Error).message}`);
      reply = null;
    }
    c.hbInFlight = false;
    if (c.closed || this.#stopped) return;
    if (reply !== null) {
      c.hbFailed = 0;
    } else if (++c.hbFailed > this.opts.hbFailCount) {
      this.log.debug(`STREAM: [Client:${c.id}] Timed out on heartbeats`);
      this.onDead(c, 'heartbeat timeout');
      return;
    }
    this.#armHeartbeat(c, this.opts.hbIntervalMs);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** connID bytes as a Map key. */
export function connKey(connId: Uint8Array): string {
  return Buffer.from(connId.buffer, connId.byteOffset, connId.byteLength).toString('latin1');
}
