// The package's public entry point (`import { startServer } from
// 'nats-streaming-server-ts'`): the embedding API and its types. The
// command line is bin/nats-streaming-server.js.

export { createServer, EmbeddedServer, startServer } from './embed/server.js';
export type { EmbedOptions, ServerEvents } from './embed/server.js';
export type { ChannelLimitsOptions, Duration, ServerOptions, Size, StoreLimitsOptions, StreamingOptions } from './embed/options.js';
export type { CoreKind } from './core/index.js';
