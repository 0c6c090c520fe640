// State changes as data (the shape of spb.RaftOperation in the Go server,
// STAN-REFERENCE §3): every change to the clients, channels, subscriptions
// and the store is one of these operations. Handlers validate a request
// and build one; the sequencer (sequencer.ts) orders them and hands them
// to apply.ts, the only code that changes the model and the store.
//
// Values the active server decides (message timestamps, subscription ids
// and ack inboxes, start positions, the time of a request) travel inside
// the operation, so applying the same operations in the same order reaches
// the same state: what a standby or a replica will do.
//
// `reply` fields say where the completion goes (a response, a PubAck);
// they are not applied.

import type { ClientInfo } from '../stores/store.js';
import type { SubscriptionRequest } from '../pb/protocol.js';

/** RaftOperation.Type's counterparts. */
export const OpKind = {
  Publish: 'publish',
  Connect: 'connect',
  Disconnect: 'disconnect',
  Subscribe: 'subscribe',
  RemoveSub: 'removeSub',
  SentAndAck: 'sentAndAck',
  DeleteChannel: 'deleteChannel',
} as const;

/**
 * One message of a publish batch (Go batches them in one operation; here
 * the batch is what the sequencer completes together). Applied at once:
 * the sequencer does not keep the object, so a handler may reuse one.
 */
export interface PublishOp {
  kind: typeof OpKind.Publish;
  channel: string;
  /** Valid for the duration of the apply (may be a view into a read buffer). */
  data: Uint8Array;
  reply: string;
  /** Unix ns, decided by the active server, monotonic per channel. */
  timestamp: bigint;
}

/** A client registers (spb.AddClient). `replace`: an older one with the ID stopped answering. */
export interface ConnectOp {
  kind: typeof OpKind.Connect;
  info: ClientInfo;
  replace: boolean;
  /** Where the ConnectResponse goes. */
  reply: string;
}

/** A client leaves (a CloseRequest, missed heartbeats, replaced). */
export interface DisconnectOp {
  kind: typeof OpKind.Disconnect;
  clientId: string;
  /** For the log: "close request", "heartbeat timeout"... */
  why: string;
  /** Set when the server closes it (heartbeats): only that connection, not a newer one with the ID. */
  hbInbox: string | undefined;
  /** Where the CloseResponse goes (only for a CloseRequest). */
  reply: string | undefined;
}

/** A subscription request (spb.AddSubscription). */
export interface SubscribeOp {
  kind: typeof OpKind.Subscribe;
  request: SubscriptionRequest;
  /** The ack inbox a new or resumed subscription listens on. */
  ackInbox: string;
  /** The id of a new subscription (decided just before apply). */
  id: number;
  /** The last sequence "sent" for a new subscription or group: its start position, resolved. */
  startSeq: number;
  /** When the request arrived (ms since epoch): TimeDeltaStart counts from it. */
  at: number;
  /** Where the SubscriptionResponse goes. */
  reply: string;
}

/** An unsubscribe or subscription close (pb.UnsubscribeRequest; RemoveSubscription / CloseSubscription). */
export interface RemoveSubOp {
  kind: typeof OpKind.RemoveSub;
  clientId: string;
  channel: string;
  /** The subscription's ack inbox or delivery inbox. */
  inbox: string;
  close: boolean;
  reply: string | undefined;
}

/**
 * Messages sent to and acknowledged by one subscription (spb.SubSentAndAck).
 * Delivery applies each sent or ack as it happens through the same
 * functions (apply.ts sent()/acked()) without building this object: one
 * per message would be an allocation on the hot path.
 */
export interface SentAndAckOp {
  kind: typeof OpKind.SentAndAck;
  channel: string;
  subId: number;
  sent: number[];
  acked: number[];
}

/** An inactive channel is deleted (max_inactivity). */
export interface DeleteChannelOp {
  kind: typeof OpKind.DeleteChannel;
  channel: string;
}

export type Op = PublishOp | ConnectOp | DisconnectOp | SubscribeOp | RemoveSubOp | SentAndAckOp | DeleteChannelOp;
/** The operations the sequencer queues behind earlier publishes (all but publish). */
export type ControlOp = Exclude<Op, PublishOp>;
