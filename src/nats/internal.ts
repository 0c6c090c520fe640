// The in-process API of the embedded server: the streaming layer
// subscribes and publishes by function call, with the same routing (and,
// when given, the same permission checks) as a socket client, and no
// loopback socket in between. Deliveries are synchronous calls.

import { SubjectCheck } from '../core/index.js';
import { errPubViolation, errSubViolation } from './proto.js';
import type { NatsContext } from './context.js';
import { Subscription, type Subscriber } from './subscription.js';
import type { PermissionChecker } from './permissions.js';

/**
 * Receives a message. `payload` (headers included when hdr >= 0) is a view
 * into the publisher's buffer, valid only during the call.
 */
export type MsgHandler = (subject: string, reply: string | undefined, payload: Uint8Array, hdr: number, sub: Subscription) => void;

export class InternalClientError extends Error {
  override name = 'InternalClientError';
}

export class InternalClient implements Subscriber {
  readonly echo = true;
  readonly subs = new Set<Subscription>();
  readonly #handlers = new Map<Subscription, MsgHandler>();
  #nextSid = 1;
  closed = false;
  inMsgs = 0;
  outMsgs = 0;

  constructor(
    readonly ctx: NatsContext,
    readonly cid: number,
    readonly name: string,
    readonly perms: PermissionChecker | null = null,
  ) {}

  subscribe(subject: string, queue: string | null, handler: MsgHandler): Subscription {
    if (this.closed) throw new InternalClientError(`${this.name}: closed`);
    if (this.perms !== null && !this.perms.canSubscribe(subject, queue ?? undefined)) {
      throw new InternalClientError(errSubViolation(subject, queue).text);
    }
    const sub = this.ctx.router.subscribe(this, subject, queue, String(this.#nextSid++));
    if (!(sub instanceof Subscription)) {
      const what = sub === SubjectCheck.INVALID_QUEUE ? `queue "${queue}"` : `subject "${subject}"`;
      throw new InternalClientError(`invalid ${what}`);
    }
    if (this.perms !== null && this.perms.mustCheckDeliveries(subject)) sub.checkDeliveries = true;
    this.subs.add(sub);
    this.#handlers.set(sub, handler);
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    this.ctx.router.unsubscribe(sub);
    this.released(sub);
  }

  /** Publishes; returns how many subscriptions received it. */
  publish(subject: string, reply: string | undefined, payload: Uint8Array, hdr = -1): number {
    if (this.closed) throw new InternalClientError(`${this.name}: closed`);
    if (this.perms !== null && !this.perms.canPublish(subject)) {
      throw new InternalClientError(errPubViolation(subject).text);
    }
    this.inMsgs++;
    return this.ctx.router.route(this, subject, reply, payload, hdr);
  }

  /**
   * After publish(): the wait on a connection that this publish pushed past
   * half its max_pending (nats-server's fast-producer stall, backlog.ts),
   * undefined when none. A socket client stops being read meanwhile
   * (ops/pub.ts); an in-process publisher has no socket to pause, so it
   * asks, and holds what it would send there.
   */
  stallWait(): Promise<void> | undefined {
    return this.ctx.router.stalled?.stallWait(this.name);
  }

  deliver(sub: Subscription, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): void {
    const h = this.#handlers.get(sub);
    if (h === undefined) return;
    this.outMsgs++;
    h(subject, reply, payload, hdr, sub);
  }

  released(sub: Subscription): void {
    this.subs.delete(sub);
    this.#handlers.delete(sub);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of [...this.subs]) this.unsubscribe(sub);
  }
}
