// Options of the cluster listener and its routes (nats-server 2.9's
// ClusterOpts, STAN-REFERENCE §7.5 `cluster {}`), as the flags and the
// config file give them; the cluster only reads them.

import type { SubjectPermission } from '../permissions.js';

/** What a route may send us (import) and what we send it (export). */
export interface RoutePermissions {
  import?: SubjectPermission;
  export?: SubjectPermission;
}

export interface ClusterOptions {
  /** Route listener; port 0 picks one. */
  host: string;
  port: number;
  /** Cluster name; a dynamic one is generated when absent. */
  name?: string;
  /** Routes to solicit: `nats://[user:pass@]host:port`. */
  routes: string[];
  /** Credentials a route must present in its CONNECT. */
  user?: string;
  password?: string;
  /** Time allowed for a route's CONNECT when credentials are required, ms. */
  authTimeoutMs?: number;
  /** `host:port` announced to other servers instead of the listener's. */
  advertise?: string;
  /** Do not tell clients about the other servers (connect_urls). */
  noAdvertise: boolean;
  /** Attempts before giving up on an implicit route (0: one attempt). */
  connectRetries: number;
  permissions?: RoutePermissions;
  /** First delay between attempts to (re)connect a route, ms; doubles up to reconnectMaxMs. */
  reconnectDelayMs?: number;
  reconnectMaxMs?: number;
}

/** nats-server's DEFAULT_ROUTE_CONNECT / DEFAULT_ROUTE_RECONNECT: 1 s. */
export const DEFAULT_ROUTE_RECONNECT_MS = 1000;
/** Longest wait between attempts once backed off. */
export const DEFAULT_ROUTE_RECONNECT_MAX_MS = 30_000;
/** nats-server's default cluster auth timeout (AUTH_TIMEOUT). */
export const DEFAULT_ROUTE_AUTH_TIMEOUT_MS = 2000;
