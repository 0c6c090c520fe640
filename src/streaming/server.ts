// The NATS Streaming server (STAN-REFERENCE §2-§4): recovers the store,
// listens on the cluster's subjects through a NATS transport, and wires
// the handlers to the sequencer, which orders the operations they build;
// apply.ts changes the state, complete.ts and delivery.ts send. This
// object is also the active server's Activity: what it does on top of a
// state change (ack inbox listeners, timers, sending).

import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../log/logger.js';
import type { RecoveredChannel, ServerInfo, Store, StoreLimits } from '../stores/store.js';
import { type Activity, Applier } from './apply.js';
import { Channels } from './channels.js';
import { Clients } from './clients.js';
import { type Clock, realClock, type TimerHandle } from './clock.js';
import { decodeAck } from './codec.js';
import { Completer } from './complete.js';
import type { StanContext } from './context.js';
import { Delivery } from './delivery.js';
import type { FtState } from './ft.js';
import { handleClose } from './handlers/close.js';
import { handleConnect } from './handlers/connect.js';
import { handlePing } from './handlers/ping.js';
import { handlePublish } from './handlers/publish.js';
import { handleSubscribe } from './handlers/subscribe.js';
import { handleUnsubscribe } from './handlers/unsubscribe.js';
import { Channel, QueueGroup, StanSub } from './model.js';
import { nuid } from './nuid.js';
import { OpKind } from './ops.js';
import type { StanOptions } from './options.js';
import { Partitions } from './partitions.js';
import { Sequencer } from './sequencer.js';
import type { MsgHandler, NatsTransport, TransportSub } from './transport.js';

/** The subjects of a fresh server (§2.1). */
export function freshServerInfo(clusterId: string, discoverPrefix: string): ServerInfo {
  return {
    clusterId,
    discovery: `${discoverPrefix}.${clusterId}`,
    publish: `_STAN.pub.${clusterId}`,
    subscribe: `_STAN.sub.${clusterId}`,
    unsubscribe: `_STAN.unsub.${clusterId}`,
    close: `_STAN.close.${clusterId}`,
    subClose: `_STAN.subclose.${clusterId}`,
    acksSubs: `_STAN.ack.${clusterId}`,
    nodeId: '',
  };
}

/** What a StanServer tells observers (the embedding API): listeners run synchronously, so they must not throw. */
export interface StanEvents {
  clientConnected: [clientId: string];
  channelCreated: [channel: string];
}

export class StanServer implements StanContext, Activity {
  readonly events = new EventEmitter<StanEvents>();
  readonly clients: Clients;
  readonly channels: Channels;
  readonly delivery: Delivery;
  readonly applier: Applier;
  readonly sequencer: Sequencer;
  readonly started = new Date();
  /** A random NUID per process start, as the Go server's serverID (monitoring, FT heartbeats). */
  readonly serverId = nuid.next();
  /** The FT group membership (ft.ts) with --ft_group; undefined when standalone. */
  ft: { readonly state: FtState; stop(): void } | undefined;
  info: ServerInfo;
  /** With `partitioning: true`: the channels this server owns (partitions.ts). */
  partitions: Partitions | undefined;
  readonly #listening: TransportSub[] = [];
  #expiry: TimerHandle | undefined;

  constructor(
    readonly opts: StanOptions,
    readonly store: Store,
    readonly transport: NatsTransport,
    readonly log: Logger,
    readonly clock: Clock = realClock,
  ) {
    this.info = freshServerInfo(opts.clusterId, opts.discoverPrefix);
    this.delivery = new Delivery(transport, clock, (text) => log.error(text));
    this.channels = new Channels(store, opts.storeLimits);
    this.channels.onCreated = (c) => this.events.emit('channelCreated', c.name);
    this.clients = new Clients(opts, transport, log, clock, (c, why) =>
      this.sequencer.submit({ kind: OpKind.Disconnect, clientId: c.id, why, hbInbox: c.info.hbInbox, reply: undefined }),
    );
    this.applier = new Applier(store, this.channels, this.clients, log, opts.replaceDurable, this, clock);
    const completer = new Completer(transport, this.delivery, log, () => this.info);
    this.sequencer = new Sequencer(transport, this.delivery, this.applier, completer, this.channels, log, opts.ioBatchSize);
  }

