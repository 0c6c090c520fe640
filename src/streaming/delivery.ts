// Delivery of messages to subscriptions (STAN-REFERENCE §2.6): sending in
// sequence order under MaxInflight, queue-group member selection, acks
// and un-stalling, the per-subscription ack-wait timer with redelivery
// (forced past MaxInflight, expiration pushed by exactly AckWait), and the
// redistribution of a departing queue member's pending messages.

import type { StoredMsg } from '../stores/store.js';
import { encodeMsg } from './codec.js';
import type { Channel, QueueGroup, StanSub } from './model.js';
import type { NatsTransport } from './transport.js';

/** Expirations this close to now are redelivered in the same timer pass (Go: 15 ms). */
const REDELIVERY_SLACK_MS = 15;
/** A departed member's messages reach the others this soon (Go: 100 ms). */
const MOVED_REDELIVERY_MS = 100;

export class Delivery {
  /** MsgProtos sent (new and redelivered) and their encoded bytes, since startup (monitoring). */
  outMsgs = 0;
  outBytes = 0;

  constructor(private readonly transport: NatsTransport) {}

  /** Sends whatever every subscription of the channel may receive now. */
  sendAvailable(c: Channel): void {
    for (const sub of c.plain) this.sendToSub(sub);
    for (const g of c.queues.values()) this.sendToGroup(c, g);
  }

  /** New messages for a plain subscription, up to MaxInflight. */
  sendToSub(sub: StanSub): void {
    if (sub.stalled || !sub.initialized || sub.newOnHold || sub.client === undefined) return;
    const msgs = sub.channel.msgs;
    let seq = sub.state.lastSent + 1;
    const first = msgs.firstSeq;
    if (seq < first) {
      seq = first;
      sub.state.lastSent = first - 1;
    }
    const last = sub.channel.deliverable;
    while (seq <= last) {
      if (sub.pending.size >= sub.state.maxInFlight) {
        sub.stalled = true;
        return;
      }
      if (!this.#sendNew(sub, seq)) sub.state.lastSent = seq;
      seq++;
    }
    if (sub.pending.size >= sub.state.maxInFlight) sub.stalled = true;
  }

  /** New messages for a queue group: each to the best member, until none can take more. */
  sendToGroup(c: Channel, g: QueueGroup): void {
    if (g.newOnHold || g.members.length === 0) return;
    const msgs = c.msgs;
    let seq = g.lastSent + 1;
    if (seq < msgs.firstSeq) {
      seq = msgs.firstSeq;
      g.lastSent = seq - 1;
    }
    const last = c.deliverable;
    // The group's position as of the last send, given to every member once
    // at the end rather than after each message (nothing reads it between).
    let sentUpTo = 0;
    while (seq <= last) {
      if (msgs.timestampOf(seq) === undefined) {
        g.lastSent = seq++;
        continue;
      }
      const member = this.bestMember(g);
      if (member === undefined || !member.initialized || member.pending.size >= member.state.maxInFlight) {
        if (member !== undefined && member.initialized) member.stalled = true;
        break;
      }
      this.#sendNew(member, seq);
      g.lastSent = seq++;
      sentUpTo = g.lastSent;
    }
    if (sentUpTo > 0) for (const s of g.members) s.state.lastSent = sentUpTo;
  }

  /**
   * The member to send to: among those neither stalled nor with failed
   * heartbeats, the one with the fewest pending messages; else the first.
   * The chosen head of the list moves to its end (round robin among ties).
   */
  bestMember(g: QueueGroup): StanSub | undefined {
    let best: StanSub | undefined;
    let at = -1;
    for (let i = 0; i < g.members.length; i++) {
      const s = g.members[i]!;
      if (s.stalled || (s.client !== undefined && s.client.hbFailed > 0)) continue;
      if (best === undefined || s.pending.size < best.pending.size) {
        best = s;
        at = i;
      }
    }
    if (best === undefined) return g.members[0];
    if (at === 0 && g.members.length > 1) {
      g.members.shift();
      g.members.push(best);
    }
    return best;
  }

  /** Sends a stored message for the first time; false if it is gone. */
  #sendNew(sub: StanSub, seq: number): boolean {
    const msgs = sub.channel.msgs;
    // The stored record as it is, when the store keeps it encoded.
    let bytes = msgs.encoded?.(seq);
    if (bytes === undefined) {
      const m = msgs.lookup(seq);
      if (m === undefined) return false;
      bytes = encodeMsg(sub.channel.name, m, false, 0);
    }
    this.transport.publish(sub.state.inbox, bytes);
    this.outMsgs++;
    this.outBytes += bytes.length;
    const exp = Date.now() + sub.ackWaitMs;
    sub.pending.set(seq, exp);
    if (seq > sub.state.lastSent) sub.state.lastSent = seq;
    sub.channel.subStore.sent(sub.state.id, seq);
    this.#arm(sub, exp);
    if (sub.pending.size >= sub.state.maxInFlight) sub.stalled = true;
    return true;
  }

