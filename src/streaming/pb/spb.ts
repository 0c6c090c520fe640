// The server-internal messages of NATS Streaming, `package spb`
// (STAN-REFERENCE §3.2; nats-streaming-server spb/protocol.proto without the
// gogo options): FILE/SQL store records, FT heartbeats, partitioning and
// Raft operations. Field numbers are the on-disk contract: do not renumber.
// The Raft messages embed `pb` messages, so both schemas share one root here.
// Number mapping and decoding rules: see codec.ts. Flat messages are coded
// from this text by flat.ts; protobufjs parses it only for the rest.

import { parseSchemas, type MessageCodec } from './codec.js';
import { codecOf, flatSchemas } from './flat.js';
import {
  PB_PROTO,
  type CloseRequest,
  type ConnectRequest,
  type MsgProto,
  type SubscriptionRequest,
  type UnsubscribeRequest,
} from './protocol.js';

/** spb/protocol.proto as proto3 text: the source of the codecs below. */
export const SPB_PROTO = `
syntax = "proto3";
package spb;

message SubState {
  uint64 ID = 1;
  string clientID = 2;
  string qGroup = 3;
  string inbox = 4;
  string ackInbox = 5;
  int32 maxInFlight = 6;
  int32 ackWaitInSecs = 7;
  string durableName = 8;
  uint64 lastSent = 9;
  bool isDurable = 10;
  bool isClosed = 11;
}

message SubStateDelete {
  uint64 ID = 1;
}

message SubStateUpdate {
  uint64 ID = 1;
  uint64 seqno = 2;
}

message ServerInfo {
  string ClusterID = 1;
  string Discovery = 2;
  string Publish = 3;
  string Subscribe = 4;
  string Unsubscribe = 5;
  string Close = 6;
  string SubClose = 7;
  string AcksSubs = 8;
  string NodeID = 9;
}

message ClientInfo {
  string ID = 1;
  string HbInbox = 2;
  bytes ConnID = 3;
  int32 Protocol = 4;
  int32 PingInterval = 5;
  int32 PingMaxOut = 6;
}

message ClientDelete {
  string ID = 1;
}

message CtrlMsg {
  enum Type {
    SubUnsubscribe = 0;
    SubClose = 1;
    ConnClose = 2;
    FTHeartbeat = 3;
    Partitioning = 4;
  }
  Type MsgType = 1;
  string ServerID = 2;
  bytes Data = 3;
  string RefID = 4;
}

message RaftJoinRequest {
  string NodeID = 1;
  string NodeAddr = 2;
}

message RaftJoinResponse {
  string Error = 1;
}

message RaftOperation {
  enum Type {
    Publish = 0;
    Subscribe = 1;
    RemoveSubscription = 2;
    CloseSubscription = 3;
    SendAndAck = 4;
    Connect = 6;
    Disconnect = 7;
    DeleteChannel = 8;
  }
  Type OpType = 1;
  Batch PublishBatch = 2;
  AddSubscription Sub = 3;
  pb.UnsubscribeRequest Unsub = 4;
  SubSentAndAck SubSentAck = 5;
  AddClient ClientConnect = 7;
  pb.CloseRequest ClientDisconnect = 8;
  string Channel = 9;
  uint64 ChannelID = 10;
}

message Batch {
  repeated pb.MsgProto Messages = 1;
}

message AddSubscription {
  pb.SubscriptionRequest Request = 1;
  string AckInbox = 2;
  uint64 ID = 3;
}

message SubSentAndAck {
  string Channel = 1;
  string AckInbox = 2;
  repeated uint64 Sent = 3;
  repeated uint64 Ack = 4;
}

message AddClient {
  pb.ConnectRequest Request = 1;
  bool Refresh = 2;
}

message RaftSnapshot {
  repeated ClientInfo Clients = 1;
  repeated ChannelSnapshot Channels = 2;
  bytes Padding = 3;
}

message ChannelSnapshot {
  string Channel = 1;
  uint64 First = 2;
  uint64 Last = 3;
  repeated SubscriptionSnapshot Subscriptions = 4;
  uint64 NextSubID = 5;
  uint64 ChannelID = 6;
}

message SubscriptionSnapshot {
  SubState State = 1;
  repeated uint64 AcksPending = 2;
}
`;

/** CtrlMsg.Type; the first three are deprecated. */
export const CtrlMsgType = {
  SubUnsubscribe: 0,
  SubClose: 1,
  ConnClose: 2,
  FTHeartbeat: 3,
  Partitioning: 4,
} as const;
export type CtrlMsgType = (typeof CtrlMsgType)[keyof typeof CtrlMsgType];

/** RaftOperation.Type (5 is unused). */
export const RaftOperationType = {
  Publish: 0,
  Subscribe: 1,
  RemoveSubscription: 2,
  CloseSubscription: 3,
  SendAndAck: 4,
  Connect: 6,
  Disconnect: 7,
  DeleteChannel: 8,
} as const;
export type RaftOperationType = (typeof RaftOperationType)[keyof typeof RaftOperationType];

