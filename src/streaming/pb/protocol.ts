// The client protocol messages of NATS Streaming, `package pb`
// (STAN-REFERENCE §3.1; stan.go pb/protocol.proto, without the gogo
// options). Field numbers are the wire contract: do not renumber.
// Number mapping and decoding rules: see codec.ts. Flat messages are coded
// from this text by flat.ts; protobufjs parses it only for the rest. The per-message hot
// paths (PubMsg, PubAck, MsgProto, Ack) have hand-written twins in fast.ts.

import { parseSchemas, type MessageCodec } from './codec.js';
import { codecOf, flatSchemas } from './flat.js';

export type { Init, MessageCodec } from './codec.js';

/** pb/protocol.proto as proto3 text: the source of the codecs below. */
export const PB_PROTO = `
syntax = "proto3";
package pb;

message PubMsg {
  string clientID = 1;
  string guid = 2;
  string subject = 3;
  string reply = 4;
  bytes data = 5;
  bytes connID = 6;
  bytes sha256 = 10;
}

message PubAck {
  string guid = 1;
  string error = 2;
}

message MsgProto {
  uint64 sequence = 1;
  string subject = 2;
  string reply = 3;
  bytes data = 4;
  int64 timestamp = 5;
  bool redelivered = 6;
  uint32 redeliveryCount = 7;
  uint32 CRC32 = 10;
}

message Ack {
  string subject = 1;
  uint64 sequence = 2;
}

message ConnectRequest {
  string clientID = 1;
  string heartbeatInbox = 2;
  int32 protocol = 3;
  bytes connID = 4;
  int32 pingInterval = 5;
  int32 pingMaxOut = 6;
}

message ConnectResponse {
  string pubPrefix = 1;
  string subRequests = 2;
  string unsubRequests = 3;
  string closeRequests = 4;
  string error = 5;
  string subCloseRequests = 6;
  string pingRequests = 7;
  int32 pingInterval = 8;
  int32 pingMaxOut = 9;
  int32 protocol = 10;
  string publicKey = 100;
}

message Ping {
  bytes connID = 1;
}

message PingResponse {
  string error = 1;
}

enum StartPosition {
  NewOnly = 0;
  LastReceived = 1;
  TimeDeltaStart = 2;
  SequenceStart = 3;
  First = 4;
}

message SubscriptionRequest {
  string clientID = 1;
  string subject = 2;
  string qGroup = 3;
  string inbox = 4;
  int32 maxInFlight = 5;
  int32 ackWaitInSecs = 6;
  string durableName = 7;
  StartPosition startPosition = 10;
  uint64 startSequence = 11;
  int64 startTimeDelta = 12;
}

message SubscriptionResponse {
  string ackInbox = 2;
  string error = 3;
}

message UnsubscribeRequest {
  string clientID = 1;
  string subject = 2;
  string inbox = 3;
  string durableName = 4;
}

message CloseRequest {
  string clientID = 1;
}

message CloseResponse {
  string error = 1;
}
`;

/** Where a new subscription starts. */
export const StartPosition = {
  NewOnly: 0,
  LastReceived: 1,
  TimeDeltaStart: 2,
  SequenceStart: 3,
  First: 4,
} as const;
export type StartPosition = (typeof StartPosition)[keyof typeof StartPosition];

/** client -> server on <pubPrefix>.<channel>. */
export interface PubMsg {
  clientID: string;
  guid: string;
  /** The channel. */
  subject: string;
  reply: string;
  data: Uint8Array;
  connID: Uint8Array;
  sha256: Uint8Array;
}

/** server -> client; an empty error is success. */
export interface PubAck {
  guid: string;
  error: string;
}

/** server -> client on the delivery inbox; also the stored record. */
export interface MsgProto {
  sequence: number;
  subject: string;
  reply: string;
  data: Uint8Array;
  /** Unix nanoseconds. */
  timestamp: bigint;
  redelivered: boolean;
  redeliveryCount: number;
  CRC32: number;
}

/** client -> server on the subscription's ackInbox. */
export interface Ack {
  subject: string;
  sequence: number;
}

export interface ConnectRequest {
  clientID: string;
  heartbeatInbox: string;
  protocol: number;
  connID: Uint8Array;
  pingInterval: number;
  pingMaxOut: number;
}

export interface ConnectResponse {
  pubPrefix: string;
  subRequests: string;
  unsubRequests: string;
  closeRequests: string;
  error: string;
  subCloseRequests: string;
  pingRequests: string;
  pingInterval: number;
  pingMaxOut: number;
  protocol: number;
  publicKey: string;
}

export interface Ping {
  connID: Uint8Array;
}

export interface PingResponse {
  error: string;
}

export interface SubscriptionRequest {
  clientID: string;
  subject: string;
  qGroup: string;
  inbox: string;
  maxInFlight: number;
  ackWaitInSecs: number;
  durableName: string;
  /** A StartPosition value; out-of-range numbers come through as sent. */
  startPosition: number;
  startSequence: number;
  /** Nanoseconds before now. */
  startTimeDelta: bigint;
}

/** Response to sub, unsub and sub-close requests (fields start at 2). */
export interface SubscriptionResponse {
  ackInbox: string;
  error: string;
}

export interface UnsubscribeRequest {
  clientID: string;
  subject: string;
  /** The ackInbox (or the delivery inbox after a sub-request timeout). */
  inbox: string;
  durableName: string;
}

export interface CloseRequest {
  clientID: string;
}

export interface CloseResponse {
  error: string;
}

/** The parsed `pb` schema. */
export const pbRoot = parseSchemas(PB_PROTO);
const flat = flatSchemas(PB_PROTO);

export const PubMsg: MessageCodec<PubMsg> = codecOf(flat, pbRoot, 'pb.PubMsg');
export const PubAck: MessageCodec<PubAck> = codecOf(flat, pbRoot, 'pb.PubAck');
export const MsgProto: MessageCodec<MsgProto> = codecOf(flat, pbRoot, 'pb.MsgProto');
export const Ack: MessageCodec<Ack> = codecOf(flat, pbRoot, 'pb.Ack');
export const ConnectRequest: MessageCodec<ConnectRequest> = codecOf(flat, pbRoot, 'pb.ConnectRequest');
export const ConnectResponse: MessageCodec<ConnectResponse> = codecOf(flat, pbRoot, 'pb.ConnectResponse');
export const Ping: MessageCodec<Ping> = codecOf(flat, pbRoot, 'pb.Ping');
export const PingResponse: MessageCodec<PingResponse> = codecOf(flat, pbRoot, 'pb.PingResponse');
export const SubscriptionRequest: MessageCodec<SubscriptionRequest> = codecOf(flat, pbRoot, 'pb.SubscriptionRequest');
export const SubscriptionResponse: MessageCodec<SubscriptionResponse> = codecOf(flat, pbRoot, 'pb.SubscriptionResponse');
export const UnsubscribeRequest: MessageCodec<UnsubscribeRequest> = codecOf(flat, pbRoot, 'pb.UnsubscribeRequest');
export const CloseRequest: MessageCodec<CloseRequest> = codecOf(flat, pbRoot, 'pb.CloseRequest');
export const CloseResponse: MessageCodec<CloseResponse> = codecOf(flat, pbRoot, 'pb.CloseResponse');
