// The embedding API: a streaming server inside a Node program, started and
// stopped by code instead of a command line, for instance as a throwaway
// server in a program's own tests (as nats-server's Go test helpers are
// used). It starts exactly what the command starts (src/cli/servers.ts)
// from options spelled as the configuration file spells them.

import { EventEmitter } from 'node:events';
import { buildOptions } from '../cli/main.js';
import { parseFlags } from '../cli/flags.js';
import { startServers, stopServers, type Servers } from '../cli/servers.js';
import { core, type CoreKind } from '../core/index.js';
import { openLogger, silentLogger, type ServerLogger } from '../log/logger.js';
import { loadOptions, type ServerOptions } from './options.js';

/** What `startServer()` takes besides the configuration keys. */
export interface EmbedOptions extends ServerOptions {
  /**
   * Log as the command does (stderr, or `log_file`). Default: silent, unless
   * `log_file` is given.
   */
  log?: boolean;
}

/** The events of a server handle and their arguments. */
export interface ServerEvents {
  /** The server accepts clients; emitted once, by start(). */
  ready: [info: { url: string; monitoringUrl: string | undefined }];
  /** A streaming client registered (its client id). */
  clientConnected: [clientId: string];
  /** A channel was created by a publish or a subscription (not at recovery). */
  channelCreated: [channel: string];
  /** A listener threw, or stopping failed. */
  error: [err: Error];
}

/** The host part of a URL for an address the server listens on. */
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** A streaming server running in this process. */
export class EmbeddedServer extends EventEmitter<ServerEvents> {
  #servers: Servers | undefined;
  #log: ServerLogger = silentLogger;
  #closing: Promise<void> | undefined;
  #url = '';
  #monitoringUrl: string | undefined;

  constructor(private readonly options: EmbedOptions = {}) {
    super();
  }

  /** The client URL, e.g. `nats://127.0.0.1:41231` (set once started). */
  get url(): string {
    return this.#url;
  }

  /** The monitoring URL, e.g. `http://127.0.0.1:8222`; undefined when monitoring is off. */
  get monitoringUrl(): string | undefined {
    return this.#monitoringUrl;
  }

  /** The streaming cluster id clients connect with. */
  get clusterId(): string {
    return this.#servers?.streaming.info.clusterId ?? '';
  }

  /** Which Rust core this process runs: `native` (the addon) or `wasm`. */
  get core(): CoreKind {
    return core().kind;
  }

  /**
   * Starts the servers; resolves once clients can connect. Rejects with the
   * configuration's error (named as in a file, at `<options>`) or the
   * start's (a port in use, a store that does not open).
   */
  async start(): Promise<this> {
    if (this.#servers !== undefined || this.#closing !== undefined) throw new Error('the server was already started');
    const { log: wantLog, ...config } = this.options;
    const loaded = loadOptions(config);
    const built = buildOptions(parseFlags([]), loaded.nats, loaded.stan?.values);
    const logging = wantLog ?? built.log.logFile !== undefined;
    this.#log = logging ? await openLogger(built.log) : silentLogger;
    // The embedding has no pid file, signals or reload: the program owns the process.
    const lines: string[] = [];
    const log = logging ? this.#log : recordErrors(lines);
    let servers: Servers;
    try {
      servers = await startServers(parseFlags([]), loaded, built, log);
    } catch (err) {
      await this.#log.close();
      const why = lines.length > 0 ? lines.join('\n') : (err as Error).message;
      throw new Error(`the streaming server did not start: ${why}`, { cause: err });
    }
    this.#servers = servers;
    const { nats, streaming, monitor } = servers;
    this.#url = nats !== undefined ? `nats://${urlHost(built.nats.host)}:${nats.port}` : String(loaded.stan?.values.natsServerUrl);
    if (monitor !== undefined && built.monitor !== undefined) {
      const scheme = monitor.httpPort !== undefined ? 'http' : 'https';
      this.#monitoringUrl = `${scheme}://${urlHost(built.monitor.host)}:${monitor.port}`;
    }
    // Listeners run later, outside the server's state changes, so that one
    // that throws cannot disturb them; it becomes an 'error' event.
    streaming.events.on('clientConnected', (id) => this.#later('clientConnected', id));
    streaming.events.on('channelCreated', (name) => this.#later('channelCreated', name));
    this.emit('ready', { url: this.#url, monitoringUrl: this.#monitoringUrl });
    return this;
  }

  /** Stops the servers (clients are disconnected); resolves when all is closed. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const s = this.#servers;
      this.#servers = undefined;
      if (s !== undefined) {
        s.streaming.events.removeAllListeners();
        await stopServers(s);
      }
      await this.#log.close();
    })();
    return this.#closing;
  }

  #later<K extends 'clientConnected' | 'channelCreated'>(event: K, arg: string): void {
    setImmediate(() => {
      try {
        (this.emit as (e: string, a: string) => boolean)(event, arg);
      } catch (err) {
        if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
        else throw err;
      }
    });
  }
}

/** A logger that keeps only the error lines, to say why a silent start failed. */
function recordErrors(lines: string[]): ServerLogger {
  const keep: ServerLogger = { ...silentLogger, error: (text: string) => void lines.push(text) };
  return { ...keep, get stan() { return keep; } } as ServerLogger;
}

/** A server not started yet: attach listeners, then `await server.start()`. */
export function createServer(options: EmbedOptions = {}): EmbeddedServer {
  return new EmbeddedServer(options);
}

/**
 * Starts a streaming server in this process and resolves with its handle
 * (`url`, `monitoringUrl`, `close()`, events).
 *
 * ```ts
 * const server = await startServer({ streaming: { cluster_id: 'test' } });
 * // connect node-nats-streaming to server.url with cluster id 'test'
 * await server.close();
 * ```
 */
export function startServer(options: EmbedOptions = {}): Promise<EmbeddedServer> {
  return createServer(options).start();
}
