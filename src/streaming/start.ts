// Starting the streaming layer from the command line's options laid over
// the streaming configuration file's (defaults < file < command line,
// STAN-REFERENCE §7.1): its options, the store, the NATS transport (the
// embedded server, or -ns), and the Go server's startup lines.

import type { ParsedFlags } from '../config/flag-table.js';
import { type StanConfig, withStanConfig } from '../config/stan-options.js';
import type { Logger } from '../log/logger.js';
import type { NatsServer } from '../nats/server.js';
import { openStore } from '../stores/open.js';
import { stanOptions } from './options.js';
import { formatLimitsBanner } from './limits-banner.js';
import { StanServer } from './server.js';
import { EmbeddedTransport } from './transport-embedded.js';
import type { NatsTransport } from './transport.js';

/** The version of the Go server this one replaces, as clients and operators know it. */
export const STAN_VERSION = '0.25.6';

export class StartError extends Error {
  override name = 'StartError';
}

/** The Go server's recovery line, plus what was recovered and how long it took. */
function logRecovered(server: StanServer, log: Logger, ms: number): void {
  if (server.channels.size === 0 && server.clients.size === 0) {
    log.info('STREAM: No recovered state');
    return;
  }
  let msgs = 0;
  let subs = 0;
  for (const c of server.channels.values()) {
    msgs += c.msgs.state().msgs;
    subs += c.subs.size;
  }
  log.info(`STREAM: Recovered ${server.channels.size} channel(s)`);
  log.info(
    `STREAM: Recovered ${msgs} message(s), ${server.clients.size} client(s) and ${subs} subscription(s) in ${ms.toFixed(1)} ms`,
  );
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
  // The nats client is loaded only for -ns.
  const { connectExternal } = await import('./transport-external.js');
  return connectExternal(
    {
      url,
      name,
      // --user/--pass/--auth win over the streaming config's username/password/token (§7.2).
      ...((v.user ?? v.stanUser) !== undefined ? { user: (v.user ?? v.stanUser) as string } : {}),
      ...((v.password ?? v.stanPassword) !== undefined ? { pass: (v.password ?? v.stanPassword) as string } : {}),
      ...((v.token ?? v.stanToken) !== undefined ? { token: (v.token ?? v.stanToken) as string } : {}),
      ...(tls !== undefined ? { tls } : {}),
    },
    log,
  );
}

/**
 * Starts the streaming server on the embedded NATS server, or, when
 * `nats` is undefined, on the external one of -ns. `file` holds the
 * streaming configuration file's options, which the command line overrides.
 */
export async function startStreaming(
  nats: NatsServer | undefined,
  cmdline: ParsedFlags,
  log: Logger,
  file?: StanConfig,
): Promise<StanServer> {
  const opts = stanOptions(cmdline, file);
  const flags = withStanConfig(cmdline, file);
  const { store, location } = await openStore(flags, log);
  log.info(`STREAM: Starting nats-streaming-server[${opts.clusterId}] version ${STAN_VERSION}`);
  const transport = await transportFor(nats, flags, opts.clusterId, log);
  const server = new StanServer(opts, store, transport, log);
  const serve = async (): Promise<void> => {
    log.info('STREAM: Recovering the state...');
    const recoveryStart = performance.now();
    await server.start();
    logRecovered(server, log, performance.now() - recoveryStart);
    log.info(`STREAM: Message store is ${store.type}`);
    if (location !== undefined) log.info(`STREAM: Store location: ${location}`);
    for (const line of formatLimitsBanner(opts.storeLimits)) log.info(`STREAM: ${line}`);
    log.info('STREAM: Streaming Server is ready');
  };
  const group = flags.values.ftGroupName;
  if (typeof group === 'string' && group !== '') {
    // A member of an FT group serves only once it holds the store (ft.ts),
    // whose code loads only here.
    try {
      const { startInStandby } = await import('./ft-group.js');
      startInStandby(server, group, serve);
    } catch (err) {
      await transport.close();
      await store.close();
      throw err;
    }
    return server;
  }
  await serve();
  return server;
}
