// Starting the streaming layer from the command line's options: its
// options, the store, the NATS transport (the embedded server, or -ns),
// and the Go server's startup lines.

import type { ParsedFlags } from '../cli/flags.js';
import type { Logger } from '../log/logger.js';
import type { NatsServer } from '../nats/server.js';
import { formatLimitsBanner, limitReachedWarning, validateLimits } from '../stores/limits.js';
import { MemoryStore } from '../stores/memory/index.js';
import type { Store } from '../stores/store.js';
import { defaultStanOptions, type StanOptions } from './options.js';
import { StanServer } from './server.js';
import { EmbeddedTransport } from './transport-embedded.js';
import { connectExternal } from './transport-external.js';
import type { NatsTransport } from './transport.js';

/** The version of the Go server this one replaces, as clients and operators know it. */
export const STAN_VERSION = '0.25.6';

export class StartError extends Error {
  override name = 'StartError';
}

/** StanOptions from the parsed flags (defaults < command line). */
export function stanOptionsFrom(flags: ParsedFlags): StanOptions {
  const o = defaultStanOptions();
  const v = flags.values;
  const has = (k: string) => flags.set.has(k);
  const num = (k: string) => v[k] as number;
  if (has('clusterId')) o.clusterId = v.clusterId as string;
  if (has('clientHbInterval')) o.hbIntervalMs = num('clientHbInterval');
  if (has('clientHbTimeout')) o.hbTimeoutMs = num('clientHbTimeout');
  if (has('clientHbFailCount')) o.hbFailCount = num('clientHbFailCount');
  if (has('replaceDurable')) o.replaceDurable = v.replaceDurable === true;
  if (has('ioBatchSize') && num('ioBatchSize') > 0) o.ioBatchSize = num('ioBatchSize');
  const l = o.storeLimits;
  if (has('maxChannels')) l.maxChannels = num('maxChannels');
  if (has('maxSubs')) l.maxSubscriptions = num('maxSubs');
  if (has('maxMsgs')) l.maxMsgs = num('maxMsgs');
  if (has('maxBytes')) l.maxBytes = num('maxBytes');
  if (has('maxAge')) l.maxAgeMs = num('maxAge');
  if (has('maxInactivity')) l.maxInactivityMs = num('maxInactivity');
  validateLimits(l);
  return o;
}

function openStore(flags: ParsedFlags, log: Logger): Store {
  const type = String(flags.values.storeType ?? 'MEMORY').toUpperCase();
  if (type !== 'MEMORY') {
    throw new StartError(`store type "${flags.values.storeType}" is not supported yet (use MEMORY)`);
  }
  return new MemoryStore({
    onLimitReached: (channel, state, limits) => log.warn(`STREAM: ${limitReachedWarning(channel, state, limits)}`),
  });
}

async function transportFor(nats: NatsServer | undefined, flags: ParsedFlags, clusterId: string, log: Logger): Promise<NatsTransport> {
  const name = `_NSS-${clusterId}-general`;
  const url = flags.values.natsServerUrl as string | undefined;
  if (nats !== undefined) return new EmbeddedTransport(nats, name);
  if (url === undefined || url === '') throw new StartError('no NATS server: give -ns URL or run the embedded one');
  const v = flags.values;
  const tls =
    v.secure === true || v.tlsClientCert !== undefined || v.tlsClientCaCert !== undefined
      ? {
          ...(v.tlsClientCert !== undefined ? { certFile: v.tlsClientCert as string } : {}),
          ...(v.tlsClientKey !== undefined ? { keyFile: v.tlsClientKey as string } : {}),
          ...(v.tlsClientCaCert !== undefined ? { caFile: v.tlsClientCaCert as string } : {}),
        }
      : undefined;
  return connectExternal(
    {
      url,
      name,
      ...(v.user !== undefined ? { user: v.user as string } : {}),
      ...(v.password !== undefined ? { pass: v.password as string } : {}),
      ...(v.token !== undefined ? { token: v.token as string } : {}),
      ...(tls !== undefined ? { tls } : {}),
    },
    log,
  );
}

/**
 * Starts the streaming server on the embedded NATS server, or, when
 * `nats` is undefined, on the external one of -ns.
 */
export async function startStreaming(nats: NatsServer | undefined, flags: ParsedFlags, log: Logger): Promise<StanServer> {
  const opts = stanOptionsFrom(flags);
  const store = openStore(flags, log);
  log.info(`STREAM: Starting nats-streaming-server[${opts.clusterId}] version ${STAN_VERSION}`);
  const transport = await transportFor(nats, flags, opts.clusterId, log);
  const server = new StanServer(opts, store, transport, log);
  log.info('STREAM: Recovering the state...');
  await server.start();
  log.info('STREAM: No recovered state');
  log.info(`STREAM: Message store is ${store.type}`);
  for (const line of formatLimitsBanner(opts.storeLimits)) log.info(`STREAM: ${line}`);
  log.info('STREAM: Streaming Server is ready');
  return server;
}
