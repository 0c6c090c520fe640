// The server's log lines in the Go server's format:
//   [pid] 2006/01/02 15:04:05.000000 [INF] message
// (STAN-REFERENCE §7: -l, -T, -D, -V). Issue #6 adds files, syslog and
// reopening; everything logs through this interface.

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
  trace(msg: string): void;
  readonly debugEnabled: boolean;
  readonly traceEnabled: boolean;
}

export interface LoggerOptions {
  debug?: boolean;
  trace?: boolean;
  /** Prefix lines with date and time (-T, default true). */
  logtime?: boolean;
  /** Where lines go (default stderr). */
  write?: (line: string) => void;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function timestamp(d: Date): string {
  const us = d.getMilliseconds() * 1000;
  return (
    `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(us, 6)}`
  );
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const logtime = opts.logtime ?? true;
  const prefix = `[${process.pid}] `;
  const line = (level: string, msg: string) =>
    write(`${prefix}${logtime ? timestamp(new Date()) + ' ' : ''}[${level}] ${msg}\n`);
  const debugEnabled = !!opts.debug;
  const traceEnabled = !!opts.trace;
  return {
    info: (m) => line('INF', m),
    warn: (m) => line('WRN', m),
    error: (m) => line('ERR', m),
    debug: (m) => debugEnabled && line('DBG', m),
    trace: (m) => traceEnabled && line('TRC', m),
    debugEnabled,
    traceEnabled,
  };
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  trace() {},
  debugEnabled: false,
  traceEnabled: false,
};
