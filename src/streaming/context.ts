// What the request handlers reach of the server: one object, so each
// handler file stays a function of (context, request).

import type { Logger } from '../log/logger.js';
import type { ServerInfo } from '../stores/store.js';
import type { Channels } from './channels.js';
import type { Clients } from './clients.js';
import type { Delivery } from './delivery.js';
import type { StanClient } from './model.js';
import type { StanOptions } from './options.js';
import type { Pipeline } from './pipeline.js';
import type { Subscriptions } from './subs.js';
import type { NatsTransport } from './transport.js';

export interface StanContext {
  readonly opts: StanOptions;
  readonly info: ServerInfo;
  readonly log: Logger;
  readonly transport: NatsTransport;
  readonly clients: Clients;
  readonly channels: Channels;
  readonly subs: Subscriptions;
  readonly delivery: Delivery;
  readonly pipeline: Pipeline;
  /** Unregisters a client and removes its subscriptions as a connection close does. */
  closeClient(c: StanClient, why: string): void;
}
