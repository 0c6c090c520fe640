// The store contract (STAN-REFERENCE §5, §8.3; nats-streaming-server's
// stores/store.go): what the streaming layer persists and recovers. The
// memory store implements it now; the file and SQL stores implement the
// same contract, and test/stores/contract.ts runs one suite over each.
//
// Writes are synchronous calls that may buffer; flush() resolves once
// everything written before it is durable (for the file store with
// file_sync: fsynced). The streaming layer sends a PubAck only after the
// flush that covers the message.

// The limits' shape is shared with the option schema (src/config), which
// builds them from flags and files; it lives below both.
import type { ChannelLimits, StoreLimits } from '../limits/store-limits.js';
export type { ChannelLimits, StoreLimits } from '../limits/store-limits.js';

/** Go server defaults (§2.9, §7.2). */
export const DEFAULT_STORE_LIMITS: Readonly<Omit<StoreLimits, 'perChannel'>> = {
  maxChannels: 100,
  maxSubscriptions: 1000,
  maxMsgs: 1_000_000,
  maxBytes: 1_024_000_000,
  maxAgeMs: 0,
  maxInactivityMs: 0,
};

/** spb.ServerInfo (§3.2): the subjects a fresh server generated, kept across restarts. */
export interface ServerInfo {
  clusterId: string;
  discovery: string;
  publish: string;
  subscribe: string;
  unsubscribe: string;
  close: string;
  subClose: string;
  acksSubs: string;
  nodeId: string;
}

/** spb.ClientInfo. */
export interface ClientInfo {
  id: string;
  hbInbox: string;
  connId: Uint8Array;
  protocol: number;
  pingInterval: number;
  pingMaxOut: number;
}

/**
 * A stored message (pb.MsgProto without the delivery-time fields).
 * `timestamp` is Unix nanoseconds as a bigint.
 */
export interface StoredMsg {
  sequence: number;
  subject: string;
  reply: string;
  data: Uint8Array;
  timestamp: bigint;
}

/** spb.SubState. */
export interface SubState {
  id: number;
  clientId: string;
  qGroup: string;
  inbox: string;
  ackInbox: string;
  maxInFlight: number;
  ackWaitInSecs: number;
  durableName: string;
  lastSent: number;
  isDurable: boolean;
  isClosed: boolean;
}

/** A subscription as recovered: its state and its pending (sent, unacked) sequences. */
export interface RecoveredSub {
  state: SubState;
  pending: number[];
}

export interface RecoveredChannel {
  name: string;
  msgs: MsgStore;
  subs: SubStore;
  recovered: RecoveredSub[];
}

/** Everything a store holds at startup. */
export interface RecoveredState {
  info: ServerInfo | undefined;
  clients: ClientInfo[];
  channels: RecoveredChannel[];
}

export interface MsgStoreState {
  firstSeq: number;
  lastSeq: number;
  msgs: number;
  bytes: number;
}

/** The messages of one channel. */
export interface MsgStore {
  /**
   * Appends a message with the next sequence (lastSeq + 1) and returns it.
   * May drop the oldest messages to honour the limits (never the new one).
   */
  store(data: Uint8Array, reply: string, timestamp: bigint): number;
  /**
   * The message with this sequence, or undefined if absent (dropped, never
   * stored). Synchronous and possibly blocking on I/O: for recovery, tools
   * and tests; the delivery path uses cached() and read().
   */
  lookup(seq: number): StoredMsg | undefined;
  /**
   * The message if the store holds it in memory, without any I/O (the
   * memory store: always; the file store: its recent cache). undefined
   * means "not in memory, read() it", not "absent".
   */
  cached(seq: number): StoredMsg | undefined;
  /**
   * Up to `max` stored messages with sequences >= `from`, in sequence
   * order and without a gap; absent ones (dropped by limits) are skipped,
   * so the result may start past `from`. It may be shorter than `max`
   * before lastSeq too: a store bounds the bytes of one batch (the file
   * store: 4 MiB) and stops before a message it cannot read; read on from
   * the last sequence + 1. Resolves to [] only when nothing is stored at or
   * after `from`; rejects (StoreError) when the message at the start
   * cannot be read or the store is closed. Disk or database reads happen
   * off the event loop.
   */
  read(from: number, max: number): Promise<StoredMsg[]>;
  /**
   * The message as an encoded pb.MsgProto {sequence, subject, reply, data,
   * timestamp}, ready to deliver (a redelivery appends fields 6 and 7).
   * Optional: stores that keep the record encoded serve it without a copy;
   * the bytes must never change while anyone holds them.
   */
  encoded?(seq: number): Uint8Array | undefined;
  /** Timestamp of a stored message, without building the message. */
  timestampOf(seq: number): bigint | undefined;
  /**
   * First sequence whose timestamp is >= ts (lastSeq + 1 if none; 0 if
   * empty). Synchronous: for stores that keep timestamps in memory; the
   * streaming layer uses seqFromTimestamp().
   */
  firstSeqAtOrAfter(ts: bigint): number;
  /** firstSeqAtOrAfter() for any store (Go's GetSequenceFromTimestamp); may do I/O. */
  seqFromTimestamp(ts: bigint): Promise<number>;
  state(): MsgStoreState;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Applies (new) limits, dropping the oldest messages beyond them. */
  setLimits(limits: ChannelLimits): void;
  /** Removes messages older than max_age; returns how many were removed. */
  expire(nowNs: bigint): number;
  /** Everything written so far is durable once this resolves. */
  flush(): Promise<void> | void;
  close(): Promise<void> | void;
}

/** The subscriptions of one channel: their states and acknowledgement log. */
export interface SubStore {
  /** Persists a new subscription; assigns state.id when it is 0. */
  create(state: SubState): void;
  /** Persists a changed state (durable closed, resumed with new inboxes...). */
  update(state: SubState): void;
  delete(id: number): void;
  /** A message was sent to the subscription (it becomes pending). */
  sent(id: number, seq: number): void;
  /** A pending message was acknowledged. */
  acked(id: number, seq: number): void;
  flush(): Promise<void> | void;
  close(): Promise<void> | void;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

/** A whole store: server info, clients, channels. */
export interface Store {
  /** `MEMORY`, `FILE` or `SQL`, as /streaming/storez shows it. */
  readonly type: string;
  /**
   * Tries to take exclusive ownership of the datastore, without waiting:
   * true once this store holds it (again true on later calls), false while
   * another process does (an FT standby tries again later). The memory
   * store always owns itself.
   */
  lock(): Promise<boolean>;
  /** Loads what the store holds (empty for a new store). Called once, first. */
  recover(): Promise<RecoveredState>;
  init(info: ServerInfo): void;
  addClient(info: ClientInfo): void;
  deleteClient(id: string): void;
  /** Creates the stores of a new channel, with its effective limits. */
  createChannel(name: string, limits: ChannelLimits): { msgs: MsgStore; subs: SubStore };
  deleteChannel(name: string): void;
  /**
   * Why writes are refused now (a failed commit the store has not
   * recovered from yet: a full disk...), else undefined. A request that
   * writes is refused with it before it changes anything. Optional: a
   * store without it never fails ahead of a write.
   */
  writeFailure?(): StoreError | undefined;
  flush(): Promise<void> | void;
  /** Never rejects: a store that could not write what is left has logged why. */
  close(): Promise<void>;
}
