// Applying subscription operations (STAN-REFERENCE §2.5, §2.8): creating
// a new subscription at its (resolved) start position, resuming an offline
// durable, joining a queue group or taking over its shadow; and removing
// one by unsubscribe, close or connection close, each with its own effect
// on durables and queue groups. Part of apply.ts: state and store only,
// the active server's effects through Activity.

import type { SubState } from '../stores/store.js';
import type { Activity } from './apply.js';
import { applyMove } from './apply.js';
import type { Clock } from './clock.js';
import { StanErr, StanError } from './errors.js';
import { Channel, QueueGroup, StanSub, type StanClient } from './model.js';
import type { SubscribeOp } from './ops.js';

/** How a subscription leaves (§2.8). */
export type Removal = 'unsubscribe' | 'close' | 'connection';

export class Subscriptions {
  constructor(
    private readonly activity: Activity,
    private readonly replaceDurable: boolean,
    /** For channels' lastActive (max_inactivity): runtime bookkeeping, not state. */
    private readonly clock: Clock,
  ) {}

  /**
   * Creates, resumes or joins per the operation; the completion sends the
   * response, then starts delivery. Throws StanError with the client text.
   */
  add(client: StanClient, c: Channel, op: SubscribeOp): StanSub {
    const r = op.request;
    c.lastActive = this.clock.now();
    const isQueue = r.qGroup !== '';
    const isDurable = r.durableName !== '';
    if (isQueue && isDurable && r.durableName.includes(':')) throw new StanError(StanErr.INVALID_DURABLE_NAME);
    if (isQueue) return this.#joinGroup(client, c, op, isDurable ? `${r.durableName}:${r.qGroup}` : r.qGroup, isDurable);
    if (isDurable) {
      const key = StanSub.durableKey(r.clientID, c.name, r.durableName);
      const existing = c.durables.get(key);
      if (existing !== undefined) {
        if (existing.client !== undefined) {
          if (!this.replaceDurable) throw new StanError(StanErr.DUP_DURABLE);
          this.remove(existing, 'close');
        }
        return this.#resume(client, existing, op);
      }
    }
    const sub = this.#create(client, c, op, '', op.startSeq);
    if (isDurable) c.durables.set(StanSub.durableKey(r.clientID, c.name, r.durableName), sub);
    c.plain.add(sub);
    return sub;
  }

  /** Applies §2.8's table. */
  remove(sub: StanSub, how: Removal): void {
    const c = sub.channel;
    const g = sub.group;
    const others = g !== undefined && g.members.length > 1;
    // Kept: an offline durable, or the shadow of a durable group's last member.
    const kept = how !== 'unsubscribe' && (g === undefined ? sub.state.isDurable : g.durable && !others);
    // The store first: if it throws, the subscription is as it was. (A
    // member leaving others hands its pending messages over first.)
    if (!others) {
      if (!kept) c.subStore.delete(sub.state.id);
      else if (g === undefined) c.subStore.update({ ...sub.state, isClosed: true });
      else c.subStore.update({ ...sub.state, clientId: '' });
    }
    c.lastActive = this.clock.now();
    this.activity.detached(sub);
    c.byAckInbox.delete(sub.state.ackInbox);
    sub.client?.subs.delete(sub);
    sub.client = undefined;
    sub.initialized = false;
    if (g !== undefined) {
      g.members.splice(g.members.indexOf(sub), 1);
      if (others) {
        this.#redistribute(sub, g);
        c.subs.delete(sub);
        c.subStore.delete(sub.state.id);
        this.activity.groupChanged(c, g);
      } else if (kept) {
        // The last member of a durable group: the group lives on as a shadow.
        sub.lastClientId = sub.state.clientId;
        sub.state.clientId = '';
        g.shadow = sub;
      } else {
        c.queues.delete(g.name);
        c.subs.delete(sub);
      }
      return;
    }
    c.plain.delete(sub);
    if (kept) {
      // Offline, resumable: pending kept.
      sub.state.isClosed = true;
      sub.stalled = false;
      return;
    }
    if (sub.state.isDurable) c.durables.delete(StanSub.durableKey(sub.state.clientId, c.name, sub.state.durableName));
    c.subs.delete(sub);
  }

