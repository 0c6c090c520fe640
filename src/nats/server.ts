// The embedded core NATS server (STAN-REFERENCE §1): the listener, the
// connections, the router, and the in-process clients of the streaming
// layer. Start with start(), stop with shutdown().

import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { type AuthOptions, Authenticator } from './auth.js';
import { Client } from './client.js';
import type { NatsContext } from './context.js';
import { InternalClient } from './internal.js';
import { type NatsOptions, DEFAULT_AUTH_TIMEOUT_MS } from './options.js';
import { ClientInfoLines, Err, errLine, type InfoFields } from './proto.js';
import { Router } from './router.js';
import type { Cluster, ClusterServer } from './route/cluster.js';
import type { Logger } from '../log/logger.js';

/** The nats-server protocol level we implement, advertised in INFO. */
export const NATS_VERSION = '2.9.24';

/** Closed connections remembered for /connz?state=closed (nats-server's MaxClosedClients). */
export const MAX_CLOSED_CLIENTS = 10_000;

/** What /connz shows of a closed connection, taken when it closes. */
export interface ClosedClient {
  cid: number;
  ip: string;
  port: number;
  start: Date;
  lastActivity: number;
  stop: Date;
  reason: string;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  name: string;
  lang: string;
  version: string;
  user: string | undefined;
}

/** A 56-character id in the alphabet of nats-server's NKey server ids. */
function serverId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(55);
  let id = 'N';
  for (const b of bytes) id += alphabet[b & 31];
  return id;
}

export class NatsServer implements NatsContext, ClusterServer {
  readonly router = new Router();
  readonly clients = new Map<number, Client>();
  #auth: Authenticator;
  readonly id = serverId();
  readonly started = new Date();
  /** Ops parsed from all connections (summed once per socket chunk). */
  opsParsed = 0;
  // Monitoring (/varz, /connz): connections accepted, slow consumers
  // dropped, the most recent closed connections (oldest first), and the
  // message counts of closed connections, which /varz adds to the open ones'.
  totalConnections = 0;
  slowConsumers = 0;
  readonly closed: ClosedClient[] = [];
  closedInMsgs = 0;
  closedOutMsgs = 0;
  closedInBytes = 0;
  closedOutBytes = 0;
  #listener: Server | undefined;
  #tls: TlsServer | undefined;
  /** Connections in their TLS handshake, by remote address:port. */
  readonly #handshaking = new Map<string, { cid: number; ip: string; port: number }>();
  #nextCid = 1;
  #info: InfoFields;
  readonly #infoLines = new ClientInfoLines();
  #port = 0;
  /** Membership of a cluster (routes), when configured. */
  cluster: Cluster | undefined;
  readonly version = NATS_VERSION;