  /** Redelivers one pending message (forced past MaxInflight). */
  #redeliver(sub: StanSub, m: StoredMsg, counts: Map<number, number>): void {
    const n = (counts.get(m.sequence) ?? 0) + 1;
    counts.set(m.sequence, n);
    const msg = encodeMsg(sub.channel.name, m, true, n);
    this.transport.publish(sub.state.inbox, msg);
    this.outMsgs++;
    this.outBytes += msg.length;
    sub.redelivered++;
  }

  /**
   * Redelivers every pending message in sequence order, then releases new
   * messages: a durable resumed, a shadow taken over, a restart.
   */
  redeliverAllPending(sub: StanSub): void {
    const seqs = [...sub.pending.keys()].sort((a, b) => a - b);
    const counts = sub.group?.redeliveries ?? sub.redeliveries;
    const now = Date.now();
    for (const seq of seqs) {
      const m = sub.channel.msgs.lookup(seq);
      if (m === undefined) {
        this.#forget(sub, seq);
        continue;
      }
      this.#redeliver(sub, m, counts);
      sub.pending.set(seq, now + sub.ackWaitMs);
    }
    if (sub.pending.size > 0) this.#arm(sub, now + sub.ackWaitMs);
    sub.stalled = sub.pending.size >= sub.state.maxInFlight;
  }

  /**
   * An ack on the subscription's ack inbox. For a queue member, a sequence
   * pending on another member of the group is acked there.
   */
  ack(sub: StanSub, seq: number): void {
    let owner: StanSub | undefined = sub.pending.has(seq) ? sub : undefined;
    if (owner === undefined && sub.group !== undefined) {
      owner = sub.group.members.find((m) => m.pending.has(seq));
    }
    if (owner === undefined) return;
    owner.pending.delete(seq);
    (owner.group?.redeliveries ?? owner.redeliveries).delete(seq);
    owner.channel.subStore.acked(owner.state.id, seq);
    if (owner.pending.size === 0) this.#disarm(owner);
    this.#unstall(owner);
  }

  /** After pending shrank (an ack, explicit or implied): resume a stalled subscription. */
  #unstall(sub: StanSub): void {
    if (!sub.stalled || sub.pending.size >= sub.state.maxInFlight) return;
    sub.stalled = false;
    if (sub.group !== undefined) this.sendToGroup(sub.channel, sub.group);
    else this.sendToSub(sub);
  }

  /** The ack-wait timer of a subscription fired. */
  #onAckTimer(sub: StanSub): void {
    sub.ackTimer = undefined;
    sub.ackTimerAt = 0;
    if (sub.pending.size === 0) return;
    const now = Date.now();
    if (sub.client === undefined) return; // offline: redelivered on resume
    if (sub.group === undefined && sub.client.hbFailed > 0) {
      this.#arm(sub, now + sub.ackWaitMs);
      return;
    }
    const entries = [...sub.pending.entries()];
    for (const e of entries) {
      // Recovered entries have no expiration: the message's time plus AckWait.
      if (e[1] === 0) {
        const ts = sub.channel.msgs.timestampOf(e[0]);
        e[1] = ts === undefined ? now : Number(ts / 1_000_000n) + sub.ackWaitMs;
      }
    }
    entries.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const limit = now + REDELIVERY_SLACK_MS;
    for (const [seq, exp] of entries) {
      if (exp > limit) break;
      const m = sub.channel.msgs.lookup(seq);
      if (m === undefined) {
        // Removed by limits since: treat as acked, it never comes back.
        this.#forget(sub, seq);
        continue;
      }
      const next = exp + sub.ackWaitMs;
      let target = sub;
      if (sub.group !== undefined) {
        target = this.bestMember(sub.group) ?? sub;
        if (target !== sub) this.#move(sub, target, seq);
      }
      this.#redeliver(target, m, target.group?.redeliveries ?? target.redeliveries);
      target.pending.set(seq, next);
      if (target !== sub) this.#arm(target, next);
    }
    this.#rearm(sub);
    // Messages dropped by limits or moved to another member count as acked.
    this.#unstall(sub);
  }

  /** A pending message changes member within a queue group (an implicit ack on the first). */
  #move(from: StanSub, to: StanSub, seq: number): void {
    from.pending.delete(seq);
    from.channel.subStore.acked(from.state.id, seq);
    to.pending.set(seq, 0);
    to.channel.subStore.sent(to.state.id, seq);
  }

  /**
   * A member leaves a group that keeps other members: its pending messages
   * go round robin to them, to be redelivered shortly.
   */
  redistribute(leaving: StanSub, g: QueueGroup): void {
    if (g.members.length === 0 || leaving.pending.size === 0) return;
    const seqs = [...leaving.pending.keys()].sort((a, b) => a - b);
    const soon = Date.now() + MOVED_REDELIVERY_MS;
    let i = 0;
    for (const seq of seqs) {
      const to = g.members[i++ % g.members.length]!;
      this.#move(leaving, to, seq);
      // Expiration in the past: the timer pass redelivers it.
      to.pending.set(seq, Date.now() - 1);
      this.#arm(to, soon);
    }
  }

  #forget(sub: StanSub, seq: number): void {
    sub.pending.delete(seq);
    (sub.group?.redeliveries ?? sub.redeliveries).delete(seq);
    sub.channel.subStore.acked(sub.state.id, seq);
  }

  /** Re-arms the timer for the earliest pending expiration, or stops it. */
  #rearm(sub: StanSub): void {
    let min = Infinity;
    for (const exp of sub.pending.values()) if (exp < min) min = exp;
    if (min === Infinity) this.#disarm(sub);
    else this.#arm(sub, min, true);
  }

  /** Makes sure the timer fires by `at` (ms since epoch). */
  #arm(sub: StanSub, at: number, replace = false): void {
    if (sub.ackTimer !== undefined) {
      if (!replace && sub.ackTimerAt <= at) return;
      clearTimeout(sub.ackTimer);
    }
    sub.ackTimerAt = at;
    sub.ackTimer = setTimeout(() => this.#onAckTimer(sub), Math.max(0, at - Date.now()));
    sub.ackTimer.unref?.();
  }

  #disarm(sub: StanSub): void {
    clearTimeout(sub.ackTimer);
    sub.ackTimer = undefined;
    sub.ackTimerAt = 0;
  }

  /** Stops a subscription's timer (it is leaving). */
  stop(sub: StanSub): void {
    this.#disarm(sub);
  }

  /** Re-arms a subscription's timer after its state changed (resume). */
  rearm(sub: StanSub): void {
    this.#rearm(sub);
  }
}
