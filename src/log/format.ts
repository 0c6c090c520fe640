// The Go server's log line (nats-server logger/log.go, Go's `log` package
// with LstdFlags|Lmicroseconds and a "[pid] " prefix):
//   [1234] 2006/01/02 15:04:05.000000 [INF] message
// `-T=false` drops the date and time, `--logtime_utc` prints them in UTC,
// and on a terminal the label is coloured as nats-server does.

/** The levels every log call goes through (Go's Noticef is our info). */
export type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const LABELS: Record<Level, string> = { fatal: 'FTL', error: 'ERR', warn: 'WRN', info: 'INF', debug: 'DBG', trace: 'TRC' };
/** nats-server's setColoredLabelFormats. */
const COLORS: Record<Level, string> = { fatal: '31', error: '31', warn: '0;93', info: '32', debug: '36', trace: '33' };

/** `[INF] `, or its coloured form; built once per logger (pino's lsCache idea). */
export function labels(colors: boolean): Record<Level, string> {
  const out = {} as Record<Level, string>;
  for (const level of Object.keys(LABELS) as Level[]) {
    out[level] = colors ? `[\x1b[${COLORS[level]}m${LABELS[level]}\x1b[0m] ` : `[${LABELS[level]}] `;
  }
  return out;
}

/** Microseconds since the epoch: the log clock. */
export type Clock = () => number;

/** How far the monotonic-based time may stray from Date.now() before it is re-aligned. */
const CLOCK_TOLERANCE_MS = 1;
let offsetMs = performance.timeOrigin;

/**
 * The wall clock with microseconds, as Go prints them. Date.now() only has
 * milliseconds, so the monotonic clock supplies the fraction: its offset to
 * the wall clock is re-aligned (to the middle of Date.now()'s millisecond)
 * when they drift apart, or after a clock step. Within about a millisecond
 * of the wall clock, and never costs more than two clock reads.
 */
export const wallClock: Clock = () => {
  const p = performance.now();
  let t = offsetMs + p;
  const w = Date.now();
  if (t < w - CLOCK_TOLERANCE_MS || t >= w + 1 + CLOCK_TOLERANCE_MS) {
    offsetMs = w + 0.5 - p;
    t = w + 0.5;
  }
  return Math.floor(t * 1000);
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * Formats `2006/01/02 15:04:05.000000 `; the part up to the seconds is
 * cached, since consecutive lines mostly fall in the same second.
 */
export class GoTimestamp {
  #second = -1;
  #prefix = '';

  constructor(private readonly utc: boolean) {}

  format(micros: number): string {
    const second = Math.floor(micros / 1e6);
    if (second !== this.#second) {
      this.#second = second;
      const d = new Date(second * 1000);
      const [y, mo, da, h, mi, s] = this.utc
        ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
        : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
      this.#prefix = `${y}/${pad2(mo + 1)}/${pad2(da)} ${pad2(h)}:${pad2(mi)}:${pad2(s)}.`;
    }
    return `${this.#prefix}${String(micros - second * 1e6).padStart(6, '0')} `;
  }
}

export interface LineFormatOptions {
  /** Date and time on each line (-T, default true). */
  logtime?: boolean;
  /** The time in UTC (--logtime_utc). */
  utc?: boolean;
  /** ANSI colours on the label (nats-server does on a terminal). */
  colors?: boolean;
  /** The pid in the prefix (default: this process's). */
  pid?: number;
}

/** Turns (level, message, time) into one Go-format line, newline included. */
export class LineFormatter {
  readonly #prefix: string;
  readonly #labels: Record<Level, string>;
  readonly #time: GoTimestamp | undefined;

  constructor(o: LineFormatOptions = {}) {
    this.#prefix = `[${o.pid ?? process.pid}] `;
    this.#labels = labels(o.colors ?? false);
    this.#time = (o.logtime ?? true) ? new GoTimestamp(o.utc ?? false) : undefined;
  }

  format(level: Level, msg: string, micros: number): string {
    const time = this.#time === undefined ? '' : this.#time.format(micros);
    // Go's log package adds the newline only when the message lacks one.
    const nl = msg.endsWith('\n') ? '' : '\n';
    return `${this.#prefix}${time}${this.#labels[level]}${msg}${nl}`;
  }
}
