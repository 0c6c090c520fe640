// Delivery of messages to subscriptions (STAN-REFERENCE §2.6): sending in
// sequence order under MaxInflight, queue-group member selection, acks
// and un-stalling, the per-subscription ack-wait timer with redelivery
// (forced past MaxInflight, expiration pushed by exactly AckWait), and the
// redelivery of a departed queue member's pending messages.
//
// Messages come from the store's memory (encoded()/cached()) when they are
// there; otherwise the subscription's cursor starts one read() for the next
// batch and is "fetching" until it resolves (delivery-fetch.ts): nothing
// new is sent to it meanwhile, so order holds and MaxInflight is kept.
// Timers run on the injected clock. Sent and acked messages are applied
// through apply.ts (the SentAndAck operation's functions).

import type { StoredMsg } from '../stores/store.js';
import { applyAck, applyMove, applySent, type SentAndAckJournal } from './apply.js';
import type { Clock } from './clock.js';
import { encodeMsg } from './codec.js';
import { readAll, readForGroup, readForSub, type FetchHost } from './delivery-fetch.js';
import type { Channel, QueueGroup, StanSub } from './model.js';
import type { NatsTransport } from './transport.js';

/** Expirations this close to now are redelivered in the same timer pass (Go: 15 ms). */
const REDELIVERY_SLACK_MS = 15;
/** A departed member's messages reach the others this soon (Go: 100 ms). */
const MOVED_REDELIVERY_MS = 100;

export class Delivery implements FetchHost {
  /** MsgProtos sent (new and redelivered) and their encoded bytes, since startup (monitoring). */
  outMsgs = 0;
  outBytes = 0;
  /** Told every sent and acked message (apply.ts); undefined: nobody listens. */
  journal: SentAndAckJournal | undefined;

  constructor(
    private readonly transport: NatsTransport,
    readonly clock: Clock,
    readonly log: (text: string) => void = () => {},
  ) {}

  /** Sends whatever every subscription of the channel may receive now. */
  sendAvailable(c: Channel): void {
    for (const sub of c.plain) this.sendToSub(sub);
    for (const g of c.queues.values()) this.sendToGroup(c, g);
  }

  /** After the SubscriptionResponse went out: pending messages first (§2.5), then new ones. */
  start(sub: StanSub): void {
    sub.initialized = true;
    if (sub.newOnHold && !this.redeliverAllPending(sub)) return; // released when the read resolves
    this.release(sub);
  }

  /** New messages may flow to a subscription (its held pending messages went out). */
  release(sub: StanSub): void {
    if (sub.newOnHold) {
      sub.newOnHold = false;
      if (sub.group !== undefined) sub.group.newOnHold = false;
    }
    this.kick(sub);
  }

  /** Sends what the subscription (or its queue group) may take now. */
  kick(sub: StanSub): void {
    if (sub.group !== undefined) this.sendToGroup(sub.channel, sub.group);
    else this.sendToSub(sub);
  }

  /** New messages for a plain subscription, up to MaxInflight. */
  sendToSub(sub: StanSub): void {
    if (sub.stalled || sub.backlogged || sub.fetching || !sub.initialized || sub.newOnHold || sub.client === undefined) return;
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
      const bytes = this.#stored(sub.channel, seq);
      if (bytes === undefined) return readForSub(this, sub, seq, last);
      if (bytes === null) sub.state.lastSent = seq;
      else {
        this.sendBytes(sub, seq, bytes);
        if (this.#holdWhileBacklogged(sub)) return;
      }
      seq++;
    }
    if (sub.pending.size >= sub.state.maxInFlight) sub.stalled = true;
  }

  /** New messages for a queue group: each to the best member, until none can take more. */
  sendToGroup(c: Channel, g: QueueGroup): void {
    if (g.newOnHold || g.fetching || g.backlogged || g.members.length === 0) return;
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
      const bytes = this.#stored(c, seq);
      if (bytes === null) {
        g.lastSent = seq++;
        continue;
      }
      if (bytes === undefined) {
        // Read only for members with room; else stall as for a message in memory.
        if (!hasRoom(g)) {
          this.memberFor(g);
          break;
        }
        if (sentUpTo > 0) for (const s of g.members) s.state.lastSent = sentUpTo;
        return readForGroup(this, c, g, seq, last);
      }
      const member = this.memberFor(g);
      if (member === undefined) break;
      this.sendBytes(member, seq, bytes);
      g.lastSent = seq++;
      sentUpTo = g.lastSent;
      if (this.#holdWhileBacklogged(member)) break;
    }
    if (sentUpTo > 0) for (const s of g.members) s.state.lastSent = sentUpTo;
  }

