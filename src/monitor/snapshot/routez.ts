// /routez (STAN-REFERENCE §6.6, nats-server 2.9's Routez): the registered
// routes of the embedded server's cluster, with `subs=1` the subjects of
// each route's interest (`subject` or `subject queue`). Without a cluster
// the list is empty, in the same shape.

import { type MonitorContext, natsOf } from '../context.js';
import { goTime, goUptime } from '../format.js';
import type { SubjectPermission } from '../../nats/permissions.js';

export interface RouteInfoz {
  rid: number;
  remote_id: string;
  did_solicit: boolean;
  is_configured: boolean;
  ip: string;
  port: number;
  start: string;
  last_activity: string;
  rtt: string;
  uptime: string;
  idle: string;
  import?: SubjectPermission;
  export?: SubjectPermission;
  pending_size: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  subscriptions_list?: string[];
}

export interface Routez {
  server_id: string;
  server_name: string;
  now: string;
  import?: SubjectPermission;
  export?: SubjectPermission;
  num_routes: number;
  routes: RouteInfoz[];
}

export function routezSnapshot(ctx: MonitorContext, subs = false): Routez {
  const s = natsOf(ctx);
  const now = Date.now();
  const cluster = s.cluster;
  const out: Routez = { server_id: s.id, server_name: s.opts.serverName ?? s.id, now: goTime(now, true), num_routes: 0, routes: [] };
  if (cluster === undefined) return out;
  const perms = cluster.opts.permissions;
  if (perms?.import) out.import = perms.import;
  if (perms?.export) out.export = perms.export;
  for (const r of cluster.routes.values()) {
    const c = r.conn;
    const info = r.info!;
    const ri: RouteInfoz = {
      rid: r.cid,
      remote_id: info.server_id,
      did_solicit: r.solicited,
      is_configured: r.url !== undefined && cluster.isConfigured(r.url),
      ip: c.ip,
      port: c.port,
      start: goTime(c.start),
      last_activity: goTime(c.lastActivity),
      rtt: '0s',
      uptime: goUptime(now - c.start.getTime()),
      idle: goUptime(now - c.lastActivity),
      import: info.import,
      export: info.export,
      pending_size: c.outbound.pending,
      in_msgs: c.inMsgs,
      out_msgs: c.outMsgs,
      in_bytes: c.inBytes,
      out_bytes: c.outBytes,
      subscriptions: r.subs.size,
    };
    // omitempty, in Go's key order.
    if (!info.import) delete ri.import;
    if (!info.export) delete ri.export;
    if (subs && r.subs.size > 0) ri.subscriptions_list = [...r.subs.keys()];
    out.routes.push(ri);
  }
  out.num_routes = out.routes.length;
  return out;
}
