// Applying operations (ops.ts) to the model and the store: the one place
// that changes clients, channels, subscriptions and what is persisted.
// Subscription creation and removal (§2.5, §2.8) are in apply-subs.ts.
//
// apply() is deterministic: it reads only the operation and the state, and
// anything the active server decides is in the operation. What only the
// active server does on top (listening on ack inboxes, timers, sending)
// goes through `Activity`, which a standby leaves empty.

import type { Logger } from '../log/logger.js';
import type { Store } from '../stores/store.js';
import { Subscriptions } from './apply-subs.js';
import type { Channels } from './channels.js';
import type { Clients } from './clients.js';
import type { Clock } from './clock.js';
import { StanErr, StanError } from './errors.js';
import type { Channel, QueueGroup, StanClient, StanSub } from './model.js';
import { type ControlOp, type ConnectOp, type DisconnectOp, OpKind, type PublishOp, type RemoveSubOp, type SentAndAckOp, type SubscribeOp } from './ops.js';

/** The active server's side effects of state changes; a standby's are empty. */
export interface Activity {
  /** A subscription got its client: listen on its ack inbox. */
  attached(sub: StanSub): void;
  /** A subscription lost its client (or is gone): stop its listener and timer. */
  detached(sub: StanSub): void;
  /** A pending message moved to `to` from a departed member: redeliver it soon. */
  moved(to: StanSub, seq: number): void;
  /** A queue group's membership changed: send what its members may take. */
  groupChanged(c: Channel, g: QueueGroup): void;
  /** A channel is deleted: stop everything of its subscriptions. */
  channelDeleted(c: Channel): void;
  /** A client registered (connect applied). */
  clientConnected?(clientId: string): void;
}

/** What applying a control operation gave: an error for the requester, or the subscription. */
export interface ApplyResult {
  error?: string;
  sub?: StanSub;
}

const OK: ApplyResult = {};

export class Applier {
  readonly subs: Subscriptions;

  constructor(
    private readonly store: Store,
    private readonly channels: Channels,
    private readonly clients: Clients,
    private readonly log: Logger,
    replaceDurable: boolean,
    private readonly activity: Activity,
    clock: Clock,
  ) {
    this.subs = new Subscriptions(activity, replaceDurable, clock);
  }

  /**
   * Stores a published message (its sequence is the channel's lastSeq).
   * Throws StanError (too many channels, a case clash) or the store's error.
   */
  publish(op: PublishOp): Channel {
    const c = this.channels.lookupOrCreate(op.channel);
    // Timestamps never go back within a channel, even if the clock does.
    const ts = op.timestamp > c.lastTimestamp ? op.timestamp : c.lastTimestamp;
    c.lastTimestamp = ts;
    c.msgs.store(op.data, op.reply, ts);
    c.inMsgs++;
    return c;
  }

  apply(op: ControlOp): ApplyResult {
    switch (op.kind) {
      case OpKind.Connect:
        return this.#connect(op);
      case OpKind.Disconnect:
        return this.#disconnect(op);
      case OpKind.Subscribe:
        return this.#subscribe(op);
      case OpKind.RemoveSub:
        return this.#removeSub(op);
      case OpKind.SentAndAck:
        return this.#sentAndAck(op);
      case OpKind.DeleteChannel: {
        const c = this.channels.get(op.channel);
        if (c !== undefined) this.#deleteChannel(c);
        return OK;
      }
    }
  }

