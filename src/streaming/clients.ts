// Registered clients (STAN-REFERENCE §2.2, §2.3): registration with the
// duplicate-ID probe of the old instance's heartbeat inbox, lookup by
// client ID and by connID (which fences replaced clients), and the
// server-to-client heartbeats that close a client after more than
// hb_fail_count missed replies.

import type { ClientInfo, Store } from '../stores/store.js';
import type { Logger } from '../log/logger.js';
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

  constructor(
    private readonly opts: StanOptions,
    private readonly store: Store,
    private readonly transport: NatsTransport,
    private readonly log: Logger,
    /** Closes a client as a CloseRequest would (its subscriptions per §2.8). */
    private readonly closeClient: (c: StanClient, why: string) => void,
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
   * Registers a client. A registered ID is probed on its heartbeat inbox:
   * alive, the new one is refused; silent, the old one is closed and
   * replaced.
   */
  async register(info: ClientInfo): Promise<StanClient> {
    const old = this.#byId.get(info.id);
    if (old !== undefined) {
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
        this.closeClient(old, 'replaced');
      } else if (this.#byId.has(info.id)) {
        throw new StanError(StanErr.CLIENT_ID_REGISTERED);
      }
    }
    this.store.addClient(info);
    return this.restore(info);
  }

  /** Adds a client without persisting it (recovery, or after register). */
  restore(info: ClientInfo): StanClient {
    const c = new StanClient(info, connKey(info.connId));
    this.#byId.set(info.id, c);
    if (info.connId.length > 0) this.#byConn.set(c.connKey, c);
    this.#armHeartbeat(c, this.opts.hbIntervalMs);
    return c;
  }

  /** Unregisters (persisted) and stops heartbeats; subscriptions are the caller's. */
  unregister(c: StanClient): void {
    c.closed = true;
    clearTimeout(c.hbTimer);
    if (this.#byId.get(c.id) === c) this.#byId.delete(c.id);
    if (this.#byConn.get(c.connKey) === c) this.#byConn.delete(c.connKey);
    this.store.deleteClient(c.id);
  }

  /** A PING: a client with failed heartbeats gets a heartbeat at once. */
  pinged(c: StanClient): void {
    if (c.hbFailed > 0 && !c.hbInFlight) this.#armHeartbeat(c, FAST_HB_MS);
  }

  stopAll(): void {
    for (const c of this.#byId.values()) clearTimeout(c.hbTimer);
  }

  #armHeartbeat(c: StanClient, ms: number): void {
    clearTimeout(c.hbTimer);
    c.hbTimer = setTimeout(() => void this.#heartbeat(c), ms);
    c.hbTimer.unref();
  }

  async #heartbeat(c: StanClient): Promise<void> {
    if (c.closed) return;
    c.hbInFlight = true;
    const reply = await this.transport.request(c.info.hbInbox, EMPTY, this.opts.hbTimeoutMs);
    c.hbInFlight = false;
    if (c.closed) return;
    if (reply !== null) {
      c.hbFailed = 0;
    } else if (++c.hbFailed > this.opts.hbFailCount) {
      this.log.debug(`STREAM: [Client:${c.id}] Timed out on heartbeats`);
      this.closeClient(c, 'heartbeat timeout');
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
