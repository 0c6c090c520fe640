// The time the streaming layer reads and the timers it arms (ack waits,
// heartbeats): one interface, so that delivery's timers run on a fake
// clock in tests (no sleeping through real AckWaits) and a standby, which
// applies operations without delivering, runs none.

import { clearLongTimer, setLongTimeout, type LongTimer } from '../timers/long.js';

/** A timer armed through a Clock; opaque to its users. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` from now; the timer never keeps the process alive. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer (undefined, or one that fired, is fine). */
  clearTimer(t: TimerHandle | undefined): void;
}

/**
 * The wall clock and Node's timers (unref'd), for any delay: an AckWait or
 * heartbeat interval past ~24.9 days is chained, not turned into 1 ms.
 */
export const realClock: Clock = {
  now: Date.now,
  setTimer(fn, ms) {
    return setLongTimeout(fn, ms, { unref: true });
  },
  clearTimer(t) {
    clearLongTimer(t as LongTimer | undefined);
  },
};