  /** The member that takes the group's next message, or undefined (marking it stalled) if none can. */
  memberFor(g: QueueGroup): StanSub | undefined {
    const member = this.bestMember(g);
    if (member === undefined || !member.initialized || member.pending.size >= member.state.maxInFlight) {
      if (member !== undefined && member.initialized) member.stalled = true;
      return undefined;
    }
    return member;
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

  /**
   * A message as first delivered, from the store's memory: null if it is
   * absent (dropped by limits), undefined if it is stored but not in
   * memory (read it).
   */
  #stored(c: Channel, seq: number): Uint8Array | null | undefined {
    const msgs = c.msgs;
    // The stored record as it is, when the store keeps it encoded.
    const bytes = msgs.encoded?.(seq);
    if (bytes !== undefined) return bytes;
    const m = msgs.cached(seq);
    if (m !== undefined) return encodeMsg(c.name, m, false, 0);
    return seq < msgs.firstSeq || seq > msgs.lastSeq ? null : undefined;
  }

  /** Sends a message read from the store for the first time (delivery-fetch.ts). */
  sendRead(sub: StanSub, m: StoredMsg): void {
    this.sendBytes(sub, m.sequence, encodeMsg(sub.channel.name, m, false, 0));
  }

  sendBytes(sub: StanSub, seq: number, bytes: Uint8Array): void {
    this.transport.publish(sub.state.inbox, bytes);
    this.outMsgs++;
    this.outBytes += bytes.length;
    const exp = this.clock.now() + sub.ackWaitMs;
    applySent(sub, seq, exp);
    this.journal?.sent(sub, seq);
    this.#arm(sub, exp);
    if (sub.pending.size >= sub.state.maxInFlight) sub.stalled = true;
  }

  /**
   * After a send: when it left the subscriber's connection with more than
   * half of max_pending queued, holds the subscription (a queue member:
   * its group) until that backlog is written or the fast-producer stall's
   * time passes, then sends on. nats-server makes a socket publisher wait
   * so (the Go streaming server, a socket client of its NATS server, waits
   * with all its deliveries); without it MaxInflight x message size can
   * pass max_pending (1024 x 64 KB > 64 MB) and the subscriber is dropped
   * as a slow consumer, to get its messages again only after AckWait.
   */
  #holdWhileBacklogged(sub: StanSub): boolean {
    const wait = this.transport.stallWait?.();
    if (wait === undefined) return false;
    const held = sub.group ?? sub;
    held.backlogged = true;
    void wait.then(() => {
      held.backlogged = false;
      try {
        this.kick(sub);
      } catch (err) {
        this.log(`STREAM: Error delivering on channel "${sub.channel.name}" after a backlog: ${(err as Error).stack ?? err}`);
      }
    });
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
   * Redelivers every pending message in sequence order (a durable resumed,
   * a shadow taken over, a restart). False when some had to be read from
   * the store: then they go out, and new messages are released, once the
   * read resolves.
   */
  redeliverAllPending(sub: StanSub): boolean {
    const seqs = [...sub.pending.keys()].sort((a, b) => a - b);
    const found = inMemory(sub.channel, seqs);
    if (found !== null) {
      this.#redeliverAll(sub, seqs, found);
      return true;
    }
    readAll(this, sub, seqs, (msgs) => {
      this.#redeliverAll(sub, seqs, msgs);
      this.release(sub);
    });
    return false;
  }

  #redeliverAll(sub: StanSub, seqs: number[], found: (StoredMsg | undefined)[]): void {
    const counts = sub.group?.redeliveries ?? sub.redeliveries;
    const now = this.clock.now();
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (!sub.pending.has(seq)) continue; // acked while it was read
      const m = found[i];
      if (m === undefined) {
        this.#acked(sub, seq);
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
    this.#acked(owner, seq);
    if (owner.pending.size === 0) this.#disarm(owner);
    this.#unstall(owner);
  }

