// The nats-streaming-server command (bin/nats-streaming-server.js): reads
// the command line (flags.ts) and the `-c` / `-sc` configuration files
// (config-files.ts) with the precedence defaults < file < command line
// (STAN-REFERENCE §7.1), starts the embedded NATS server, reloads the files
// on SIGHUP (reload.ts), and shuts it down on SIGINT or SIGTERM. Any
// error is printed to stderr and gives exit code 1; so does any flag or
// config key for a feature this server does not have yet, rather than being
// ignored.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFiles, type LoadedConfig } from './config-files.js';
import type { NatsConfigOptions } from '../nats/config-options.js';
import type { ConfigReloader, Configured } from './reload.js';
import { startServers, StartFailed, stopServers, type Servers } from './servers.js';
import { stanConfigNotSupported } from '../config/stan-options.js';
import { PACKAGE_ROOT } from '../core/index.js';
import { openLogger, type LoggerOptions, type ServerLogger } from '../log/logger.js';
import type { AuthOptions } from '../nats/auth.js';
import { validateAuthOptions } from '../nats/auth.js';
import { defaultNatsOptions, DEFAULT_TLS_TIMEOUT_MS, type NatsOptions } from '../nats/options.js';
import { NATS_VERSION } from '../nats/server.js';
import type { MonitorOptions } from '../monitor/index.js';
import { monitorOptionsFrom } from '../monitor/options.js';
import type { ParsedFlags } from '../config/flag-table.js';
import { CliError, ignoredFlags, parseFlags, unsupportedFlags, usageText, versionText } from './flags.js';
import { clusterOptionsFrom } from './cluster-flags.js';
import { GO_SIGNAL_NAMES, removePidFile, sendSignalCommand, STOP_EXIT_CODES, trapSignals, writePidFile } from './signals.js';
import { shortenEventLoopSlice } from './event-loop-slice.js';

const PROGRAM = 'nats-streaming-server';

/**
 * Longest wait for the server to close its connections at shutdown. The
 * timer also keeps the process alive meanwhile: a connection the server has
 * ended but the peer has not closed is destroyed by an unref'd timer in
 * client.ts, and without a ref'd handle the process would exit (code 13)
 * with the shutdown still pending.
 */
const SHUTDOWN_TIMEOUT_MS = 5_000;

/** The NatsOptions a config file can set (natsOptionsFromConfig). */
const NATS_KEYS: ReadonlyArray<keyof NatsOptions> = [
  'host', 'port', 'serverName', 'maxPayload', 'maxControlLine', 'maxConnections', 'maxSubscriptions',
  'maxPending', 'writeDeadlineMs', 'pingIntervalMs', 'pingMax', 'auth', 'tls', 'headers', 'cluster',
];

/** Settings from the `-c` file that enable a feature this server lacks yet. */
const FILE_FEATURES_NOT_YET: ReadonlyArray<[option: keyof NatsConfigOptions, what: string]> = [];

