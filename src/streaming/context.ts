// What the request handlers reach of the server: one object, so each
// handler file stays a function of (context, request).

import type { Logger } from '../log/logger.js';
import type { ServerInfo } from '../stores/store.js';
import type { Channels } from './channels.js';
import type { Clients } from './clients.js';
import type { Clock } from './clock.js';
import type { Delivery } from './delivery.js';
import type { StanOptions } from './options.js';
import type { Partitions } from './partitions.js';
import type { Sequencer } from './sequencer.js';
import type { NatsTransport } from './transport.js';

export interface StanContext {
  readonly opts: StanOptions;
  readonly info: ServerInfo;
  readonly log: Logger;
  readonly clock: Clock;
  readonly transport: NatsTransport;
  readonly clients: Clients;
  readonly channels: Channels;
  readonly delivery: Delivery;
  /** Where handlers submit operations (ops.ts). */
  readonly sequencer: Sequencer;
  /** The channels this server owns, with `partitioning: true` (partitions.ts). */
  readonly partitions?: Partitions | undefined;
}
