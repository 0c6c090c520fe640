// Shared fixtures of the store tests: limits, states and infos to write,
// and a bulk message writer.

import type { ChannelLimits, ClientInfo, MsgStore, ServerInfo, SubState } from '../../src/stores/store.js';

/** Channel limits with everything unlimited except `over`. */
export function limitsOf(over: Partial<ChannelLimits> = {}): ChannelLimits {
  return { maxSubscriptions: 0, maxMsgs: 0, maxBytes: 0, maxAgeMs: 0, maxInactivityMs: 0, ...over };
}

export function serverInfo(clusterId = 'test-cluster'): ServerInfo {
  return {
    clusterId,
    discovery: `_STAN.discover.${clusterId}`,
    publish: '_STAN.pub.abc',
    subscribe: '_STAN.sub.abc',
    unsubscribe: '_STAN.unsub.abc',
    close: '_STAN.close.abc',
    subClose: '_STAN.subclose.abc',
    acksSubs: '_STAN.ack.abc',
    nodeId: '',
  };
}

export function clientInfo(id: string): ClientInfo {
  return {
    id,
    hbInbox: `_INBOX.${id}`,
    connId: new TextEncoder().encode(`conn-${id}`),
    protocol: 1,
    pingInterval: 5,
    pingMaxOut: 3,
  };
}

export function subState(over: Partial<SubState> = {}): SubState {
  return {
    id: 0,
    clientId: 'me',
    qGroup: '',
    inbox: '_INBOX.sub',
    ackInbox: '_INBOX.ack',
    maxInFlight: 1024,
    ackWaitInSecs: 30,
    durableName: '',
    lastSent: 0,
    isDurable: false,
    isClosed: false,
    ...over,
  };
}

const enc = new TextEncoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
/** A realistic timestamp (ns), beyond 2^53 so precision loss would show. */
export const T0 = 1_700_000_000_123_456_789n;
export const MS = 1_000_000n;

/** Stores n messages of `size` bytes, timestamps ts, ts+1...; returns their sequences. */
export function storeN(msgs: MsgStore, n: number, size = 10, ts = T0): number[] {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push(msgs.store(new Uint8Array(size).fill(i & 0xff), '', ts + BigInt(i)));
  return seqs;
}

/** Stores messages from..from+n-1 as storeN(msgs, from + n - 1) would have (data and timestamp follow the sequence). */
export function storeFrom(msgs: MsgStore, from: number, n: number): void {
  for (let seq = from; seq < from + n; seq++) {
    const got = msgs.store(new Uint8Array(10).fill((seq - 1) & 0xff), '', T0 + BigInt(seq - 1));
    if (got !== seq) throw new Error(`stored as ${got}, expected ${seq}`);
  }
}
