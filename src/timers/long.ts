// Timers for any duration. Node's setTimeout/setInterval hold at most
// 2^31-1 ms (~24.9 days) and turn anything longer into 1 ms (with a
// TimeoutOverflowWarning): a 30-day AckWait redelivered every millisecond.
// Every timer whose duration comes from a flag, a config file or the
// protocol is armed here: a long one is a chain of shorter timeouts up to
// its due time on the wall clock, so it fires when due and costs one wakeup
// per chunk meanwhile. Imports nothing, so every layer may use it.

/** The longest delay Node's timers hold. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a timer is armed; the defaults are Node's timers and the wall clock. */
export interface LongTimerOptions {
  /** The longest single timeout of the chain (tests shrink it). */
  maxChunkMs?: number;
  /** The wall clock the due time is checked against. */
  now?: () => number;
  /** false: the timer keeps the process alive (Node's default). */
  unref?: boolean;
}

/** A timeout or interval armed by setLongTimeout/setLongInterval. */
export class LongTimer {
  #timer: NodeJS.Timeout | undefined;
  #due = 0;
  #cleared = false;
  readonly #fn: () => void;
  readonly #ms: number;
  readonly #repeat: boolean;
  readonly #chunk: number;
  readonly #now: () => number;
  readonly #unref: boolean;

  constructor(fn: () => void, ms: number, repeat: boolean, o: LongTimerOptions = {}) {
    this.#fn = fn;
    // As Node: not a number or under 1 ms means 1 ms; Infinity never fires.
    this.#ms = Number.isNaN(ms) || ms < 1 ? 1 : ms;
    this.#repeat = repeat;
    this.#chunk = Math.min(MAX_TIMER_MS, Math.max(1, o.maxChunkMs ?? MAX_TIMER_MS));
    this.#now = o.now ?? Date.now;
    this.#unref = o.unref ?? false;
    this.#start();
  }

  /** Cancels the timer; safe to call more than once or after it fired. */
  clear(): void {
    this.#cleared = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #start(): void {
    if (this.#ms <= this.#chunk) {
      // The common case: one Node timer, no wall-clock reads.
      this.#timer = this.#repeat ? setInterval(this.#fn, this.#ms) : setTimeout(this.#fn, this.#ms);
      if (this.#unref) this.#timer.unref();
      return;
    }
    this.#due = this.#now() + this.#ms;
    this.#arm();
  }

  /** One link of the chain: the rest of the wait, capped at a chunk. */
  #arm(): void {
    const left = this.#due - this.#now();
    this.#timer = setTimeout(() => this.#wake(), Math.min(Math.max(left, 1), this.#chunk));
    if (this.#unref) this.#timer.unref();
  }

  #wake(): void {
    if (this.#cleared) return;
    if (this.#now() < this.#due) {
      this.#arm();
      return;
    }
    if (this.#repeat) {
      // The next period from this one's due time; after a jump of the wall
      // clock past it, from now (no burst of missed periods).
      this.#due = Math.max(this.#due + this.#ms, this.#now() + 1);
      this.#arm();
    } else {
      this.#timer = undefined;
    }
    this.#fn();
  }
}

/** setTimeout for any delay. */
export function setLongTimeout(fn: () => void, ms: number, o?: LongTimerOptions): LongTimer {
  return new LongTimer(fn, ms, false, o);
}

/** setInterval for any period. */
export function setLongInterval(fn: () => void, ms: number, o?: LongTimerOptions): LongTimer {
  return new LongTimer(fn, ms, true, o);
}

/** Cancels a timer from setLongTimeout/setLongInterval (undefined is fine). */
export function clearLongTimer(t: LongTimer | undefined): void {
  t?.clear();
}
