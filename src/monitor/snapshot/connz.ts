// /connz (STAN-REFERENCE §6.6): nats-server's Connz over the socket
// connections of the embedded server, open and recently closed, with its
// sort orders (cid and start ascending, reason alphabetical, uptime
// shortest first, all others descending), pagination, `cid` lookup, and
// the `subs` (subjects) / `subs=detail` and `auth` options. The streaming
// layer's own connections are in-process calls here, not sockets, so they
// are not listed (nats-server lists them as `_NSS-…` clients).

import { TLSSocket } from 'node:tls';
import type { Client } from '../../nats/client.js';
import type { ClosedClient } from '../../nats/server.js';
import { type MonitorContext, natsOf } from '../context.js';
import { goTime, goUptime } from '../format.js';
import { QueryError } from '../query.js';

/** nats-server's DefaultConnListSize. */
export const DEFAULT_CONN_LIMIT = 1024;

export const SORT_OPTIONS = [
  'cid', 'start', 'subs', 'pending', 'msgs_to', 'msgs_from', 'bytes_to', 'bytes_from',
  'last', 'idle', 'uptime', 'stop', 'reason', 'rtt',
] as const;
export type SortOpt = (typeof SORT_OPTIONS)[number];
export type ConnState = 'open' | 'closed' | 'all';

export interface ConnzOptions {
  sort: SortOpt;
  /** Include `authorized_user`. */
  auth: boolean;
  subs: boolean | 'detail';
  offset: number;
  limit: number;
  /** 0 = any. */
  cid: number;
  state: ConnState;
}

export interface SubDetail {
  account?: string;
  subject: string;
  qgroup?: string;
  sid: string;
  msgs: number;
  max?: number;
  cid: number;
}

export interface ConnInfo {
  cid: number;
  kind: string;
  type: string;
  ip: string;
  port: number;
  start: string;
  last_activity: string;
  stop?: string;
  reason?: string;
  rtt: string;
  uptime: string;
  idle: string;
  pending_bytes: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  name?: string;
  lang?: string;
  version?: string;
  tls_version?: string;
  tls_cipher_suite?: string;
  authorized_user?: string;
  subscriptions_list?: string[];
  subscriptions_list_detail?: SubDetail[];
}

export interface Connz {
  server_id: string;
  now: string;
  num_connections: number;
  total: number;
  offset: number;
  limit: number;
  connections: ConnInfo[];
}

/** A row plus the raw values it sorts by. */
interface Row {
  info: ConnInfo;
  start: number;
  last: number;
  stop: number;
}

/** The fields every ConnInfo has, in Go's order; `stop`/`reason` for a closed one. */
function base(c: Client | ClosedClient, start: Date, last: number, end: number, closed?: ClosedClient): ConnInfo {
  return {
    cid: c.cid,
    kind: 'Client',
    type: 'nats',
    ip: c.ip,
    port: c.port,
    start: goTime(start),
    last_activity: goTime(last),
    ...(closed ? { stop: goTime(closed.stop), reason: closed.reason } : {}),
    rtt: '0s',
    uptime: goUptime(end - start.getTime()),
    idle: goUptime(end - last),
    pending_bytes: 0,
    in_msgs: c.inMsgs,
    out_msgs: c.outMsgs,
    in_bytes: c.inBytes,
    out_bytes: c.outBytes,
    subscriptions: 0,
  };
}

function named(info: ConnInfo, c: Client | ClosedClient, auth: boolean): ConnInfo {
  if (c.name) info.name = c.name;
  if (c.lang) info.lang = c.lang;
  if (c.version) info.version = c.version;
  if (auth && c.user) info.authorized_user = c.user;
  return info;
}