  #acked(sub: StanSub, seq: number): void {
    applyAck(sub, seq);
    this.journal?.acked(sub, seq);
  }

  /** After pending shrank (an ack, explicit or implied): resume a stalled subscription. */
  #unstall(sub: StanSub): void {
    if (!sub.stalled || sub.pending.size >= sub.state.maxInFlight) return;
    sub.stalled = false;
    this.kick(sub);
  }

  /** The ack-wait timer of a subscription fired. */
  #onAckTimer(sub: StanSub): void {
    // A timer: an error escaping it would end the process.
    try {
      this.#redeliveryPass(sub);
    } catch (err) {
      this.log(`STREAM: [Client:${sub.state.clientId}] Error redelivering on "${sub.channel.name}": ${(err as Error).stack ?? err}`);
      this.retryLater(sub);
    }
  }

  #redeliveryPass(sub: StanSub): void {
    sub.ackTimer = undefined;
    sub.ackTimerAt = 0;
    if (sub.pending.size === 0 || sub.redeliveryRead) return; // (that pass re-arms when it is done)
    const now = this.clock.now();
    if (sub.client === undefined) return; // offline: redelivered on resume
    if (sub.group === undefined && sub.client.hbFailed > 0) {
      this.#arm(sub, now + sub.ackWaitMs);
      return;
    }
    // Recovered entries carry the message's time plus AckWait (server.ts); 0 is "now".
    const entries = [...sub.pending.entries()];
    entries.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const limit = now + REDELIVERY_SLACK_MS;
    let n = 0;
    while (n < entries.length && entries[n]![1] <= limit) n++;
    const due = entries.slice(0, n);
    const seqs = due.map((e) => e[0]);
    const found = inMemory(sub.channel, seqs);
    if (found !== null) return this.#redeliverDue(sub, due, found);
    sub.redeliveryRead = true;
    readAll(this, sub, seqs, (msgs) => {
      sub.redeliveryRead = false;
      this.#redeliverDue(sub, due, msgs);
    });
  }

  /** The timer pass proper: `due` ([seq, expiration] by expiration) and their messages. */
  #redeliverDue(sub: StanSub, due: [number, number][], found: (StoredMsg | undefined)[]): void {
    for (let i = 0; i < due.length; i++) {
      const [seq, exp] = due[i]!;
      if (!sub.pending.has(seq)) continue; // acked while it was read
      const m = found[i];
      if (m === undefined) {
        // Removed by limits since: treat as acked, it never comes back.
        this.#acked(sub, seq);
        continue;
      }
      const next = exp + sub.ackWaitMs;
      let target = sub;
      if (sub.group !== undefined) {
        target = this.bestMember(sub.group) ?? sub;
        if (target !== sub) {
          applyMove(sub, target, seq, 0);
          this.journal?.acked(sub, seq);
          this.journal?.sent(target, seq);
        }
      }
      this.#redeliver(target, m, target.group?.redeliveries ?? target.redeliveries);
      target.pending.set(seq, next);
      if (target !== sub) this.#arm(target, next);
    }
    this.#rearm(sub);
    // Messages dropped by limits or moved to another member count as acked.
    this.#unstall(sub);
  }

  /** A departed member's pending message moved to `to` (apply-subs.ts): redelivered shortly. */
  moved(to: StanSub, seq: number): void {
    const now = this.clock.now();
    // Expiration in the past: the timer pass redelivers it.
    to.pending.set(seq, now - 1);
    this.#arm(to, now + MOVED_REDELIVERY_MS);
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
      this.clock.clearTimer(sub.ackTimer);
    }
    sub.ackTimerAt = at;
    sub.ackTimer = this.clock.setTimer(() => this.#onAckTimer(sub), Math.max(0, at - this.clock.now()));
  }

  #disarm(sub: StanSub): void {
    this.clock.clearTimer(sub.ackTimer);
    sub.ackTimer = undefined;
    sub.ackTimerAt = 0;
  }

  /** A redelivery read failed: every pending message is due again in one AckWait. */
  retryLater(sub: StanSub): void {
    sub.redeliveryRead = false;
    const at = this.clock.now() + sub.ackWaitMs;
    for (const seq of sub.pending.keys()) sub.pending.set(seq, at);
    this.#arm(sub, at, true);
    if (sub.newOnHold) this.release(sub);
  }

  /** Stops a subscription's timer (it is leaving; a read for its redeliveries is dropped). */
  stop(sub: StanSub): void {
    sub.redeliveryRead = false;
    this.#disarm(sub);
  }

  /** Re-arms a subscription's timer after its state changed (resume). */
  rearm(sub: StanSub): void {
    this.#rearm(sub);
  }
}

/** Whether some member of the group can take a message now. */
function hasRoom(g: QueueGroup): boolean {
  for (const s of g.members) if (s.initialized && s.pending.size < s.state.maxInFlight) return true;
  return false;
}

/**
 * The messages of `seqs` from the store's memory, undefined where absent
 * (dropped by limits); null if one is stored but not in memory.
 */
function inMemory(c: Channel, seqs: number[]): (StoredMsg | undefined)[] | null {
  const msgs = c.msgs;
  const out: (StoredMsg | undefined)[] = new Array(seqs.length);
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    const m = msgs.cached(seq);
    if (m === undefined && seq >= msgs.firstSeq && seq <= msgs.lastSeq) return null;
    out[i] = m;
  }
  return out;
}