  constructor(
    readonly opts: NatsOptions,
    readonly log: Logger,
  ) {
    this.#auth = new Authenticator(opts.auth);
    this.#info = {
      server_id: this.id,
      server_name: opts.serverName ?? this.id,
      version: NATS_VERSION,
      proto: 1,
      go: `node${process.version}`,
      host: opts.host,
      port: opts.port,
      headers: opts.headers,
      max_payload: opts.maxPayload,
    };
    if (this.auth.required) this.#info.auth_required = true;
    if (opts.tls) {
      this.#info.tls_required = true;
      if (opts.tls.verify) this.#info.tls_verify = true;
    }
  }

  /** How CONNECTs are checked; replaced by setAuth(). */
  get auth(): Authenticator {
    return this.#auth;
  }

  /**
   * Replaces the authorization settings (config reload). New connections
   * are checked against them; connections already logged in keep their
   * login and permissions. Throws AuthConfigError, changing nothing.
   */
  setAuth(auth: AuthOptions): void {
    const next = new Authenticator(auth);
    this.#auth = next;
    this.opts.auth = auth;
    if (next.required) this.#info.auth_required = true;
    else delete this.#info.auth_required;
  }

  /** The bound port (the real one when 0 was asked for). */
  get port(): number {
    return this.#port;
  }

  /** nats-server: 2 s, or the TLS timeout plus one second with TLS. */
  get authTimeoutMs(): number {
    if (this.opts.auth.timeoutMs !== undefined) return this.opts.auth.timeoutMs;
    return this.opts.tls ? this.opts.tls.timeoutMs + 1000 : DEFAULT_AUTH_TIMEOUT_MS;
  }

  nextCid(): number {
    return this.#nextCid++;
  }

  async start(): Promise<void> {
    if (this.opts.tls) this.#tls = await this.#tlsServer();
    const listener = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    this.#listener = listener;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.opts.port, this.opts.host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const addr = listener.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    this.#info.port = this.#port;
    listener.on('error', (err) => this.log.error(`listener: ${err.message}`));
    this.log.info(`Listening for client connections on ${this.opts.host}:${this.#port}`);
    if (this.opts.tls) this.log.info('TLS required for client connections');
    if (this.opts.cluster) {
      // The route code loads only for a cluster: a standalone start skips its modules.
      const { Cluster } = await import('./route/cluster.js');
      this.cluster = new Cluster(this, this.opts.cluster);
      if (!this.opts.cluster.noAdvertise) this.#info.connect_urls = this.clientUrls();
      await this.cluster.start();
    }
  }

  get serverName(): string {
    return this.#info.server_name;
  }

  /** This server's client URLs: the listen address, or every non-loopback address of a wildcard one. */
  clientUrls(): string[] {
    const host = this.opts.host;
    const port = this.#port;
    if (host !== '0.0.0.0' && host !== '::' && host !== '') return [joinHostPort(host, port)];
    const urls: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (!a.internal) urls.push(joinHostPort(a.address, port));
    }
    return urls;
  }

  /**
   * The cluster's other servers now have these client URLs: INFO's
   * connect_urls becomes ours plus them, sent at once to the clients that
   * take async INFO (protocol 1, logged in), as nats-server does.
   */
  setClusterUrls(urls: string[]): void {
    const all = [...new Set([...this.clientUrls(), ...urls])];
    const before = this.#info.connect_urls ?? [];
    this.#info.connect_urls = all;
    if (before.length === all.length && before.every((u, i) => u === all[i])) return;
    for (const c of this.clients.values()) {
      if (c.protocol < 1 || !c.connected || c.conn.closed) continue;
      const line = this.#infoLines.line(this.#info, c.cid, c.ip);
      if (this.log.traceEnabled) c.conn.traceOut(line.toString().trimEnd());
      c.outbound.bytes(line);
    }
  }

  /** Closes the listener and every connection. */
  async shutdown(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    for (const c of [...this.clients.values()]) c.conn.close('Server Shutdown');
    await this.cluster?.shutdown();
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }

  /** An in-process client (the streaming layer's connections). */
  internalClient(name: string): InternalClient {
    return new InternalClient(this, this.nextCid(), name);
  }

  removeClient(cid: number): void {
    const c = this.clients.get(cid);
    if (c === undefined) return;
    this.clients.delete(cid);
    const conn = c.conn;
    this.closedInMsgs += conn.inMsgs;
    this.closedOutMsgs += conn.outMsgs;
    this.closedInBytes += conn.inBytes;
    this.closedOutBytes += conn.outBytes;
    const reason = conn.closeReason ?? 'Client Closed';
    if (reason.startsWith('Slow Consumer')) this.slowConsumers++;
    if (this.closed.length >= MAX_CLOSED_CLIENTS) this.closed.shift();
    this.closed.push({
      cid, ip: conn.ip, port: conn.port, start: conn.start, lastActivity: conn.lastActivity, stop: new Date(), reason,
      inMsgs: conn.inMsgs, outMsgs: conn.outMsgs, inBytes: conn.inBytes, outBytes: conn.outBytes,
      name: c.name, lang: c.lang, version: c.version, user: c.user,
    });
  }

  #accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? '';
    const port = socket.remotePort ?? 0;
    const cid = this.nextCid();
    const info = this.#infoLines.line(this.#info, cid, ip);
    if (this.clients.size >= this.opts.maxConnections) {
      socket.end(Buffer.concat([info, errLine(Err.MAX_CONNECTIONS)]));
      this.log.error(`${ip}:${port} - cid:${cid} - maximum connections exceeded`);
      return;
    }
    if (this.#tls === undefined) {
      this.#start(new Client(this, cid, socket, ip, port), info);
      return;
    }
    // INFO goes out in the clear; then the client starts the TLS handshake.
    socket.write(info);
    const key = `${ip}:${port}`;
    this.#handshaking.set(key, { cid, ip, port });
    socket.once('close', () => this.#handshaking.delete(key));
    this.#tls.emit('connection', socket);
  }

  /** node:tls and the TLS options load only when TLS is configured. */
  async #tlsServer(): Promise<TlsServer> {
    const [{ createServer: createTlsServer }, { tlsServerOptions }] = await Promise.all([import('node:tls'), import('./tls.js')]);
    const tls = createTlsServer(tlsServerOptions(this.opts.tls!));
    tls.on('secureConnection', (s: TLSSocket) => {
      const key = `${s.remoteAddress}:${s.remotePort}`;
      const c = this.#handshaking.get(key);
      this.#handshaking.delete(key);
      if (c === undefined) {
        s.destroy();
        return;
      }
      this.#start(new Client(this, c.cid, s, c.ip, c.port), undefined);
    });
    tls.on('tlsClientError', (err: Error, s: TLSSocket) => {
      const c = this.#handshaking.get(`${s.remoteAddress}:${s.remotePort}`);
      this.log.error(`${s.remoteAddress}:${s.remotePort}${c ? ` - cid:${c.cid}` : ''} - TLS handshake error: ${err.message}`);
      s.destroy();
    });
    return tls;
  }

  #start(c: Client, info: Buffer | undefined): void {
    this.clients.set(c.cid, c);
    this.totalConnections++;
    c.begin(info);
  }
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
