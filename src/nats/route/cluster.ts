// This server as a member of a NATS cluster (nats-server 2.9 route.go): the
// route listener, the routes it solicits, the registry of routes by remote
// server id (a second route to the same server is a duplicate, closed),
// gossip of new members to the known ones (implicit routes), the client
// URLs of the other servers (connect_urls), and the two hooks that join
// the local router to the cluster: local interest out as RS+/RS-, locally
// published messages out as RMSG/HMSG.

import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { CloseReason, ConnContext } from '../conn.js';
import { permissionCheckerFor, type PermissionChecker } from '../permissions.js';
import { CRLF } from '../proto.js';
import { Router } from '../router.js';
import { forwardToRoutes, LocalInterest } from './interest.js';
import type { RouteHost } from './host.js';
import {
  DEFAULT_ROUTE_AUTH_TIMEOUT_MS,
  DEFAULT_ROUTE_RECONNECT_MAX_MS,
  DEFAULT_ROUTE_RECONNECT_MS,
  type ClusterOptions,
} from './options.js';
import { ROUTE_PROTO, routeConnectLine, routeInfoLine, type RouteConnect, type RouteInfo } from './proto.js';
import { Route } from './route.js';
import { cancel, solicit, type SolicitPolicy, type SolicitTarget } from './solicit.js';

/** What the cluster needs of its server. */
export interface ClusterServer extends ConnContext {
  readonly id: string;
  readonly router: Router;
  readonly serverName: string;
  readonly version: string;
  nextCid(): number;
  /** This server's client URLs (`host:port`). */
  clientUrls(): string[];
  /** The client URLs of the other servers changed: update INFO and tell the clients. */
  setClusterUrls(urls: string[]): void;
}

export class Cluster implements RouteHost {
  readonly remote = new Router();
  readonly local: Router;
  /** Registered routes by remote server id. */
  readonly routes = new Map<string, Route>();
  /** Every route connection, registered or not yet. */
  readonly #all = new Set<Route>();
  readonly #interest = new LocalInterest();
  readonly #targets = new Map<string, SolicitTarget>();
  readonly #perms: PermissionChecker | null;
  readonly #policy: SolicitPolicy;
  #name: string;
  #dynamicName: boolean;
  #listener: Server | undefined;
  #port = 0;
  #running = false;

