// /streaming/serverz and /streaming/isFTActive (STAN-REFERENCE §6.1, §6.5):
// the streaming server's identity, state and totals. This server runs
// standalone (STANDALONE) or in an FT group (FT_STANDBY, FT_ACTIVE, FAILED:
// the member's state); isFTActive answers 200 on the group's active member only.

import { STAN_VERSION } from '../../streaming/start.js';
import type { StanServer } from '../../streaming/server.js';
import { type MonitorContext, stanOf } from '../context.js';
import { goTime, goUptime } from '../format.js';

export type ServerState = 'STANDALONE' | 'FT_ACTIVE' | 'FT_STANDBY' | 'FAILED' | 'SHUTDOWN' | 'CLUSTERED';

export interface Serverz {
  cluster_id: string;
  server_id: string;
  version: string;
  go: string;
  state: ServerState;
  now: string;
  start_time: string;
  uptime: string;
  clients: number;
  subscriptions: number;
  channels: number;
  total_msgs: number;
  total_bytes: number;
  in_msgs: number;
  in_bytes: number;
  out_msgs: number;
  out_bytes: number;
  open_fds?: number;
  max_fds?: number;
}

/** A random NUID per streaming server, as the Go server's serverID. */
export function stanServerId(s: StanServer): string {
  return s.serverId;
}

export function serverState(s: StanServer): ServerState {
  return s.ft?.state ?? 'STANDALONE';
}

/** Messages and bytes held by every channel's store. */
export function storeTotals(s: StanServer): { msgs: number; bytes: number } {
  let msgs = 0;
  let bytes = 0;
  for (const c of s.channels.values()) {
    const st = c.msgs.state();
    msgs += st.msgs;
    bytes += st.bytes;
  }
  return { msgs, bytes };
}

/** Streaming traffic since startup: PubMsgs in, MsgProtos out. */
export function stanTraffic(s: StanServer): { inMsgs: number; inBytes: number; outMsgs: number; outBytes: number } {
  let inMsgs = 0;
  let inBytes = 0;
  for (const c of s.channels.values()) {
    inMsgs += c.inMsgs;
    inBytes += c.inBytes;
  }
  return { inMsgs, inBytes, outMsgs: s.delivery.outMsgs, outBytes: s.delivery.outBytes };
}

export function serverzSnapshot(ctx: MonitorContext): Serverz {
  const s = stanOf(ctx);
  const now = Date.now();
  let subs = 0;
  for (const c of s.channels.values()) subs += c.subs.size;
  const totals = storeTotals(s);
  const t = stanTraffic(s);
  const fds = ctx.proc.fds();
  return {
    cluster_id: s.info.clusterId,
    server_id: stanServerId(s),
    version: STAN_VERSION,
    go: `node${process.version}`,
    state: serverState(s),
    now: goTime(now),
    start_time: goTime(s.started),
    uptime: goUptime(now - s.started.getTime()),
    clients: s.clients.size,
    subscriptions: subs,
    channels: s.channels.size,
    total_msgs: totals.msgs,
    total_bytes: totals.bytes,
    in_msgs: t.inMsgs,
    in_bytes: t.inBytes,
    out_msgs: t.outMsgs,
    out_bytes: t.outBytes,
    ...(fds !== undefined && fds.open > 0 ? { open_fds: fds.open } : {}),
    ...(fds !== undefined && fds.max > 0 ? { max_fds: fds.max } : {}),
  };
}

/** isFTActive: true only for the active server of an FT group. */
export function isFtActive(ctx: MonitorContext): boolean {
  return serverState(stanOf(ctx)) === 'FT_ACTIVE';
}
