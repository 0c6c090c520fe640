// The streaming layer on the embedded server: subscriptions and publishes
// are function calls into its router (no loopback socket). Requests use one
// muxed reply subscription; a request that reaches no subscriber fails at
// once, as a no-responders status would.

import type { NatsServer } from '../nats/server.js';
import type { InternalClient } from '../nats/internal.js';
import { clearLongTimer, setLongTimeout, type LongTimer } from '../timers/long.js';
import { nuid } from './nuid.js';
import type { MsgHandler, NatsTransport, TransportSub } from './transport.js';

interface Pending {
  resolve(data: Uint8Array | null): void;
  timer: LongTimer;
}

export class EmbeddedTransport implements NatsTransport {
  readonly #client: InternalClient;
  readonly #replyPrefix = `_INBOX.${nuid.next()}.`;
  readonly #pending = new Map<string, Pending>();
  #nextReply = 1;
  #muxSub: TransportSub | undefined;

  constructor(server: NatsServer, name: string) {
    this.#client = server.internalClient(name);
  }

  subscribe(subject: string, handler: MsgHandler): TransportSub {
    const sub = this.#client.subscribe(subject, null, (s, reply, payload) => handler(s, reply, payload));
    return { unsubscribe: () => this.#client.unsubscribe(sub) };
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    this.#client.publish(subject, reply, data);
  }

  stallWait(): Promise<void> | undefined {
    return this.#client.stallWait();
  }

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array | null> {
    this.#muxSub ??= this.subscribe(`${this.#replyPrefix}*`, (s, _r, payload) => this.#answer(s, payload));
    const token = String(this.#nextReply++);
    const reply = this.#replyPrefix + token;
    return new Promise((resolve) => {
      const timer = setLongTimeout(() => {
        this.#pending.delete(token);
        resolve(null);
      }, timeoutMs);
      this.#pending.set(token, { resolve, timer });
      if (this.#client.publish(subject, reply, data) === 0) {
        // Nobody listens: fail now, as a no-responders status would.
        clearLongTimer(timer);
        this.#pending.delete(token);
        resolve(null);
      }
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    for (const p of this.#pending.values()) {
      clearLongTimer(p.timer);
      p.resolve(null);
    }
    this.#pending.clear();
    this.#client.close();
    return Promise.resolve();
  }

  #answer(subject: string, payload: Uint8Array): void {
    const token = subject.slice(this.#replyPrefix.length);
    const p = this.#pending.get(token);
    if (p === undefined) return;
    this.#pending.delete(token);
    clearLongTimer(p.timer);
    p.resolve(Uint8Array.prototype.slice.call(payload));
  }
}