  constructor(
    readonly server: ClusterServer,
    readonly opts: ClusterOptions,
  ) {
    this.local = server.router;
    this.#dynamicName = opts.name === undefined || opts.name === '';
    this.#name = this.#dynamicName ? randomBytes(16).toString('hex').toUpperCase().slice(0, 22) : opts.name!;
    const p = opts.permissions;
    this.#perms = p ? permissionCheckerFor({ publish: p.import, subscribe: p.export }) : null;
    this.#policy = {
      log: server.log,
      delayMs: opts.reconnectDelayMs ?? DEFAULT_ROUTE_RECONNECT_MS,
      maxDelayMs: opts.reconnectMaxMs ?? DEFAULT_ROUTE_RECONNECT_MAX_MS,
      connectRetries: opts.connectRetries,
      running: () => this.#running,
      connected: (t, socket) => this.#dialled(t, socket),
    };
  }

  get ctx(): ConnContext {
    return this.server;
  }
  get serverId(): string {
    return this.server.id;
  }
  get clusterName(): string {
    return this.#name;
  }
  get authRequired(): boolean {
    return this.opts.user !== undefined && this.opts.user !== '';
  }
  get authTimeoutMs(): number {
    return this.opts.authTimeoutMs ?? DEFAULT_ROUTE_AUTH_TIMEOUT_MS;
  }
  /** The bound route port. */
  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    const log = this.server.log;
    log.info(`Cluster name is ${this.#name}`);
    if (this.#dynamicName) log.warn('Cluster name was dynamically generated, consider setting one');
    const listener = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.opts.port, this.opts.host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    listener.on('error', (err) => log.error(`route listener: ${err.message}`));
    this.#listener = listener;
    const addr = listener.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    this.#running = true;
    log.info(`Listening for route connections on ${this.opts.host}:${this.#port}`);
    // Subscriptions made before the cluster started count too.
    for (const sub of this.local.subscriptions()) this.#interest.change(sub, true);
    this.local.interest = (sub, added) => this.#localInterest(sub.subject, this.#interest.change(sub, added));
    this.local.forward = (subject, reply, payload, hdr, local) =>
      forwardToRoutes(this.remote.match(subject), local, subject, reply, payload, hdr);
    for (const u of this.opts.routes) this.addRoute(u);
  }

  /** Starts soliciting a route listed in the options (or added by a reload). */
  addRoute(u: string): void {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      this.server.log.error(`Error parsing route URL "${u}"`);
      return;
    }
    const key = url.host.toLowerCase();
    if (this.#targets.has(key)) return;
    const t: SolicitTarget = { url, explicit: true, attempts: 0, remoteId: undefined, busy: false, timer: undefined };
    this.#targets.set(key, t);
    solicit(this.#policy, t);
  }

  /** Stops soliciting a route (reload removed it) and closes its connection. */
  removeRoute(u: string): void {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return;
    }
    const t = this.#targets.get(url.host.toLowerCase());
    if (t === undefined) return;
    cancel(t);
    this.#targets.delete(url.host.toLowerCase());
    for (const r of this.#all) if (r.url !== undefined && r.url.host.toLowerCase() === url.host.toLowerCase()) r.conn.close('Route Removed');
    if (t.remoteId !== undefined) this.routes.get(t.remoteId)?.conn.close('Route Removed');
  }

  /** Whether `url` is one of the routes listed in the options (not learned by gossip). */
  isConfigured(url: URL): boolean {
    return this.#targets.get(url.host.toLowerCase())?.explicit === true;
  }

  /** The URLs of the routes being solicited (explicit ones). */
  get solicitedUrls(): string[] {
    return [...this.#targets.values()].filter((t) => t.explicit).map((t) => t.url.href);
  }

  async shutdown(): Promise<void> {
    this.#running = false;
    this.local.interest = undefined;
    this.local.forward = undefined;
    for (const t of this.#targets.values()) cancel(t);
    for (const r of [...this.#all]) r.conn.close('Server Shutdown');
    const l = this.#listener;
    this.#listener = undefined;
    if (l) await new Promise<void>((resolve) => l.close(() => resolve()));
  }

  authorize(c: RouteConnect): boolean {
    if (!this.authRequired) return true;
    return c.user === this.opts.user && c.pass === (this.opts.password ?? '');
  }

  canImport(subject: string): boolean {
    return this.#perms === null || this.#perms.canPublish(subject);
  }

  canExport(subject: string): boolean {
    return this.#perms === null || this.#perms.canSubscribe(subject);
  }

  /** The INFO of this server on a route. */
  info(nonce: boolean): RouteInfo {
    const o = this.opts;
    const s = this.server.opts;
    const info: RouteInfo = {
      server_id: this.server.id,
      server_name: this.server.serverName,
      version: this.server.version,
      proto: ROUTE_PROTO,
      go: `node${process.version}`,
      host: o.host,
      port: this.#port,
      headers: s.headers,
      max_payload: s.maxPayload,
      cluster: this.#name,
    };
    if (this.#dynamicName) info.dynamic = true;
    if (this.authRequired) info.auth_required = true;
    if (nonce) info.nonce = randomBytes(8).toString('base64url').slice(0, 11);
    if (o.advertise) {
      const [h, p] = splitHostPort(o.advertise, this.#port);
      info.host = h;
      info.port = p;
      info.ip = `nats-route://${joinHostPort(h, p)}/`;
    }
    if (!o.noAdvertise) info.connect_urls = this.server.clientUrls();
    if (o.permissions?.import) info.import = o.permissions.import;
    if (o.permissions?.export) info.export = o.permissions.export;
    return info;
  }

  #accept(socket: Socket): void {
    if (!this.#running) {
      socket.destroy();
      return;
    }
    const r = new Route(this, this.server.nextCid(), socket, socket.remoteAddress ?? '', socket.remotePort ?? 0, undefined);
    this.#created(r, routeInfoLine(this.info(true)));
  }

  #dialled(t: SolicitTarget, socket: Socket): void {
    const r = new Route(this, this.server.nextCid(), socket, socket.remoteAddress ?? '', socket.remotePort ?? 0, t.url);
    const connect: RouteConnect = {
      echo: true,
      verbose: false,
      pedantic: false,
      tls_required: false,
      headers: this.server.opts.headers,
      name: this.server.id,
      cluster: this.#name,
    };
    if (t.url.username) {
      connect.user = decodeURIComponent(t.url.username);
      connect.pass = decodeURIComponent(t.url.password);
    }
    if (this.#dynamicName) connect.dynamic = true;
    this.server.log.debug(`${r.conn.who} - Route connect msg sent`);
    this.#created(r, routeConnectLine(connect) + routeInfoLine(this.info(true)));
  }

  #created(r: Route, first: string): void {
    this.#all.add(r);
    r.begin(first);
    this.server.log.info(`${r.conn.who} - Route connection created`);
  }

  adoptClusterName(name: string, remoteDynamic: boolean, r: Route): boolean {
    // nats-server 2.9: a generated name gives way to a configured one, and
    // of two generated ones the greater wins, so that servers started
    // without a name still form one cluster.
    if (!this.#dynamicName || (remoteDynamic && this.#name >= name)) return false;
    this.#name = name;
    if (!remoteDynamic) this.#dynamicName = false;
    this.server.log.info(`Cluster name updated to ${name}`);
    for (const other of [...this.#all]) if (other !== r) other.conn.close('Cluster Name Conflict');
    return true;
  }

  register(r: Route): boolean {
    const info = r.info!;
    const id = info.server_id;
    if (r.url !== undefined) {
      const t = this.#targets.get(r.url.host.toLowerCase());
      if (t !== undefined) t.remoteId = id;
    }
    if (this.routes.has(id)) return false;
    this.routes.set(id, r);
    r.registered = true;
    const log = this.server.log;
    log.debug(`${r.conn.who} - Registering remote route "${id}"`);
    const lines = this.#interest.dump((s) => this.canImport(s));
    if (lines.length > 0) {
      if (log.traceEnabled) for (const l of lines) r.conn.traceOut(l);
      r.sendProto(lines.join(CRLF) + CRLF);
    }
    log.debug(`${r.conn.who} - Sent local subscriptions to route`);
    // Gossip: tell the other routes about this server, so they connect to it.
    if (this.routes.size > 1) {
      const gossip = { ...info };
      delete gossip.nonce;
      if (!gossip.ip) gossip.ip = `nats-route://${joinHostPort(r.conn.ip, info.port)}/`;
      const line = routeInfoLine(gossip);
      for (const other of this.routes.values()) if (other !== r) other.sendProto(line);
    }
    this.#clusterUrlsChanged();
    return true;
  }

  forgetSelf(r: Route): void {
    if (r.url === undefined) return;
    const t = this.#targets.get(r.url.host.toLowerCase());
    if (t !== undefined) {
      cancel(t);
      this.#targets.delete(r.url.host.toLowerCase());
    }
  }

  implicitRoute(info: RouteInfo): void {
    const id = info.server_id;
    if (id === this.server.id || this.routes.has(id) || !info.ip) return;
    let url: URL;
    try {
      url = new URL(info.ip);
    } catch {
      this.server.log.error(`Error parsing URL from INFO: ${info.ip}`);
      return;
    }
    const key = url.host.toLowerCase();
    const configured = this.#targets.get(key) ?? this.#targets.get(`${info.host}:${info.port}`.toLowerCase());
    if (configured !== undefined) return;
    for (const t of this.#targets.values()) if (t.remoteId === id) return;
    if (info.auth_required && this.opts.user) {
      url.username = encodeURIComponent(this.opts.user);
      url.password = encodeURIComponent(this.opts.password ?? '');
    }
    const t: SolicitTarget = { url, explicit: false, attempts: 0, remoteId: id, busy: false, timer: undefined };
    this.#targets.set(key, t);
    solicit(this.#policy, t);
  }

  infoUpdated(r: Route, before: RouteInfo): void {
    if (JSON.stringify(before.connect_urls ?? []) !== JSON.stringify(r.info!.connect_urls ?? [])) this.#clusterUrlsChanged();
  }

  closed(r: Route, reason: CloseReason): void {
    this.#all.delete(r);
    const log = this.server.log;
    log.info(`${r.conn.who} - Router connection closed: ${reason}`);
    const id = r.info?.server_id;
    if (r.registered && id !== undefined && this.routes.get(id) === r) {
      this.routes.delete(id);
      this.#clusterUrlsChanged();
    }
    if (!this.#running || reason === 'Route Removed') return;
    // Reconnect what we solicited: the target this route was dialled for,
    // and any target whose connection was dropped as a duplicate of it.
    for (const [key, t] of this.#targets) {
      const mine = r.url !== undefined && r.url.host.toLowerCase() === key;
      const viaDuplicate = r.registered && id !== undefined && t.remoteId === id;
      if (!mine && !viaDuplicate) continue;
      if (!t.explicit && reason !== 'Duplicate Route' && !viaDuplicate) {
        this.#targets.delete(key);
        continue;
      }
      if (reason === 'Duplicate Route' && mine && !viaDuplicate) continue; // The other connection serves it.
      log.debug(`Attempting reconnect for solicited route "${t.url.href}"`);
      solicit(this.#policy, t, this.#policy.delayMs);
    }
  }

  #localInterest(subject: string, line: string | undefined): void {
    if (line === undefined || this.routes.size === 0 || !this.canImport(subject)) return;
    const trace = this.server.log.traceEnabled;
    for (const r of this.routes.values()) {
      if (trace) r.conn.traceOut(line);
      r.sendProto(line + CRLF);
    }
  }

  #clusterUrlsChanged(): void {
    if (this.opts.noAdvertise) return;
    const urls = new Set<string>();
    for (const r of this.routes.values()) for (const u of r.info?.connect_urls ?? []) urls.add(u);
    this.server.setClusterUrls([...urls]);
  }
}

function splitHostPort(hp: string, defPort: number): [string, number] {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(hp.replace(/^[a-z-]+:\/\//, '').replace(/\/$/, ''));
  if (!m) return [hp, defPort];
  return [m[1]!, m[2] ? Number(m[2]) : defPort];
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
