// Subscription lifecycle (STAN-REFERENCE §2.5, §2.8): creating a new
// subscription at its start position, resuming an offline durable,
// joining a queue group or taking over its shadow; and removing one by
// unsubscribe, close or connection close, each with its own effect on
// durables and queue groups.

import type { SubState } from '../stores/store.js';
import type { Delivery } from './delivery.js';
import { StanErr, StanError } from './errors.js';
import { Channel, QueueGroup, StanSub, type StanClient } from './model.js';
import { newInbox } from './nuid.js';
import type { MsgHandler, NatsTransport } from './transport.js';
import type { SubscriptionRequest } from '../pb/protocol.js';

/** pb.StartPosition. */
export const StartPosition = {
  NewOnly: 0,
  LastReceived: 1,
  TimeDeltaStart: 2,
  SequenceStart: 3,
  First: 4,
} as const;

/** A subscription request as the client sent it. */
export type SubRequest = SubscriptionRequest;

/** How a subscription leaves (§2.8). */
export type Removal = 'unsubscribe' | 'close' | 'connection';

export class Subscriptions {
  constructor(
    private readonly transport: NatsTransport,
    private readonly delivery: Delivery,
    private readonly onAck: (sub: StanSub) => MsgHandler,
    private readonly replaceDurable: boolean,
  ) {}

  /**
   * Creates, resumes or joins per the request; the caller sends the
   * response, then calls start(). Throws StanError with the client text.
   */
  add(client: StanClient, c: Channel, r: SubRequest): StanSub {
    c.lastActive = Date.now();
    const isQueue = r.qGroup !== '';
    const isDurable = r.durableName !== '';
    if (isQueue && isDurable && r.durableName.includes(':')) throw new StanError(StanErr.INVALID_DURABLE_NAME);
    if (isQueue) return this.#joinGroup(client, c, r, isDurable ? `${r.durableName}:${r.qGroup}` : r.qGroup, isDurable);
    if (isDurable) {
      const key = StanSub.durableKey(r.clientID, c.name, r.durableName);
      const existing = c.durables.get(key);
      if (existing !== undefined) {
        if (existing.client !== undefined) {
          if (!this.replaceDurable) throw new StanError(StanErr.DUP_DURABLE);
          this.remove(existing, 'close');
        }
        return this.#resume(client, existing, r);
      }
    }
    const sub = this.#create(client, c, r, '', this.#startAt(c, r));
    if (isDurable) c.durables.set(StanSub.durableKey(r.clientID, c.name, r.durableName), sub);
    c.plain.add(sub);
    return sub;
  }

  /** After the SubscriptionResponse went out: let messages flow. */
  start(sub: StanSub): void {
    sub.initialized = true;
    if (sub.newOnHold) {
      this.delivery.redeliverAllPending(sub);
      sub.newOnHold = false;
      if (sub.group !== undefined) sub.group.newOnHold = false;
    }
    if (sub.group !== undefined) this.delivery.sendToGroup(sub.channel, sub.group);
    else this.delivery.sendToSub(sub);
  }

  /** Applies §2.8's table. */
  remove(sub: StanSub, how: Removal): void {
    const c = sub.channel;
    c.lastActive = Date.now();
    this.delivery.stop(sub);
    sub.ackSub?.unsubscribe();
    sub.ackSub = undefined;
    c.byAckInbox.delete(sub.state.ackInbox);
    sub.client?.subs.delete(sub);
    sub.client = undefined;
    sub.initialized = false;
    const g = sub.group;
    if (g !== undefined) {
      g.members.splice(g.members.indexOf(sub), 1);
      if (g.members.length > 0) {
        this.delivery.redistribute(sub, g);
        this.#drop(sub);
        this.delivery.sendToGroup(c, g);
      } else if (g.durable && how !== 'unsubscribe') {
        // The last member of a durable group: the group lives on as a shadow.
        sub.lastClientId = sub.state.clientId;
        sub.state.clientId = '';
        g.shadow = sub;
        c.subStore.update(sub.state);
      } else {
        c.queues.delete(g.name);
        this.#drop(sub);
      }
      return;
    }
    c.plain.delete(sub);
    if (sub.state.isDurable && how !== 'unsubscribe') {
      // Offline, resumable: pending kept.
      sub.state.isClosed = true;
      sub.stalled = false;
      c.subStore.update(sub.state);
      return;
    }
    if (sub.state.isDurable) c.durables.delete(StanSub.durableKey(sub.state.clientId, c.name, sub.state.durableName));
    this.#drop(sub);
  }

