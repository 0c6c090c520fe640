// The payloads of server.dat, clients.dat and subs.dat records
// (STAN-REFERENCE §3.2, §5.3, §5.5): the store's types to and from the spb
// messages. The rare records go through the protobufjs codecs of
// streaming/pb/spb.ts; the per-message SubStateUpdate is read by hand.

import {
  ClientDelete as ClientDeleteCodec,
  ClientInfo as ClientInfoCodec,
  ServerInfo as ServerInfoCodec,
  SubState as SubStateCodec,
  SubStateDelete as SubStateDeleteCodec,
  SubStateUpdate as SubStateUpdateCodec,
} from '../../streaming/pb/spb.js';
import type { ClientInfo, ServerInfo, SubState } from '../store.js';

export function encodeServerInfo(i: ServerInfo): Buffer {
  return ServerInfoCodec.encode({
    ClusterID: i.clusterId,
    Discovery: i.discovery,
    Publish: i.publish,
    Subscribe: i.subscribe,
    Unsubscribe: i.unsubscribe,
    Close: i.close,
    SubClose: i.subClose,
    AcksSubs: i.acksSubs,
    NodeID: i.nodeId,
  });
}

export function decodeServerInfo(b: Uint8Array): ServerInfo {
  const i = ServerInfoCodec.decode(b);
  return {
    clusterId: i.ClusterID,
    discovery: i.Discovery,
    publish: i.Publish,
    subscribe: i.Subscribe,
    unsubscribe: i.Unsubscribe,
    close: i.Close,
    subClose: i.SubClose,
    acksSubs: i.AcksSubs,
    nodeId: i.NodeID,
  };
}

export function encodeClientInfo(c: ClientInfo): Buffer {
  return ClientInfoCodec.encode({
    ID: c.id,
    HbInbox: c.hbInbox,
    ConnID: c.connId,
    Protocol: c.protocol,
    PingInterval: c.pingInterval,
    PingMaxOut: c.pingMaxOut,
  });
}

/** The decoded client owns its bytes (record payloads are transient views). */
export function decodeClientInfo(b: Uint8Array): ClientInfo {
  const c = ClientInfoCodec.decode(b);
  return {
    id: c.ID,
    hbInbox: c.HbInbox,
    connId: new Uint8Array(c.ConnID),
    protocol: c.Protocol,
    pingInterval: c.PingInterval,
    pingMaxOut: c.PingMaxOut,
  };
}

export function encodeClientDelete(id: string): Buffer {
  return ClientDeleteCodec.encode({ ID: id });
}

export function decodeClientDelete(b: Uint8Array): string {
  return ClientDeleteCodec.decode(b).ID;
}

export function encodeSubState(s: SubState): Buffer {
  return SubStateCodec.encode({
    ID: s.id,
    clientID: s.clientId,
    qGroup: s.qGroup,
    inbox: s.inbox,
    ackInbox: s.ackInbox,
    maxInFlight: s.maxInFlight,
    ackWaitInSecs: s.ackWaitInSecs,
    durableName: s.durableName,
    lastSent: s.lastSent,
    isDurable: s.isDurable,
    isClosed: s.isClosed,
  });
}

export function decodeSubState(b: Uint8Array): SubState {
  const s = SubStateCodec.decode(b);
  return {
    id: s.ID,
    clientId: s.clientID,
    qGroup: s.qGroup,
    inbox: s.inbox,
    ackInbox: s.ackInbox,
    maxInFlight: s.maxInFlight,
    ackWaitInSecs: s.ackWaitInSecs,
    durableName: s.durableName,
    lastSent: s.lastSent,
    isDurable: s.isDurable,
    isClosed: s.isClosed,
  };
}

export function decodeSubDelete(b: Uint8Array): number {
  return SubStateDeleteCodec.decode(b).ID;
}

/** Scratch result of decodeSubUpdate (one per call, overwritten). */
export const subUpdate = { id: 0, seq: 0 };

/**
 * Decodes SubStateUpdate{ID, seqno} into `subUpdate`. The common shape
 * (fields 1 and 2 as varints) is read by hand; anything else goes through
 * the protobufjs codec.
 */
export function decodeSubUpdate(b: Uint8Array): typeof subUpdate {
  let id = 0;
  let seq = 0;
  let p = 0;
  while (p < b.length) {
    const tag = b[p++];
    if (tag !== 0x08 && tag !== 0x10) return slowSubUpdate(b);
    let v = 0;
    let mul = 1;
    for (;;) {
      if (p >= b.length || mul > 2 ** 49) return slowSubUpdate(b);
      const x = b[p++]!;
      v += (x & 0x7f) * mul;
      mul *= 128;
      if (x < 0x80) break;
    }
    if (tag === 0x08) id = v;
    else seq = v;
  }
  subUpdate.id = id;
  subUpdate.seq = seq;
  return subUpdate;
}

function slowSubUpdate(b: Uint8Array): typeof subUpdate {
  const u = SubStateUpdateCodec.decode(b);
  subUpdate.id = u.ID;
  subUpdate.seq = u.seqno;
  return subUpdate;
}
