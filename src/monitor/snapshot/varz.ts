// /varz (STAN-REFERENCE §6.6): nats-server's Varz, field for field and in
// its struct order, from the embedded server's options and counters. Our
// one addition is `core`: which build of the Rust core (native addon or
// WASM) this process runs.

import { cpus } from 'node:os';
import { NATS_VERSION, type NatsServer } from '../../nats/server.js';
import { type MonitorContext, natsOf } from '../context.js';
import { goNanos, goTime, goUptime } from '../format.js';

/** nats-server's TLS_TIMEOUT in seconds, which /varz shows even without TLS. */
const DEFAULT_TLS_TIMEOUT_S = 2;

export interface Varz {
  server_id: string;
  server_name: string;
  version: string;
  proto: number;
  go: string;
  host: string;
  port: number;
  auth_required?: boolean;
  tls_required?: boolean;
  tls_verify?: boolean;
  max_connections: number;
  max_subscriptions?: number;
  ping_interval: number;
  ping_max: number;
  http_host: string;
  http_port: number;
  http_base_path: string;
  https_port: number;
  auth_timeout: number;
  max_control_line: number;
  max_payload: number;
  max_pending: number;
  cluster: ClusterVarz;
  gateway: Record<string, never>;
  leaf: Record<string, never>;
  mqtt: Record<string, never>;
  websocket: Record<string, never>;
  jetstream: Record<string, never>;
  tls_timeout: number;
  write_deadline: number;
  start: string;
  now: string;
  uptime: string;
  mem: number;
  cores: number;
  gomaxprocs: number;
  cpu: number;
  connections: number;
  total_connections: number;
  routes: number;
  remotes: number;
  leafnodes: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  slow_consumers: number;
  subscriptions: number;
  http_req_stats: Record<string, number>;
  config_load_time: string;
  /** Not in nats-server: `native` or `wasm`. */
  core: string;
}

export function varzSnapshot(ctx: MonitorContext): Varz {
  const s = natsOf(ctx);
  const o = s.opts;
  const now = Date.now();
  let inMsgs = s.closedInMsgs;
  let outMsgs = s.closedOutMsgs;
  let inBytes = s.closedInBytes;
  let outBytes = s.closedOutBytes;
  for (const c of s.clients.values()) {
    inMsgs += c.inMsgs;
    outMsgs += c.outMsgs;
    inBytes += c.inBytes;
    outBytes += c.outBytes;
  }
  const n = cpus().length;
  return {
    server_id: s.id,
    server_name: o.serverName ?? s.id,
    version: NATS_VERSION,
    proto: 1,
    go: `node${process.version}`,
    host: o.host,
    port: s.port,
    ...(s.auth.required ? { auth_required: true } : {}),
    ...(o.tls ? { tls_required: true } : {}),
    ...(o.tls?.verify ? { tls_verify: true } : {}),
    max_connections: o.maxConnections,
    ...(o.maxSubscriptions > 0 ? { max_subscriptions: o.maxSubscriptions } : {}),
    ping_interval: goNanos(o.pingIntervalMs),
    ping_max: o.pingMax,
    http_host: ctx.listen.host,
    http_port: ctx.listen.httpPort,
    http_base_path: '',
    https_port: ctx.listen.httpsPort,
    auth_timeout: s.authTimeoutMs / 1000,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    cluster: clusterVarz(s),
    gateway: {},
    leaf: {},
    mqtt: {},
    websocket: {},
    jetstream: {},
    tls_timeout: o.tls ? o.tls.timeoutMs / 1000 : DEFAULT_TLS_TIMEOUT_S,
    write_deadline: goNanos(o.writeDeadlineMs),
    start: goTime(s.started),
    now: goTime(now, true),
    uptime: goUptime(now - s.started.getTime()),
    mem: ctx.proc.rss(),
    cores: n,
    gomaxprocs: n,
    cpu: ctx.proc.cpu(),
    connections: s.clients.size,
    total_connections: s.totalConnections,
    routes: s.cluster?.routes.size ?? 0,
    remotes: 0,
    leafnodes: 0,
    in_msgs: inMsgs,
    out_msgs: outMsgs,
    in_bytes: inBytes,
    out_bytes: outBytes,
    slow_consumers: s.slowConsumers,
    subscriptions: s.router.size,
    http_req_stats: Object.fromEntries(ctx.requests),
    config_load_time: goTime(ctx.sources.configLoadTime ?? s.started),
    core: ctx.sources.coreKind,
  };
}

/** nats-server's ClusterOptsVarz: empty without a cluster. */
export interface ClusterVarz {
  name?: string;
  addr?: string;
  cluster_port?: number;
  auth_timeout?: number;
  urls?: string[];
}

function clusterVarz(s: NatsServer): ClusterVarz {
  const c = s.cluster;
  if (c === undefined) return {};
  const out: ClusterVarz = { name: c.clusterName, addr: c.opts.host, cluster_port: c.port };
  if (c.authRequired) out.auth_timeout = c.authTimeoutMs / 1000;
  const urls = c.solicitedUrls.map((u) => new URL(u).host);
  if (urls.length > 0) out.urls = urls;
  return out;
}
