// What a route connection reaches of its cluster (cluster.ts implements
// it): an interface, so route.ts imports neither the cluster nor the server.

import type { ConnContext, CloseReason } from '../conn.js';
import type { Router } from '../router.js';
import type { Route } from './route.js';
import type { RouteConnect, RouteInfo } from './proto.js';

export interface RouteHost {
  readonly ctx: ConnContext;
  readonly serverId: string;
  readonly clusterName: string;
  /** Local subscriptions: where routed messages are delivered. */
  readonly local: Router;
  /** Remote interest: the subscriptions of all routes. */
  readonly remote: Router;
  readonly authRequired: boolean;
  readonly authTimeoutMs: number;
  /** Checks the credentials of an accepted route's CONNECT. */
  authorize(c: RouteConnect): boolean;
  /** May messages on `subject` be received from routes (import permission)? */
  canImport(subject: string): boolean;
  /** May messages on `subject` be sent to routes (export permission)? */
  canExport(subject: string): boolean;
  /**
   * The remote's cluster name differs: take it on (closing every other
   * route) if ours was generated and theirs was not or is greater; false
   * when the route is to be refused.
   */
  adoptClusterName(name: string, remoteDynamic: boolean, r: Route): boolean;
  /** The first INFO arrived: false when the remote is already connected (a duplicate). */
  register(r: Route): boolean;
  /** A route turned out to lead to this very server. */
  forgetSelf(r: Route): void;
  /** An INFO about another server of the cluster (gossip). */
  implicitRoute(info: RouteInfo): void;
  /** The remote sent a new INFO about itself. */
  infoUpdated(r: Route, before: RouteInfo): void;
  closed(r: Route, reason: CloseReason): void;
}