/** Writes to a stream and waits until the text is handed to the OS. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

/** Prints an error the way the Go server's PrintAndDie does, and gives exit code 1. */
async function die(message: string): Promise<number> {
  await write(process.stderr, `${message}\n`);
  return 1;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** What the command line asks for, over what the file says, over the defaults. */
export interface BuiltOptions {
  nats: NatsOptions;
  log: LoggerOptions;
  /** `-P` / `pid_file`. */
  pidFile?: string;
  /** -m/-ms and the file's http/https settings; undefined when monitoring is off. */
  monitor?: MonitorOptions;
}

/**
 * Lays the config file's options over the defaults, then the flags over
 * both (nats-server ConfigureOptions parses the flags again after the file).
 * Throws CliError for flag combinations that cannot work.
 */
export function buildOptions(
  flags: ParsedFlags,
  file: NatsConfigOptions = { streamingKeys: [], sources: {} },
  stanFile: Readonly<Record<string, unknown>> = {},
): BuiltOptions {
  const v = flags.values;
  const given = (key: string): boolean => flags.set.has(key);
  const nats: NatsOptions = defaultNatsOptions();
  for (const key of NATS_KEYS) {
    if (file[key] !== undefined) Object.assign(nats, { [key]: file[key] });
  }

  if (given('host')) nats.host = v.host as string;
  if (given('port')) {
    const port = v.port as number;
    // -1 asks for a random port, as nats-server's RANDOM_PORT.
    if (port < -1 || port > 65535) {
      const flag = flags.given.get('port');
      throw new CliError(`invalid value "${port}" for flag ${flag}: expected a port number from 0 to 65535 (or -1 for any free port)`);
    }
    nats.port = port === -1 ? 0 : port;
  }
  if (given('serverName')) nats.serverName = v.serverName as string;

  if (given('user') || given('password') || given('token')) {
    const auth: AuthOptions = { ...nats.auth };
    if (given('user')) auth.user = (v.user as string) || undefined;
    if (given('password')) auth.password = (v.password as string) || undefined;
    if (given('token')) auth.token = (v.token as string) || undefined;
    try {
      validateAuthOptions(auth, 'authorization');
    } catch (err) {
      throw new CliError(`--user, --pass and --auth do not fit the configuration: ${(err as Error).message}`, { cause: err });
    }
    nats.auth = auth;
  }

  // nats-server: `-tls=false` turns TLS off; any other TLS flag replaces the file's TLS settings.
  if (given('tls') && v.tls === false) {
    delete nats.tls;
  } else if (['tls', 'tlsVerify', 'tlsCert', 'tlsKey', 'tlsCaCert'].some(given)) {
    if (!v.tlsCert) throw new CliError('TLS Server certificate must be present and valid (--tlscert)');
    if (!v.tlsKey) throw new CliError('TLS Server private key must be present and valid (--tlskey)');
    nats.tls = {
      cert: v.tlsCert as string,
      key: v.tlsKey as string,
      ...(v.tlsCaCert ? { ca: v.tlsCaCert as string } : {}),
      verify: v.tlsVerify === true,
      timeoutMs: nats.tls?.timeoutMs ?? DEFAULT_TLS_TIMEOUT_MS,
    };
  }

  const cluster = clusterOptionsFrom(flags, file);
  if (cluster) nats.cluster = cluster;
  else delete nats.cluster;

  const log: LoggerOptions = {
    debug: given('debug') ? (v.debug as boolean) : (file.debug ?? false),
    trace: given('trace') ? (v.trace as boolean) : (file.trace ?? false),
    logtime: given('logtime') ? (v.logtime as boolean) : (file.logtime ?? true),
  };
  // Go applies these after -D/-V, in name order, so they win (and support -DV=false).
  if (given('debugAndTrace')) log.debug = log.trace = v.debugAndTrace as boolean;
  if (given('debugAndTraceVerbose')) log.debug = log.trace = v.debugAndTraceVerbose as boolean;
  if (given('traceVerbose')) log.trace = v.traceVerbose as boolean;
  Object.assign(log, logOutputOptions(flags, file, stanFile));
  const pidFile = given('pidFile') ? (v.pidFile as string) : file.pidFile;
  const monitor = monitorOptionsFrom(flags, file, nats);
  return { nats, log, ...(pidFile ? { pidFile } : {}), ...(monitor ? { monitor } : {}) };
}

/** -SD/-SV (or the streaming file's sd/sv) and where the lines go: flags over the files. */
function logOutputOptions(flags: ParsedFlags, file: NatsConfigOptions, stanFile: Readonly<Record<string, unknown>>): LoggerOptions {
  const v = flags.values;
  const pick = <T>(key: string, fromFile: T | undefined): T | undefined => (flags.set.has(key) ? (v[key] as T) : fromFile);
  const o: LoggerOptions = {
    stanDebug: pick<boolean>('stanDebug', stanFile.stanDebug as boolean | undefined) === true,
    stanTrace: pick<boolean>('stanTrace', stanFile.stanTrace as boolean | undefined) === true,
    logtimeUtc: v.logtimeUtc === true,
    syslog: pick('syslog', file.syslog) === true,
    json: v.logJson === true,
  };
  if (flags.set.has('stanDebugAndTrace')) o.stanDebug = o.stanTrace = v.stanDebugAndTrace as boolean;
  const logFile = pick<string>('logFile', file.logFile);
  if (logFile) o.logFile = logFile;
  const remote = pick<string>('remoteSyslog', file.remoteSyslog);
  if (remote) o.remoteSyslog = remote;
  if (typeof v.logSizeLimit === 'number' && v.logSizeLimit > 0) o.logSizeLimit = v.logSizeLimit;
  return o;
}

/** Reasons this configuration cannot run here yet, one line each. */
function notSupportedYet(flags: ParsedFlags, loaded: LoadedConfig): string[] {
  const out = unsupportedFlags(flags).map(({ flag }) => `flag ${flag} is not supported yet`);
  if (loaded.stan !== undefined) out.push(...stanConfigNotSupported(loaded.stan));
  const file = loaded.nats;
  if (file === undefined) return out;
  for (const [option, what] of FILE_FEATURES_NOT_YET) {
    const value = file[option];
    if (value !== undefined && value !== false && value !== '' && value !== 0) {
      out.push(`config key ${file.sources[option] ?? option} is not supported yet (${what})`);
    }
  }
  return out;
}

/**
 * Reads the configuration files and builds the options, at startup and on
 * each SIGHUP reload. Throws an Error whose message is what to print.
 */
function configure(flags: ParsedFlags): Configured {
  const loaded = loadConfigFiles(flags);
  const refused = notSupportedYet(flags, loaded);
  if (refused.length > 0) throw new CliError(refused.join('\n'));
  return { loaded, built: buildOptions(flags, loaded.nats, loaded.stan?.values) };
}

/** Runs the command with the arguments after the program name; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let flags: ParsedFlags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (err instanceof CliError) return die(`${err.message}\n(${PROGRAM} -h lists the options)`);
    throw err;
  }
  const v = flags.values;
  if (v.version === true) {
    await write(process.stdout, versionText(packageVersion(), NATS_VERSION));
    return 0;
  }
  if (v.help === true) {
    await write(process.stdout, usageText());
    return 0;
  }
  if (v.helpTls === true) {
    const { tlsHelpText } = await import('./help-tls.js');
    await write(process.stdout, tlsHelpText());
    return 0;
  }
  if (typeof v.signal === 'string' && v.signal !== '') {
    // -sl: signal a running server (its pid from the argument or the -P file) and exit.
    try {
      sendSignalCommand(v.signal, typeof v.pidFile === 'string' ? v.pidFile : undefined);
      return 0;
    } catch (err) {
      return die((err as Error).message);
    }
  }

  let configured: Configured;
  let configFile: string | undefined;
  let built: BuiltOptions;
  try {
    configured = configure(flags);
    configFile = configured.loaded.natsFile;
    built = configured.built;
    if (v.checkConfig === true) {
      if (configFile === undefined) return die('must specify [-c, --config] option to check configuration file syntax');
      if (built.nats.tls) (await import('../nats/tls.js')).tlsServerOptions(built.nats.tls); // reads and checks the files
      await write(process.stderr, `${PROGRAM}: configuration file ${configFile} is valid\n`);
      return 0;
    }
  } catch (err) {
    return die((err as Error).message);
  }

  let log: ServerLogger;
  try {
    log = await openLogger(built.log);
    if (built.pidFile !== undefined) {
      writePidFile(built.pidFile);
      const pidFile = built.pidFile;
      process.once('exit', () => removePidFile(pidFile));
    }
  } catch (err) {
    return die((err as Error).message);
  }
  shortenEventLoopSlice(log);
  // SIGINT/SIGTERM stop (trapped once NATS listens); SIGUSR1 reopens the log file (logrotate).
  let signals: ReturnType<typeof trapSignals> | undefined;
  let servers: Servers;
  try {
    servers = await startServers(flags, configured.loaded, built, log, () => {
      signals = trapSignals(() => void log.reopen());
      for (const flag of ignoredFlags(flags)) log.stan.debug(`STREAM: ${flag} is accepted for compatibility and ignored`);
    });
  } catch (err) {
    if (err instanceof StartFailed) return 1;
    throw err;
  }
  const { nats: server, streaming } = servers;
  // SIGHUP: read the files again and apply what can change at runtime.
  // Trapped before "Server is ready": a SIGHUP sent on reading that line
  // must not find the default action (exit) still in place.
  // The reload code loads on the first SIGHUP, not at every start; later
  // signals wait for the same load, so reloads still run in signal order.
  let reloader: Promise<ConfigReloader> | undefined;
  const onHup = (): void => {
    reloader ??= import('./reload.js').then(
      ({ ConfigReloader }) =>
        new ConfigReloader(
          { flags, configure: () => configure(flags), nats: server, stan: streaming, log, setLogLevels: (l) => log.setLevels(l) },
          configured,
        ),
    );
    void reloader.then((r) => r.reload());
  };
  process.on('SIGHUP', onHup);
  log.info('Server is ready');

  const stopSignal = await signals!.stopped;
  log.info(`Trapped "${GO_SIGNAL_NAMES[stopSignal]}" signal`);
  process.off('SIGHUP', onHup);
  log.info('Initiating Shutdown...');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), SHUTDOWN_TIMEOUT_MS)));
  const stopping = stopServers(servers).then(() => false);
  if (await Promise.race([stopping, timedOut])) log.warn(`Connections still open after ${SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
  clearTimeout(timer);
  log.info('Server Exiting..');
  await log.close();
  return STOP_EXIT_CODES[stopSignal];
}