/** A stored subscription (subs.dat types 1/2). */
export interface SubState {
  ID: number;
  /** "" for a durable-queue shadow. */
  clientID: string;
  /** "<durableName>:<queueName>" for durable queues. */
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

/** subs.dat type 3. */
export interface SubStateDelete {
  ID: number;
}

/** subs.dat types 4 (ack) and 5 (sent/pending). */
export interface SubStateUpdate {
  ID: number;
  seqno: number;
}

/** server.dat's single record. */
export interface ServerInfo {
  ClusterID: string;
  Discovery: string;
  Publish: string;
  Subscribe: string;
  Unsubscribe: string;
  Close: string;
  SubClose: string;
  AcksSubs: string;
  NodeID: string;
}

/** clients.dat type 1. */
export interface ClientInfo {
  ID: string;
  HbInbox: string;
  ConnID: Uint8Array;
  Protocol: number;
  PingInterval: number;
  PingMaxOut: number;
}

/** clients.dat type 2. */
export interface ClientDelete {
  ID: string;
}

export interface CtrlMsg {
  /** A CtrlMsgType value. */
  MsgType: number;
  ServerID: string;
  Data: Uint8Array;
  RefID: string;
}

export interface RaftJoinRequest {
  NodeID: string;
  NodeAddr: string;
}

export interface RaftJoinResponse {
  Error: string;
}

export interface Batch {
  Messages: MsgProto[];
}

export interface AddSubscription {
  Request: SubscriptionRequest | null;
  AckInbox: string;
  ID: number;
}

export interface SubSentAndAck {
  Channel: string;
  AckInbox: string;
  Sent: number[];
  Ack: number[];
}

export interface AddClient {
  Request: ConnectRequest | null;
  Refresh: boolean;
}

export interface RaftOperation {
  /** A RaftOperationType value. */
  OpType: number;
  PublishBatch: Batch | null;
  Sub: AddSubscription | null;
  Unsub: UnsubscribeRequest | null;
  SubSentAck: SubSentAndAck | null;
  ClientConnect: AddClient | null;
  ClientDisconnect: CloseRequest | null;
  Channel: string;
  ChannelID: number;
}

export interface SubscriptionSnapshot {
  State: SubState | null;
  AcksPending: number[];
}

export interface ChannelSnapshot {
  Channel: string;
  First: number;
  Last: number;
  Subscriptions: SubscriptionSnapshot[];
  NextSubID: number;
  ChannelID: number;
}

export interface RaftSnapshot {
  Clients: ClientInfo[];
  Channels: ChannelSnapshot[];
  Padding: Uint8Array;
}

/** The parsed `pb` and `spb` schemas. */
export const spbRoot = parseSchemas(PB_PROTO, SPB_PROTO);
const flat = flatSchemas(PB_PROTO, SPB_PROTO);

export const SubState: MessageCodec<SubState> = codecOf(flat, spbRoot, 'spb.SubState');
export const SubStateDelete: MessageCodec<SubStateDelete> = codecOf(flat, spbRoot, 'spb.SubStateDelete');
export const SubStateUpdate: MessageCodec<SubStateUpdate> = codecOf(flat, spbRoot, 'spb.SubStateUpdate');
export const ServerInfo: MessageCodec<ServerInfo> = codecOf(flat, spbRoot, 'spb.ServerInfo');
export const ClientInfo: MessageCodec<ClientInfo> = codecOf(flat, spbRoot, 'spb.ClientInfo');
export const ClientDelete: MessageCodec<ClientDelete> = codecOf(flat, spbRoot, 'spb.ClientDelete');
export const CtrlMsg: MessageCodec<CtrlMsg> = codecOf(flat, spbRoot, 'spb.CtrlMsg');
export const RaftJoinRequest: MessageCodec<RaftJoinRequest> = codecOf(flat, spbRoot, 'spb.RaftJoinRequest');
export const RaftJoinResponse: MessageCodec<RaftJoinResponse> = codecOf(flat, spbRoot, 'spb.RaftJoinResponse');
export const RaftOperation: MessageCodec<RaftOperation> = codecOf(flat, spbRoot, 'spb.RaftOperation');
export const Batch: MessageCodec<Batch> = codecOf(flat, spbRoot, 'spb.Batch');
export const AddSubscription: MessageCodec<AddSubscription> = codecOf(flat, spbRoot, 'spb.AddSubscription');
export const SubSentAndAck: MessageCodec<SubSentAndAck> = codecOf(flat, spbRoot, 'spb.SubSentAndAck');
export const AddClient: MessageCodec<AddClient> = codecOf(flat, spbRoot, 'spb.AddClient');
export const RaftSnapshot: MessageCodec<RaftSnapshot> = codecOf(flat, spbRoot, 'spb.RaftSnapshot');
export const ChannelSnapshot: MessageCodec<ChannelSnapshot> = codecOf(flat, spbRoot, 'spb.ChannelSnapshot');
export const SubscriptionSnapshot: MessageCodec<SubscriptionSnapshot> = codecOf(flat, spbRoot, 'spb.SubscriptionSnapshot');
