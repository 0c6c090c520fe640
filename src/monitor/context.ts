// What the monitoring routes read from: the running servers (read-only,
// through the snapshot builders in snapshot/), where the monitor listens
// (for /varz), per-path request counts, and process figures.

import type { CoreKind } from '../core/index.js';
import type { NatsServer } from '../nats/server.js';
import type { StanServer } from '../streaming/server.js';
import type { ProcessSampler } from './snapshot/process.js';
import type { RateSampler } from './rates.js';

/**
 * The servers to report on. `nats` is undefined with -ns (no embedded NATS
 * server); `stan` may be set after the monitor started.
 */
export interface MonitorSources {
  nats?: NatsServer | undefined;
  stan?: StanServer | undefined;
  /** Which build of the Rust core runs (/varz `core`). */
  coreKind: CoreKind;
  /** When the configuration was loaded (/varz `config_load_time`). */
  configLoadTime?: Date;
}

/** Where the monitor listens, as /varz reports it. */
export interface ListenInfo {
  host: string;
  httpPort: number;
  httpsPort: number;
}

/** Paths whose requests /varz counts in `http_req_stats` (nats-server's own endpoints). */
export const COUNTED_PATHS = ['/', '/varz', '/connz', '/routez', '/subsz', '/healthz'] as const;

export interface MonitorContext {
  readonly sources: MonitorSources;
  readonly listen: ListenInfo;
  /** Requests per path, for /varz `http_req_stats`. */
  readonly requests: Map<string, number>;
  readonly proc: ProcessSampler;
  readonly rates: RateSampler;
}

/** A resource the sources lack (no embedded NATS server, streaming not started): HTTP 503. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  readonly statusCode = 503;
}

/** An unknown client or channel: HTTP 404 with Go's text. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  readonly statusCode = 404;
}

export function natsOf(ctx: MonitorContext): NatsServer {
  const n = ctx.sources.nats;
  if (n === undefined) throw new UnavailableError('no embedded NATS server: the streaming server uses an external one (-ns)');
  return n;
}

export function stanOf(ctx: MonitorContext): StanServer {
  const s = ctx.sources.stan;
  if (s === undefined) throw new UnavailableError('the streaming server is not running yet');
  return s;
}
