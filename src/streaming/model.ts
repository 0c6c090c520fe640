// The streaming server's state (STAN-REFERENCE §12): clients, channels,
// subscriptions and queue groups. Plain data with small helpers; apply.ts
// changes it, delivery.ts sends from it.

import type { ChannelLimits, ClientInfo, MsgStore, SubState, SubStore } from '../stores/store.js';
import type { TimerHandle } from './clock.js';
import type { TransportSub } from './transport.js';

/** A registered client (a logical STAN connection, keyed by client ID). */
export class StanClient {
  readonly subs = new Set<StanSub>();
  /** Consecutive heartbeats without a reply. */
  hbFailed = 0;
  hbTimer: TimerHandle | undefined;
  /** A heartbeat request is out. */
  hbInFlight = false;
  closed = false;

  constructor(
    readonly info: ClientInfo,
    /** info.connId as a string key (latin1). */
    readonly connKey: string,
  ) {}

  get id(): string {
    return this.info.id;
  }
}

/** A subscription: its stored state plus what delivery needs at runtime. */
export class StanSub {
  /** The client it is attached to; undefined for an offline durable or a durable-queue shadow. */
  client: StanClient | undefined;
  group: QueueGroup | undefined;
  /** Sent and not yet acked: sequence -> expiration (ms since epoch; 0 = unknown after recovery). */
  readonly pending = new Map<number, number>();
  /** Redeliveries per sequence, for plain subscriptions (queue groups keep theirs). */
  readonly redeliveries = new Map<number, number>();
  stalled = false;
  /** Its SubscriptionResponse was sent: messages may flow. */
  initialized = false;
  /** Pending messages are being redelivered first: new ones wait. */
  newOnHold = false;
  /**
   * A store read for the next messages is under way (delivery's cursor):
   * nothing new is sent until it resolves, so order holds.
   */
  fetching = false;
  /**
   * Its connection is backed up past half of max_pending: nothing new is
   * sent until the stall ends (delivery.ts #holdWhileBacklogged), so it is
   * not dropped as a slow consumer for what MaxInflight allowed.
   */
  backlogged = false;
  /** An ack-timer pass waits for the store to read its messages: no other pass starts meanwhile. */
  redeliveryRead = false;
  ackTimer: TimerHandle | undefined;
  /** When the ack timer fires (ms since epoch). */
  ackTimerAt = 0;
  ackSub: TransportSub | undefined;
  /** Redeliveries sent to this subscription since startup (monitoring). */
  redelivered = 0;
  /** The client ID it last had, kept when it goes offline as a shadow (monitoring, as Go's savedClientID). */
  lastClientId = '';

  constructor(
    readonly state: SubState,
    readonly channel: Channel,
  ) {}

  get ackWaitMs(): number {
    return this.state.ackWaitInSecs * 1000;
  }

  /** Durable key of a plain durable: clientID-channel-durableName (§2.5). */
  static durableKey(clientId: string, channel: string, durable: string): string {
    return `${clientId}-${channel}-${durable}`;
  }
}

/** A queue group of one channel. */
export class QueueGroup {
  readonly members: StanSub[] = [];
  /** Last sequence sent to any member. */
  lastSent = 0;
  /** Redeliveries per sequence, for the whole group. */
  readonly redeliveries = new Map<number, number>();
  /** A durable group whose last member left by close keeps its state here. */
  shadow: StanSub | undefined;
  newOnHold = false;
  /** A store read for the group's next messages is under way (see StanSub.fetching). */
  fetching = false;
  /** A member's connection is backed up (see StanSub.backlogged): the group waits. */
  backlogged = false;

  constructor(
    /** As stored: `durable:queue` for durable groups. */
    readonly name: string,
    readonly durable: boolean,
  ) {}
}

/** A channel and its subscriptions. */
export class Channel {
  /** Every stored subscription (active, offline durables, queue members, shadows): max_subs counts these. */
  readonly subs = new Set<StanSub>();
  /** Active plain (non-queue) subscriptions. */
  readonly plain = new Set<StanSub>();
  /** Plain durables, online or offline, by durable key. */
  readonly durables = new Map<string, StanSub>();
  readonly queues = new Map<string, QueueGroup>();
  readonly byAckInbox = new Map<string, StanSub>();
  nextSubId = 1;
  /** Timestamp of the newest message (ns), kept monotonic. */
  lastTimestamp = 0n;
  /** Messages stored since startup (monitoring). */
  inMsgs = 0;
  /** When the channel last got a message or a subscription change (ms), for max_inactivity. */
  lastActive = Date.now();
  /** Bytes of the PubMsgs of those messages, as received (monitoring). */
  inBytes = 0;
  /**
   * The newest sequence subscribers may receive: stored and flushed (made
   * durable) by a completed publish batch. Messages stored while a flush
   * is under way wait for theirs.
   */
  deliverable = 0;

  constructor(
    readonly name: string,
    readonly msgs: MsgStore,
    readonly subStore: SubStore,
    public limits: ChannelLimits,
  ) {}

  /**
   * Whether some client is subscribed (offline durables and durable-queue
   * shadows do not count): such a channel is never deleted for inactivity.
   */
  hasActiveSubs(): boolean {
    if (this.plain.size > 0) return true;
    for (const g of this.queues.values()) if (g.members.length > 0) return true;
    return false;
  }

  /** A subscription by ack inbox, else by delivery inbox (§2.8). */
  findSub(inbox: string): StanSub | undefined {
    const s = this.byAckInbox.get(inbox);
    if (s !== undefined) return s;
    for (const sub of this.subs) if (sub.state.inbox === inbox) return sub;
    return undefined;
  }
}
