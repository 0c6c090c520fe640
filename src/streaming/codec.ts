// The streaming protocol messages as the handlers use them: PubMsg, Ack and
// the delivered MsgProto through the hand-written codecs of pb/hot.ts (they
// win bench/pb.ts), the rest through the generated codecs of pb/protocol.ts.

import type { StoredMsg } from '../stores/store.js';
import { decodeAck as hotDecodeAck, decodePubMsg as hotDecodePubMsg, encodeMsgProto, msgProtoSize } from '../pb/hot.js';
import type { AckView, PubMsgView } from '../pb/hot.js';
import * as pb from '../pb/protocol.js';
import { CtrlMsg } from '../pb/spb/ctrl.js';

export function decodePubMsg(data: Uint8Array): PubMsgView {
  return hotDecodePubMsg(data);
}

export function encodePubAck(guid: string, error = ''): Uint8Array {
  return pb.PubAck.encode({ guid, error });
}

export function decodeAck(data: Uint8Array): AckView {
  return hotDecodeAck(data);
}

/** The MsgProto of a stored message as delivered to a subscription. */
export function encodeMsg(channel: string, m: StoredMsg, redelivered: boolean, count: number): Uint8Array {
  const size = msgProtoSize(m.sequence, channel, m.reply, m.data, m.timestamp, redelivered, count);
  const out = Buffer.allocUnsafe(size);
  encodeMsgProto(out, 0, m.sequence, channel, m.reply, m.data, m.timestamp, redelivered, count);
  return out;
}

/** Whether bytes that are not a PubMsg are a legacy spb.CtrlMsg (ignored). */
export function isCtrlMsg(data: Uint8Array): boolean {
  try {
    CtrlMsg.decode(data);
    return true;
  } catch {
    return false;
  }
}

export function decodeConnectRequest(data: Uint8Array): pb.ConnectRequest {
  return pb.ConnectRequest.decode(data);
}

export function encodeConnectResponse(r: pb.Init<pb.ConnectResponse>): Uint8Array {
  return pb.ConnectResponse.encode(r);
}

export function decodeSubscriptionRequest(data: Uint8Array): pb.SubscriptionRequest {
  return pb.SubscriptionRequest.decode(data);
}

export function encodeSubscriptionResponse(r: pb.Init<pb.SubscriptionResponse>): Uint8Array {
  return pb.SubscriptionResponse.encode(r);
}

export function decodeUnsubscribeRequest(data: Uint8Array): pb.UnsubscribeRequest {
  return pb.UnsubscribeRequest.decode(data);
}

export function decodeCloseRequest(data: Uint8Array): pb.CloseRequest {
  return pb.CloseRequest.decode(data);
}

export function encodeCloseResponse(error?: string): Uint8Array {
  return pb.CloseResponse.encode(error ? { error } : {});
}

export function decodePing(data: Uint8Array): pb.Ping {
  return pb.Ping.decode(data);
}

export function encodePingResponse(error?: string): Uint8Array {
  return pb.PingResponse.encode(error ? { error } : {});
}