function openRow(c: Client, now: number, o: ConnzOptions): Row {
  const info = base(c, c.start, c.lastActivity, now);
  info.pending_bytes = c.outbound.pending;
  info.subscriptions = c.subs.size;
  named(info, c, o.auth);
  if (c.socket instanceof TLSSocket && c.socket.encrypted) {
    const proto = c.socket.getProtocol();
    if (proto) info.tls_version = proto.replace(/^TLSv/, '');
    const cipher = c.socket.getCipher();
    if (cipher) info.tls_cipher_suite = cipher.standardName ?? cipher.name;
  }
  if (o.subs !== false && c.subs.size > 0) {
    if (o.subs === 'detail') {
      info.subscriptions_list_detail = [...c.subs.values()].map((s) => ({
        subject: s.subject,
        ...(s.queue ? { qgroup: s.queue } : {}),
        sid: s.sid,
        msgs: s.delivered,
        ...(s.max > 0 ? { max: s.max } : {}),
        cid: c.cid,
      }));
    } else {
      info.subscriptions_list = [...c.subs.values()].map((s) => s.subject);
    }
  }
  return { info, start: c.start.getTime(), last: c.lastActivity, stop: 0 };
}

function closedRow(c: ClosedClient, o: ConnzOptions): Row {
  const stop = c.stop.getTime();
  const info = named(base(c, c.start, c.lastActivity, stop, c), c, o.auth);
  return { info, start: c.start.getTime(), last: c.lastActivity, stop };
}

type Cmp = (a: Row, b: Row) => number;
const desc = (f: (r: Row) => number): Cmp => (a, b) => f(b) - f(a);

function comparator(sort: SortOpt, now: number): Cmp {
  switch (sort) {
    case 'cid':
    case 'start':
      return (a, b) => a.info.cid - b.info.cid;
    case 'subs':
      return desc((r) => r.info.subscriptions);
    case 'pending':
      return desc((r) => r.info.pending_bytes);
    case 'msgs_to':
      return desc((r) => r.info.out_msgs);
    case 'msgs_from':
      return desc((r) => r.info.in_msgs);
    case 'bytes_to':
      return desc((r) => r.info.out_bytes);
    case 'bytes_from':
      return desc((r) => r.info.in_bytes);
    case 'last':
      return desc((r) => r.last);
    case 'idle':
      return desc((r) => (r.stop || now) - r.last);
    case 'uptime':
      return (a, b) => (a.stop || now) - a.start - ((b.stop || now) - b.start);
    case 'stop':
      return desc((r) => r.stop);
    case 'reason':
      return (a, b) => (a.info.reason ?? '').localeCompare(b.info.reason ?? '');
    case 'rtt':
      return () => 0;
  }
}

export function connzSnapshot(ctx: MonitorContext, o: ConnzOptions): Connz {
  const s = natsOf(ctx);
  if ((o.sort === 'stop' || o.sort === 'reason') && o.state !== 'closed') {
    throw new QueryError(`sort by ${o.sort} only valid on closed connections`);
  }
  const now = Date.now();
  const limit = o.cid > 0 ? 1 : o.limit;
  const rows: Row[] = [];
  let total = 0;
  if (o.state !== 'closed') total += s.clients.size;
  if (o.state !== 'open') total += s.closed.length;
  if (o.cid > 0) {
    const open = o.state !== 'closed' ? s.clients.get(o.cid) : undefined;
    if (open !== undefined) rows.push(openRow(open, now, o));
    else if (o.state !== 'open') {
      const closed = s.closed.find((c) => c.cid === o.cid);
      if (closed !== undefined) rows.push(closedRow(closed, o));
    }
  } else {
    if (o.state !== 'closed') for (const c of s.clients.values()) rows.push(openRow(c, now, o));
    if (o.state !== 'open') for (const c of s.closed) rows.push(closedRow(c, o));
  }
  rows.sort(comparator(o.sort, now));
  const from = Math.min(o.offset, rows.length);
  const conns = rows.slice(from, Math.min(o.offset + limit, rows.length)).map((r) => r.info);
  return {
    server_id: s.id,
    now: goTime(now, true),
    num_connections: conns.length,
    total,
    offset: o.offset,
    limit,
    connections: conns,
  };
}