  /**
   * A member leaves a group that keeps other members: its pending messages
   * go round robin to them, to be redelivered shortly.
   */
  #redistribute(leaving: StanSub, g: QueueGroup): void {
    if (g.members.length === 0 || leaving.pending.size === 0) return;
    const seqs = [...leaving.pending.keys()].sort((a, b) => a - b);
    let i = 0;
    for (const seq of seqs) {
      const to = g.members[i++ % g.members.length]!;
      applyMove(leaving, to, seq, 0);
      this.activity.moved(to, seq);
    }
  }

  #checkRoom(c: Channel): void {
    const max = c.limits.maxSubscriptions;
    if (max > 0 && c.subs.size >= max) throw new StanError(StanErr.TOO_MANY_SUBS);
  }

  #create(client: StanClient, c: Channel, op: SubscribeOp, qGroup: string, lastSent: number): StanSub {
    this.#checkRoom(c);
    const r = op.request;
    const state: SubState = {
      id: op.id,
      clientId: r.clientID,
      qGroup,
      inbox: r.inbox,
      ackInbox: op.ackInbox,
      maxInFlight: r.maxInFlight,
      ackWaitInSecs: r.ackWaitInSecs,
      // Durable queue members store the name in the group, not here.
      durableName: qGroup === '' ? r.durableName : '',
      lastSent,
      isDurable: r.durableName !== '',
      isClosed: false,
    };
    const sub = new StanSub(state, c);
    // The store first: if it throws, the channel is as it was.
    c.subStore.create(state);
    if (op.id >= c.nextSubId) c.nextSubId = op.id + 1;
    c.subs.add(sub);
    this.#attach(client, sub);
    return sub;
  }

  /** Binds a subscription to a client and listens on its ack inbox. */
  #attach(client: StanClient, sub: StanSub): void {
    sub.client = client;
    client.subs.add(sub);
    sub.channel.byAckInbox.set(sub.state.ackInbox, sub);
    this.activity.attached(sub);
  }

  /** Re-binds a recovered subscription to its recovered client (same inboxes). */
  reattach(client: StanClient, sub: StanSub): void {
    sub.newOnHold = sub.pending.size > 0;
    if (sub.group !== undefined && sub.newOnHold) sub.group.newOnHold = true;
    this.#attach(client, sub);
  }

  /** An offline (or replaced) durable takes the new request's inboxes and limits. */
  #resume(client: StanClient, sub: StanSub, op: SubscribeOp): StanSub {
    this.#rebind(client, sub, op);
    sub.state.isClosed = false;
    sub.channel.subStore.update(sub.state);
    sub.channel.plain.add(sub);
    return sub;
  }

  #rebind(client: StanClient, sub: StanSub, op: SubscribeOp): void {
    const r = op.request;
    sub.state.clientId = r.clientID;
    sub.state.inbox = r.inbox;
    sub.state.ackInbox = op.ackInbox;
    sub.state.maxInFlight = r.maxInFlight;
    sub.state.ackWaitInSecs = r.ackWaitInSecs;
    sub.stalled = false;
    // Pending messages go first, new ones wait for them (§2.5).
    sub.newOnHold = sub.pending.size > 0;
    this.#attach(client, sub);
  }

  #joinGroup(client: StanClient, c: Channel, op: SubscribeOp, name: string, durable: boolean): StanSub {
    let g = c.queues.get(name);
    if (g !== undefined && g.shadow !== undefined) {
      // The next member of a durable group takes over its shadow.
      const sub = g.shadow;
      g.shadow = undefined;
      this.#rebind(client, sub, op);
      g.newOnHold = sub.newOnHold;
      g.members.push(sub);
      c.subStore.update(sub.state);
      return sub;
    }
    const creating = g === undefined;
    // A new group starts at its first member's position; joiners continue from the group's.
    const lastSent = g === undefined ? op.startSeq : g.lastSent;
    const sub = this.#create(client, c, op, name, lastSent);
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
}
