// The process warnings a test provokes: Node emits TimeoutOverflowWarning
// when a timer is armed past 2^31-1 ms, the mark of the overflow the
// long-timer tests guard against.

import { sleep } from './wait.js';

/** Runs fn and returns the process warnings emitted meanwhile (and just after: they are emitted on a later tick). */
export async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const on = (w: Error) => seen.push(`${w.name}: ${w.message}`);
  process.on('warning', on);
  try {
    await fn();
    await sleep(10);
  } finally {
    process.off('warning', on);
  }
  return seen;
}
