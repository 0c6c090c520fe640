// Starting and stopping what one server process runs: the embedded NATS
// server (none with -ns), the streaming layer on it, and monitoring when
// asked for. Shared by the command (main.ts) and the embedding API
// (src/embed), so both start the same servers with the same log lines.

import { startStreaming } from '../streaming/start.js';
import type { StanServer } from '../streaming/server.js';
import type { ParsedFlags } from '../config/flag-table.js';
import { withStanConfig } from '../config/stan-options.js';
import { core } from '../core/index.js';
import type { Logger, ServerLogger } from '../log/logger.js';
import { NATS_VERSION, NatsServer } from '../nats/server.js';
import type { Monitor } from '../monitor/index.js';
import type { LoadedConfig } from './config-files.js';
import type { BuiltOptions } from './main.js';

/** The servers of one process, started. */
export interface Servers {
  /** The embedded NATS server; undefined with -ns (an external one). */
  nats: NatsServer | undefined;
  streaming: StanServer;
  monitor: Monitor | undefined;
}

/** A start that failed; its reason is already logged, as the Go server logs it. */
export class StartFailed extends Error {
  override name = 'StartFailed';
}

/** nats-server's start banner (Server.Start), plus which Rust core runs. */
function logBanner(log: Logger, server: NatsServer, configFile: string | undefined): void {
  log.info('Starting nats-server');
  log.info(`  Version:  ${NATS_VERSION}`);
  log.info('  Git:      [not set]');
  log.info(`  Core:     ${core().kind}`);
  log.info(`  Name:     ${server.opts.serverName ?? server.id}`);
  log.info(`  ID:       ${server.id}`);
  if (configFile !== undefined) log.info(`Using configuration file: ${configFile}`);
}

/**
 * Starts the servers the files (`loaded`) and the options built over them
 * describe. `natsStarted` runs once the
 * NATS server listens (or at once with -ns), before the streaming layer
 * recovers. Throws StartFailed after logging why, having stopped whatever
 * had started.
 */
export async function startServers(
  flags: ParsedFlags,
  loaded: LoadedConfig,
  built: BuiltOptions,
  log: ServerLogger,
  natsStarted: () => void = () => {},
): Promise<Servers> {
  // With -ns (or nats_server_url) the streaming layer uses that NATS server and none is embedded.
  const url = withStanConfig(flags, loaded.stan).values.natsServerUrl;
  const external = typeof url === 'string' && url !== '';
  let nats: NatsServer | undefined;
  if (!external) {
    try {
      nats = new NatsServer(built.nats, log);
      logBanner(log, nats, loaded.natsFile);
      await nats.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.syscall === 'listen') log.error(`Error listening on port: ${built.nats.host}:${built.nats.port}, "${e.message}"`);
      else log.error(e.message);
      throw new StartFailed(e.message, { cause: err });
    }
  }
  natsStarted();
  let streaming: StanServer;
  try {
    streaming = await startStreaming(nats, flags, log.stan, loaded.stan);
  } catch (err) {
    log.error((err as Error).message);
    await nats?.shutdown();
    throw new StartFailed((err as Error).message, { cause: err });
  }
  let monitor: Monitor | undefined;
  if (built.monitor !== undefined) {
    try {
      // fastify and prom-client are loaded only when monitoring is asked for.
      const { startMonitor } = await import('../monitor/index.js');
      monitor = await startMonitor(built.monitor, { nats, stan: streaming, coreKind: core().kind }, log);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      log.error(e.syscall === 'listen' ? `can't listen to the monitor port: ${e.message}` : e.message);
      await streaming.shutdown();
      await nats?.shutdown();
      throw new StartFailed(e.message, { cause: err });
    }
  }
  return { nats, streaming, monitor };
}

/** Stops monitoring, then the streaming layer, then the NATS server. */
export async function stopServers(s: Servers): Promise<void> {
  await s.monitor?.close();
  await s.streaming.shutdown();
  await s.nats?.shutdown();
}
