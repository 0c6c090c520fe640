// The server's logger (STAN-REFERENCE §7.2; nats-server logger/, the
// streaming server's logger/logger.go). Everything logs through Logger.
//
// - Output, in Go's order of precedence: `-l FILE` (file.ts), else
//   `-r URL` (remote syslog), else `-s` (local syslog; syslog.ts), else
//   stderr. Lines are in the Go format (format.ts) unless `--log_json`
//   asks for one JSON object per line (pino).
// - Levels: -D/-V gate the NATS layer's debug and trace, -SD/-SV the
//   streaming layer's, which logs through the `stan` view (Go's
//   StanLogger keeps its own flags over the same output). setLevels()
//   changes them at runtime (SIGHUP reload).
// - reopen() is SIGUSR1: the file is opened again by name, for logrotate.

import { hostname } from 'node:os';
import type { Logger as Pino } from 'pino';
import { loadPino } from './pino.js';
import { FileOutput } from './file.js';
import { type Clock, type Level, LineFormatter, wallClock } from './format.js';
import type { SyslogOutput } from './syslog.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
  trace(msg: string): void;
  /** Check before building a costly message. */
  readonly debugEnabled: boolean;
  readonly traceEnabled: boolean;
}

/** What -D, -V, -SD and -SV switch on; each can change at runtime. */
export interface LogLevels {
  debug: boolean;
  trace: boolean;
  stanDebug: boolean;
  stanTrace: boolean;
}

/** The logger of a running server: the NATS layer's view, plus control. */
export interface ServerLogger extends Logger {
  /** The streaming layer's view: debug and trace follow -SD and -SV. */
  readonly stan: Logger;
  levels(): LogLevels;
  setLevels(levels: Partial<LogLevels>): void;
  /** SIGUSR1: reopens the log file by name; false when not logging to a file. */
  reopen(): boolean;
  /** Flushes and closes the output. */
  close(): Promise<void>;
}

export interface LoggerOptions {
  debug?: boolean;
  trace?: boolean;
  stanDebug?: boolean;
  stanTrace?: boolean;
  /** Prefix lines with date and time (-T, default true). */
  logtime?: boolean;
  /** Date and time in UTC (--logtime_utc). */
  logtimeUtc?: boolean;
  /** Append to this file (-l). */
  logFile?: string;
  /** Rotate the file past this many bytes (--log_size_limit; 0: never). */
  logSizeLimit?: number;
  /** Local syslog (-s). */
  syslog?: boolean;
  /** Remote syslog URL (-r): udp://host:port, tcp://host:port, unix:///path. */
  remoteSyslog?: string;
  /** One JSON object per line instead of the Go format (--log_json). */
  json?: boolean;
  /** Coloured labels (default: when stderr is a terminal, as nats-server). */
  colors?: boolean;
  /** Where lines go instead of stderr (tests, embedding). */
  write?: (line: string) => void;
  /** Time source in epoch microseconds (tests). */
  clock?: Clock;
  /** The pid shown (default: this process's). */
  pid?: number;
  /** Local syslog socket paths to try (tests; default Go's). */
  syslogPaths?: readonly string[];
  /** Syslog tag (default: the program name). */
  syslogTag?: string;
}

/** Where formatted text goes. */
interface Out {
  write(text: string): void;
}

/** Turns a level and message into output. */
interface Sink {
  write(level: Level, msg: string): void;
  close(): Promise<void>;
}

const STREAM_PREFIX = 'STREAM: ';

function lineSink(out: Out, o: LoggerOptions, close: () => Promise<void>): Sink {
  const fmt = new LineFormatter({
    logtime: o.logtime ?? true,
    utc: o.logtimeUtc ?? false,
    colors: o.colors ?? false,
    ...(o.pid !== undefined ? { pid: o.pid } : {}),
  });
  const clock = o.clock ?? wallClock;
  return { write: (level, msg) => out.write(fmt.format(level, msg, clock())), close };
}