  #drop(sub: StanSub): void {
    sub.channel.subs.delete(sub);
    sub.channel.subStore.delete(sub.state.id);
  }

  #checkRoom(c: Channel): void {
    const max = c.limits.maxSubscriptions;
    if (max > 0 && c.subs.size >= max) throw new StanError(StanErr.TOO_MANY_SUBS);
  }

  #create(client: StanClient, c: Channel, r: SubRequest, qGroup: string, lastSent: number): StanSub {
    this.#checkRoom(c);
    const state: SubState = {
      id: c.nextSubId++,
      clientId: r.clientID,
      qGroup,
      inbox: r.inbox,
      ackInbox: newInbox(),
      maxInFlight: r.maxInFlight,
      ackWaitInSecs: r.ackWaitInSecs,
      // Durable queue members store the name in the group, not here.
      durableName: qGroup === '' ? r.durableName : '',
      lastSent,
      isDurable: r.durableName !== '',
      isClosed: false,
    };
    const sub = new StanSub(state, c);
    c.subStore.create(state);
    c.subs.add(sub);
    this.#attach(client, sub);
    return sub;
  }

  /** Binds a subscription to a client and listens on its ack inbox. */
  #attach(client: StanClient, sub: StanSub): void {
    sub.client = client;
    client.subs.add(sub);
    sub.channel.byAckInbox.set(sub.state.ackInbox, sub);
    sub.ackSub = this.transport.subscribe(sub.state.ackInbox, this.onAck(sub));
  }

  /** Re-binds a recovered subscription to its recovered client (same inboxes). */
  reattach(client: StanClient, sub: StanSub): void {
    sub.newOnHold = sub.pending.size > 0;
    if (sub.group !== undefined && sub.newOnHold) sub.group.newOnHold = true;
    this.#attach(client, sub);
  }

  /** An offline (or replaced) durable takes the new request's inboxes and limits. */
  #resume(client: StanClient, sub: StanSub, r: SubRequest): StanSub {
    this.#rebind(client, sub, r);
    sub.state.isClosed = false;
    sub.channel.subStore.update(sub.state);
    sub.channel.plain.add(sub);
    return sub;
  }

  #rebind(client: StanClient, sub: StanSub, r: SubRequest): void {
    sub.state.clientId = r.clientID;
    sub.state.inbox = r.inbox;
    sub.state.ackInbox = newInbox();
    sub.state.maxInFlight = r.maxInFlight;
    sub.state.ackWaitInSecs = r.ackWaitInSecs;
    sub.stalled = false;
    // Pending messages go first, new ones wait for them (§2.5).
    sub.newOnHold = sub.pending.size > 0;
    this.#attach(client, sub);
  }

  #joinGroup(client: StanClient, c: Channel, r: SubRequest, name: string, durable: boolean): StanSub {
    let g = c.queues.get(name);
    if (g !== undefined && g.shadow !== undefined) {
      // The next member of a durable group takes over its shadow.
      const sub = g.shadow;
      g.shadow = undefined;
      this.#rebind(client, sub, r);
      g.newOnHold = sub.newOnHold;
      g.members.push(sub);
      c.subStore.update(sub.state);
      return sub;
    }
    const creating = g === undefined;
    // A new group starts at its first member's position; joiners continue from the group's.
    const lastSent = g === undefined ? this.#startAt(c, r) : g.lastSent;
    const sub = this.#create(client, c, r, name, lastSent);
    if (g === undefined) {
      g = new QueueGroup(name, durable);
      g.lastSent = lastSent;
      c.queues.set(name, g);
    }
    sub.group = g;
    g.members.push(sub);
    if (!creating) sub.state.lastSent = g.lastSent;
    return sub;
  }

  /** lastSent for a new subscription state from its start position (§2.5). */
  #startAt(c: Channel, r: SubRequest): number {
    const { firstSeq: first, lastSeq: last } = c.msgs;
    switch (r.startPosition) {
      case StartPosition.NewOnly:
        return last;
      case StartPosition.LastReceived:
        return last > 0 ? last - 1 : 0;
      case StartPosition.TimeDeltaStart: {
        const t = BigInt(Date.now()) * 1_000_000n - r.startTimeDelta;
        const seq = c.msgs.firstSeqAtOrAfter(t);
        return seq > 0 ? seq - 1 : 0;
      }
      case StartPosition.SequenceStart:
        if (r.startSequence < first) return first > 0 ? first - 1 : 0;
        if (r.startSequence > last) return last;
        return r.startSequence > 0 ? r.startSequence - 1 : 0;
      default: // First
        return first > 0 ? first - 1 : 0;
    }
  }
}