  #connect(op: ConnectOp): ApplyResult {
    const old = this.clients.get(op.info.id);
    if (old !== undefined) {
      if (!op.replace) return { error: StanErr.CLIENT_ID_REGISTERED };
      this.#closeClient(old, 'replaced');
    }
    this.store.addClient(op.info);
    this.clients.add(op.info);
    this.activity.clientConnected?.(op.info.id);
    return OK;
  }

  #disconnect(op: DisconnectOp): ApplyResult {
    const c = this.clients.get(op.clientId);
    if (c === undefined || (op.hbInbox !== undefined && c.info.hbInbox !== op.hbInbox)) return { error: StanErr.UNKNOWN_CLIENT };
    this.#closeClient(c, op.why);
    return OK;
  }

  /** Unregisters a client and removes its subscriptions as a connection close does (§2.8). */
  #closeClient(c: StanClient, why: string): void {
    if (c.closed) return;
    // The store first: if it throws, the client is still registered in both.
    this.store.deleteClient(c.id);
    this.clients.remove(c);
    for (const sub of [...c.subs]) this.subs.remove(sub, 'connection');
    this.log.debug(`STREAM: [Client:${c.id}] Closed (${why})`);
  }

  #subscribe(op: SubscribeOp): ApplyResult {
    const client = this.clients.get(op.request.clientID);
    if (client === undefined) return { error: StanErr.UNKNOWN_CLIENT };
    try {
      const c = this.channels.lookupOrCreate(op.request.subject);
      return { sub: this.subs.add(client, c, op) };
    } catch (err) {
      if (err instanceof StanError) return { error: err.message };
      throw err;
    }
  }

  #removeSub(op: RemoveSubOp): ApplyResult {
    const c = this.channels.get(op.channel);
    // The Go server answers an unknown channel as an unknown subscription
    // (server.go: ErrInvalidSub); STAN-REFERENCE §2.8 says `stan: unknown
    // channel`, a text no Go source we could read contains.
    if (c === undefined) return { error: StanErr.INVALID_SUB };
    const sub = c.findSub(op.inbox);
    if (sub === undefined) return { error: StanErr.INVALID_SUB };
    const client = this.clients.get(op.clientId);
    if (client === undefined || sub.client !== client) return { error: StanErr.UNKNOWN_CLIENT };
    this.subs.remove(sub, op.close ? 'close' : 'unsubscribe');
    return OK;
  }

  #sentAndAck(op: SentAndAckOp): ApplyResult {
    const c = this.channels.get(op.channel);
    let sub: StanSub | undefined;
    if (c !== undefined) for (const s of c.subs) if (s.state.id === op.subId) sub = s;
    if (sub === undefined) return { error: StanErr.INVALID_SUB };
    // A standby has no expirations: 0 is "unknown", as after recovery.
    for (const seq of op.sent) applySent(sub, seq, 0);
    for (const seq of op.acked) applyAck(sub, seq);
    return OK;
  }

  /** Deletes an inactive channel: its messages, offline durables and shadows go with it. */
  #deleteChannel(c: Channel): void {
    // The store first: if it throws, the channel is as it was (the next sweep tries again).
    this.store.deleteChannel(c.name);
    this.activity.channelDeleted(c);
    for (const sub of c.subs) sub.client?.subs.delete(sub);
    this.channels.remove(c);
    this.log.info(`STREAM: Channel "${c.name}" has been deleted`);
  }
}

/**
 * Where delivery reports the sent and acked messages it applied, for a
 * mode that ships them as SentAndAck operations (a replica); none by
 * default, so the hot path pays one check.
 */
export interface SentAndAckJournal {
  sent(sub: StanSub, seq: number): void;
  acked(sub: StanSub, seq: number): void;
}

/** A message was sent to a subscription: pending until acked or expired at `expiry` (ms). */
export function applySent(sub: StanSub, seq: number, expiry: number): void {
  sub.pending.set(seq, expiry);
  if (seq > sub.state.lastSent) sub.state.lastSent = seq;
  sub.channel.subStore.sent(sub.state.id, seq);
}

/** A pending message is acknowledged (or dropped: removed by limits, moved to another member). */
export function applyAck(sub: StanSub, seq: number): void {
  sub.pending.delete(seq);
  (sub.group?.redeliveries ?? sub.redeliveries).delete(seq);
  sub.channel.subStore.acked(sub.state.id, seq);
}

/** A pending message changes member within a queue group (an implicit ack on the first). */
export function applyMove(from: StanSub, to: StanSub, seq: number, expiry: number): void {
  from.pending.delete(seq);
  from.channel.subStore.acked(from.state.id, seq);
  to.pending.set(seq, expiry);
  to.channel.subStore.sent(to.state.id, seq);
}