/** ISO 8601 in UTC with microseconds. */
function isoMicros(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

/** pino with its level names and our clock; streaming lines carry `"layer":"streaming"` instead of the prefix. */
function jsonSink(out: Out, o: LoggerOptions, close: () => Promise<void>): Sink {
  const clock = o.clock ?? wallClock;
  const p: Pino = loadPino()(
    {
      level: 'trace', // the gates are ours
      base: { pid: o.pid ?? process.pid, hostname: hostname() },
      timestamp: () => `,"time":"${isoMicros(clock())}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (s: string) => out.write(s) },
  );
  const stan = p.child({ layer: 'streaming' });
  return {
    write(level, msg) {
      if (msg.startsWith(STREAM_PREFIX)) stan[level](msg.slice(STREAM_PREFIX.length));
      else p[level](msg);
    },
    close,
  };
}

function syslogSink(s: SyslogOutput): Sink {
  return { write: (level, msg) => s.write(level, msg), close: () => s.close() };
}

const stderrOut: Out = { write: (text) => void process.stderr.write(text) };

/**
 * Writes to a sink; debug and trace pass where the subclass's gates say.
 * The loggers are classes, never object literals with getters: such a
 * literal is a dictionary-mode object, which made each `log.traceEnabled`
 * check of the hot paths a generic lookup.
 */
abstract class SinkLogger implements Logger {
  constructor(
    protected readonly sink: Sink,
    /** The server logger's levels, changed in place by setLevels. */
    protected readonly gates: LogLevels,
  ) {}

  abstract get debugEnabled(): boolean;
  abstract get traceEnabled(): boolean;

  info(msg: string): void {
    this.sink.write('info', msg);
  }

  warn(msg: string): void {
    this.sink.write('warn', msg);
  }

  error(msg: string): void {
    this.sink.write('error', msg);
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.sink.write('debug', msg);
  }

  trace(msg: string): void {
    if (this.traceEnabled) this.sink.write('trace', msg);
  }
}

/** The streaming layer's view of a server logger: -SD and -SV gate it. */
class StanLogger extends SinkLogger {
  get debugEnabled(): boolean {
    return this.gates.stanDebug;
  }

  get traceEnabled(): boolean {
    return this.gates.stanTrace;
  }
}

class ServerLoggerImpl extends SinkLogger implements ServerLogger {
  readonly stan: Logger;

  constructor(
    sink: Sink,
    levels: LogLevels,
    private readonly file: FileOutput | undefined,
  ) {
    super(sink, { ...levels });
    this.stan = new StanLogger(sink, this.gates);
  }

  get debugEnabled(): boolean {
    return this.gates.debug;
  }

  get traceEnabled(): boolean {
    return this.gates.trace;
  }

  levels(): LogLevels {
    return { ...this.gates };
  }

  setLevels(levels: Partial<LogLevels>): void {
    for (const key of ['debug', 'trace', 'stanDebug', 'stanTrace'] as const) {
      const v = levels[key];
      if (v !== undefined) this.gates[key] = v;
    }
  }

  reopen(): boolean {
    // The streaming server's StanLogger.ReopenLogFile, word for word.
    if (this.file === undefined) {
      this.stan.info(`${STREAM_PREFIX}File log re-open ignored, not a file logger`);
      return false;
    }
    if (!this.file.reopen()) return false;
    this.stan.info(`${STREAM_PREFIX}File log re-opened`);
    return true;
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}

function levelsOf(o: LoggerOptions): LogLevels {
  return { debug: !!o.debug, trace: !!o.trace, stanDebug: !!o.stanDebug, stanTrace: !!o.stanTrace };
}

const noClose = (): Promise<void> => Promise.resolve();

/** A sink over text output: JSON or Go lines. */
function textSink(out: Out, o: LoggerOptions, close: () => Promise<void>): Sink {
  return o.json ? jsonSink(out, o, close) : lineSink(out, { ...o, colors: o.colors ?? false }, close);
}

/** Opens `-l FILE` with rotation wired to a note in the new file. Throws if it cannot be opened. */
function fileSink(o: LoggerOptions): { sink: Sink; file: FileOutput } {
  let sink: Sink | undefined;
  let file: FileOutput;
  try {
    file = new FileOutput(o.logFile!, {
      sizeLimit: o.logSizeLimit ?? 0,
      onRotated: (backup) => sink?.write('info', `Rotated log, backup saved as ${JSON.stringify(backup)}`),
    });
  } catch (err) {
    // nats-server's NewFileLogger: log.Fatalf("error opening file: %v", err)
    throw new Error(`error opening file: ${(err as Error).message}`, { cause: err });
  }
  // nats-server never colours a file.
  sink = textSink(file, { ...o, colors: false }, () => file.close());
  return { sink, file };
}

/**
 * A logger to a file, the given write function or stderr (syslog needs
 * openLogger). Throws if the log file cannot be opened.
 */
export function createLogger(o: LoggerOptions = {}): ServerLogger {
  if (o.logFile) {
    const { sink, file } = fileSink(o);
    return new ServerLoggerImpl(sink, levelsOf(o), file);
  }
  if (o.write !== undefined) {
    const write = o.write;
    return new ServerLoggerImpl(textSink({ write }, o, noClose), levelsOf(o), undefined);
  }
  const colors = o.colors ?? (process.stderr.isTTY === true && !process.env.NO_COLOR);
  return new ServerLoggerImpl(textSink(stderrOut, { ...o, colors }, noClose), levelsOf(o), undefined);
}

/**
 * The server's logger for its options, in Go's precedence: file, remote
 * syslog, local syslog, stderr. Rejects with nats-server's message when
 * the destination cannot be opened.
 */
export async function openLogger(o: LoggerOptions = {}): Promise<ServerLogger> {
  if (o.logFile || (!o.remoteSyslog && !o.syslog)) return createLogger(o);
  const so = {
    ...(o.syslogTag !== undefined ? { tag: o.syslogTag } : {}),
    ...(o.pid !== undefined ? { pid: o.pid } : {}),
  };
  // Loaded only for syslog: it brings in child_process, dgram and dns, which every other start would pay for.
  const { openLocalSyslog, openRemoteSyslog } = await import('./syslog.js');
  const out = o.remoteSyslog
    ? await openRemoteSyslog(o.remoteSyslog, so)
    : await openLocalSyslog({ ...so, ...(o.syslogPaths ? { paths: o.syslogPaths } : {}) });
  return new ServerLoggerImpl(syslogSink(out), levelsOf(o), undefined);
}

/**
 * Drops everything. A class for the reason SinkLogger gives; its members
 * are own properties, so that a logger made by spreading it
 * (`{ ...silentLogger, error }`) has them.
 */
class SilentLogger implements ServerLogger {
  readonly debugEnabled = false;
  readonly traceEnabled = false;
  readonly stan: Logger = this;
  readonly info = noop;
  readonly warn = noop;
  readonly error = noop;
  readonly debug = noop;
  readonly trace = noop;
  readonly setLevels = noop;
  readonly levels = (): LogLevels => ({ debug: false, trace: false, stanDebug: false, stanTrace: false });
  readonly reopen = (): boolean => false;
  readonly close = (): Promise<void> => Promise.resolve();
}

function noop(): void {}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: ServerLogger = new SilentLogger();