  async start(): Promise<void> {
    if (this.opts.partitioning) {
      // As Go: refused before recovery when another server claims one of our channels.
      this.partitions = new Partitions(this.transport, this.opts.clusterId, this.opts.storeLimits.perChannel.keys(), this.log);
      this.partitions.listen();
      try {
        await this.partitions.check(this.opts.partitionsReplyWaitMs);
      } catch (err) {
        this.partitions.stop();
        throw err;
      }
    }
    const rec = await this.store.recover();
    if (rec.info !== undefined) {
      // Subjects persisted by an earlier run win over freshly generated ones.
      this.info = { ...rec.info, subClose: rec.info.subClose || `_STAN.subclose.${rec.info.clusterId}` };
      if (rec.info.clusterId !== this.opts.clusterId) {
        throw new Error(`the store belongs to cluster "${rec.info.clusterId}", not "${this.opts.clusterId}"`);
      }
    }
    this.store.init(this.info);
    for (const ci of rec.clients) this.clients.add(ci);
    for (const rc of rec.channels) this.#recoverChannel(rc);
    const on = (subject: string, h: MsgHandler) => this.#listening.push(this.transport.subscribe(subject, h));
    const i = this.info;
    on(i.discovery, (_s, reply, data) => void this.#guard(handleConnect(this, copy(data), reply)));
    on(`${i.discovery}.pings`, (_s, reply, data) => handlePing(this, data, reply));
    // Partitioning: the publishes of our channels only; the other servers take theirs.
    for (const ch of this.partitions?.channels ?? ['>']) on(`${i.publish}.${ch}`, (_s, reply, data) => handlePublish(this, data, reply));
    on(i.subscribe, (_s, reply, data) => handleSubscribe(this, data, reply));
    on(i.unsubscribe, (_s, reply, data) => handleUnsubscribe(this, data, reply, false));
    on(i.subClose, (_s, reply, data) => handleUnsubscribe(this, data, reply, true));
    on(i.close, (_s, reply, data) => handleClose(this, data, reply));
    this.#scheduleExpiry();
  }

  async shutdown(): Promise<void> {
    this.ft?.stop();
    for (const s of this.#listening.splice(0)) s.unsubscribe();
    this.partitions?.stop();
    this.clock.clearTimer(this.#expiry);
    await this.sequencer.drained();
    this.clients.stopAll();
    for (const c of this.channels.values()) for (const sub of c.subs) this.delivery.stop(sub);
    try {
      await this.store.flush();
    } catch (err) {
      // A failed store (a full disk) logged why; shutting down goes on.
      this.log.error(`STREAM: Unable to flush the store at shutdown: ${(err as Error).message}`);
    }
    await this.store.close();
    await this.transport.close();
  }

  /**
   * Replaces the store limits (config reload): each channel whose effective
   * limits change gets them at once (its store dropping what they no longer
   * allow) and is offered what became deliverable; new channels get them
   * when created.
   */
  setStoreLimits(limits: StoreLimits): void {
    this.opts.storeLimits = limits;
    this.channels.limits = limits;
    for (const c of this.channels.values()) {
      const l = this.channels.limitsFor(c.name);
      if (isDeepStrictEqual(l, c.limits)) continue;
      c.limits = l;
      c.msgs.setLimits(l);
      this.delivery.sendAvailable(c);
    }
  }

  // ---- Activity: the active server's effects of state changes (apply.ts) ----

  attached(sub: StanSub): void {
    sub.ackSub = this.transport.subscribe(sub.state.ackInbox, this.#ackHandler(sub));
  }

  detached(sub: StanSub): void {
    this.delivery.stop(sub);
    sub.ackSub?.unsubscribe();
    sub.ackSub = undefined;
  }

  moved(to: StanSub, seq: number): void {
    this.delivery.moved(to, seq);
  }

  groupChanged(c: Channel, g: QueueGroup): void {
    this.delivery.sendToGroup(c, g);
  }

  clientConnected(clientId: string): void {
    this.events.emit('clientConnected', clientId);
  }

  channelDeleted(c: Channel): void {
    for (const sub of c.subs) {
      this.delivery.stop(sub);
      sub.ackSub?.unsubscribe();
    }
  }

  #ackHandler(sub: StanSub): MsgHandler {
    return (_s, _reply, data) => {
      let ack;
      try {
        ack = decodeAck(data);
      } catch {
        return;
      }
      if (ack.subject !== sub.channel.name) return;
      this.delivery.ack(sub, ack.sequence);
    };
  }

  /** Rebuilds a channel and its subscriptions from the store. */
  #recoverChannel(rc: RecoveredChannel): void {
    const c = this.channels.add(new Channel(rc.name, rc.msgs, rc.subs, this.channels.limitsFor(rc.name)));
    rc.msgs.setLimits(c.limits);
    c.deliverable = rc.msgs.lastSeq;
    // Recovery reads the store synchronously (timestampOf): nothing else runs yet.
    // Timestamps stay monotonic across the restart, even if the clock went back.
    c.lastTimestamp = rc.msgs.timestampOf(rc.msgs.lastSeq) ?? 0n;
    const started: StanSub[] = [];
    for (const { state, pending } of rc.recovered) {
      const sub = new StanSub(state, c);
      // A recovered pending message expires AckWait after its timestamp.
      for (const seq of pending) sub.pending.set(seq, expiryOf(rc.msgs.timestampOf(seq), state.ackWaitInSecs, this.clock));
      c.subs.add(sub);
      if (state.id >= c.nextSubId) c.nextSubId = state.id + 1;
      const client = state.clientId ? this.clients.get(state.clientId) : undefined;
      if (state.qGroup !== '') {
        let g = c.queues.get(state.qGroup);
        if (g === undefined) {
          g = new QueueGroup(state.qGroup, state.qGroup.includes(':'));
          c.queues.set(state.qGroup, g);
        }
        if (state.lastSent > g.lastSent) g.lastSent = state.lastSent;
        sub.group = g;
        if (client === undefined) g.shadow = sub;
        else g.members.push(sub);
      } else {
        if (state.isDurable) c.durables.set(StanSub.durableKey(state.clientId, c.name, state.durableName), sub);
        if (client !== undefined && !state.isClosed) c.plain.add(sub);
      }
      if (client !== undefined && !(state.isDurable && state.isClosed)) {
        this.applier.subs.reattach(client, sub);
        started.push(sub);
      }
    }
    for (const sub of started) this.delivery.start(sub);
  }

  /**
   * About once a second (as the Go server): removes messages past max_age,
   * and deletes channels idle past max_inactivity (no active subscription
   * and no new message for that long).
   */
  #scheduleExpiry(): void {
    this.#expiry = this.clock.setTimer(() => {
      const nowMs = this.clock.now();
      const now = BigInt(nowMs) * 1_000_000n;
      for (const c of [...this.channels.values()]) {
        // A store failing on one channel must neither end the process
        // (this is a timer) nor stop the sweep of the others.
        try {
          if (c.limits.maxAgeMs > 0 && c.msgs.expire(now) > 0) this.delivery.sendAvailable(c);
          const idle = c.limits.maxInactivityMs;
          if (idle > 0 && nowMs - c.lastActive >= idle && !c.hasActiveSubs()) {
            this.sequencer.applyNow({ kind: OpKind.DeleteChannel, channel: c.name });
          }
        } catch (err) {
          this.log.error(`STREAM: Error expiring channel "${c.name}": ${(err as Error).stack ?? err}`);
        }
      }
      this.#scheduleExpiry();
    }, 1000);
  }

  async #guard(p: Promise<void>): Promise<void> {
    try {
      await p;
    } catch (err) {
      this.log.error(`STREAM: ${(err as Error).stack ?? err}`);
    }
  }
}

/** When a recovered pending message expires: its timestamp plus AckWait (now if it is gone). */
function expiryOf(ts: bigint | undefined, ackWaitInSecs: number, clock: Clock): number {
  return ts === undefined ? clock.now() : Number(ts / 1_000_000n) + ackWaitInSecs * 1000;
}

/** Request bytes that outlive the delivery call. */
function copy(data: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(data);
}
