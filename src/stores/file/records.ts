// The payloads of server.dat, clients.dat and subs.dat records
// (STAN-REFERENCE §3.2, §5.3, §5.5): the store's types to and from the spb
// messages, field names mapped by one table per type. The rare records go
// through the generated codecs of pb/spb.ts; the per-message
// SubStateUpdate is read by hand.

// The codecs' own modules, not the pb/spb.ts barrel: it would load the Raft
// codecs too, which a store never uses.
import {
  ClientDelete as ClientDeleteCodec,
  ClientInfo as ClientInfoCodec,
  ServerInfo as ServerInfoCodec,
  type ClientInfo as SpbClientInfo,
  type ServerInfo as SpbServerInfo,
} from '../../pb/spb/info.js';
import {
  SubState as SubStateCodec,
  SubStateDelete as SubStateDeleteCodec,
  SubStateUpdate as SubStateUpdateCodec,
  type SubState as SpbSubState,
} from '../../pb/spb/sub-state.js';
import type { Init } from '../../pb/codec.js';
import type { ClientInfo, ServerInfo, SubState } from '../store.js';
import { Reader } from '../../pb/wire.js';

/** A store type's field -> the spb message's field of the same value. */
type Names<S, P> = { readonly [K in keyof S]-?: keyof P };

const SERVER_INFO: Names<ServerInfo, SpbServerInfo> = {
  clusterId: 'ClusterID',
  discovery: 'Discovery',
  publish: 'Publish',
  subscribe: 'Subscribe',
  unsubscribe: 'Unsubscribe',
  close: 'Close',
  subClose: 'SubClose',
  acksSubs: 'AcksSubs',
  nodeId: 'NodeID',
};

const CLIENT_INFO: Names<ClientInfo, SpbClientInfo> = {
  id: 'ID',
  hbInbox: 'HbInbox',
  connId: 'ConnID',
  protocol: 'Protocol',
  pingInterval: 'PingInterval',
  pingMaxOut: 'PingMaxOut',
};

const SUB_STATE: Names<SubState, SpbSubState> = {
  id: 'ID',
  clientId: 'clientID',
  qGroup: 'qGroup',
  inbox: 'inbox',
  ackInbox: 'ackInbox',
  maxInFlight: 'maxInFlight',
  ackWaitInSecs: 'ackWaitInSecs',
  durableName: 'durableName',
  lastSent: 'lastSent',
  isDurable: 'isDurable',
  isClosed: 'isClosed',
};

function toSpb<S, P>(s: S, names: Names<S, P>): Init<P> {
  const out: Record<string, unknown> = {};
  for (const k in names) out[names[k] as string] = s[k];
  return out as Init<P>;
}

function fromSpb<S, P>(p: P, names: Names<S, P>): S {
  const out: Record<string, unknown> = {};
  for (const k in names) out[k] = p[names[k]];
  return out as S;
}

export function encodeServerInfo(i: ServerInfo): Buffer {
  return ServerInfoCodec.encode(toSpb(i, SERVER_INFO));
}

export function decodeServerInfo(b: Uint8Array): ServerInfo {
  return fromSpb(ServerInfoCodec.decode(b), SERVER_INFO);
}

export function encodeClientInfo(c: ClientInfo): Buffer {
  return ClientInfoCodec.encode(toSpb(c, CLIENT_INFO));
}

/** The decoded client owns its bytes (record payloads are transient views). */
export function decodeClientInfo(b: Uint8Array): ClientInfo {
  const c = fromSpb(ClientInfoCodec.decode(b), CLIENT_INFO);
  c.connId = new Uint8Array(c.connId);
  return c;
}

export function encodeClientDelete(id: string): Buffer {
  return ClientDeleteCodec.encode({ ID: id });
}

export function decodeClientDelete(b: Uint8Array): string {
  return ClientDeleteCodec.decode(b).ID;
}

export function encodeSubState(s: SubState): Buffer {
  return SubStateCodec.encode(toSpb(s, SUB_STATE));
}

export function decodeSubState(b: Uint8Array): SubState {
  return fromSpb(SubStateCodec.decode(b), SUB_STATE);
}

export function decodeSubDelete(b: Uint8Array): number {
  return SubStateDeleteCodec.decode(b).ID;
}

/** Scratch result of decodeSubUpdate (one per call, overwritten). */
export const subUpdate = { id: 0, seq: 0 };

/** SubStateUpdate's field numbers (1: ID, 2: seqno), for skipUnknown. */
const SUB_UPDATE_FIELDS: readonly number[] = [1, 2];

/**
 * Decodes SubStateUpdate{ID, seqno} into `subUpdate` without allocating
 * (recovery reads one per sent and per acked message). Malformed input
 * goes through the codec, whose error names the message.
 */
export function decodeSubUpdate(b: Uint8Array): typeof subUpdate {
  const end = b.length;
  const r = new Reader(b);
  let id = 0;
  let seq = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 0x08) id = r.varint(end);
      else if (tag === 0x10) seq = r.varint(end);
      else r.skipUnknown(tag, end, SUB_UPDATE_FIELDS);
    }
  } catch {
    const u = SubStateUpdateCodec.decode(b);
    id = u.ID;
    seq = u.seqno;
  }
  subUpdate.id = id;
  subUpdate.seq = seq;
  return subUpdate;
}
