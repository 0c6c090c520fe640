// Options of the embedded NATS server, with nats-server's defaults
// (STAN-REFERENCE §1, §7.5). The command line and the -c config file fill
// these in (src/config); the server only reads them.

import type { AuthOptions } from './auth.js';
import type { ClusterOptions } from './route/options.js';

export interface TlsOptions {
  cert: string; // PEM file paths
  key: string;
  ca?: string;
  /** Require and verify client certificates. */
  verify: boolean;
  /** Handshake timeout, ms. */
  timeoutMs: number;
}

export interface NatsOptions {
  host: string;
  port: number;
  serverName?: string;
  maxPayload: number;
  maxControlLine: number;
  maxConnections: number;
  /** Per connection; 0 = unlimited. */
  maxSubscriptions: number;
  /** Outbound bytes buffered for one connection before it is dropped as a slow consumer. */
  maxPending: number;
  /** How long a write may stay blocked before the connection is dropped, ms. */
  writeDeadlineMs: number;
  pingIntervalMs: number;
  pingMax: number;
  auth: AuthOptions;
  tls?: TlsOptions;
  /** Advertise and accept headers (HPUB/HMSG). */
  headers: boolean;
  /** Routes to other servers (a cluster), when set. */
  cluster?: ClusterOptions;
}

export const DEFAULT_PORT = 4222;
/** nats-server MAX_PAYLOAD_SIZE. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** nats-server MAX_CONTROL_LINE_SIZE. */
export const DEFAULT_MAX_CONTROL_LINE = 4096;
export const DEFAULT_MAX_CONNECTIONS = 64 * 1024;
/** nats-server MAX_PENDING_SIZE. */
export const DEFAULT_MAX_PENDING = 64 * 1024 * 1024;
export const DEFAULT_WRITE_DEADLINE_MS = 10_000;
export const DEFAULT_PING_INTERVAL_MS = 2 * 60_000;
export const DEFAULT_PING_MAX = 2;
/** nats-server AUTH_TIMEOUT (2 s); with TLS, the TLS timeout plus one second. */
export const DEFAULT_AUTH_TIMEOUT_MS = 2_000;
/** nats-server TLS_TIMEOUT. */
export const DEFAULT_TLS_TIMEOUT_MS = 2_000;

export function defaultNatsOptions(): NatsOptions {
  return {
    host: '0.0.0.0',
    port: DEFAULT_PORT,
    maxPayload: DEFAULT_MAX_PAYLOAD,
    maxControlLine: DEFAULT_MAX_CONTROL_LINE,
    maxConnections: DEFAULT_MAX_CONNECTIONS,
    maxSubscriptions: 0,
    maxPending: DEFAULT_MAX_PENDING,
    writeDeadlineMs: DEFAULT_WRITE_DEADLINE_MS,
    pingIntervalMs: DEFAULT_PING_INTERVAL_MS,
    pingMax: DEFAULT_PING_MAX,
    auth: {},
    headers: true,
  };
}
