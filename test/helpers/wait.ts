// Waiting in tests: on a condition (polled, for state that has no event),
// on a process's exit, and a plain sleep for the few places where time
// itself is what is tested.

import type { ChildProcess } from 'node:child_process';

/** How often until() looks at its condition. */
const POLL_MS = 10;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * How long until() waits unless told: long, since only a failing test waits
 * it out and a loaded machine is slow.
 */
const UNTIL_TIMEOUT_MS = 10_000;

/** Resolves when `predicate` holds, checking every 10 ms; rejects after `timeout`. */
export async function until(predicate: () => boolean, what: string, timeout = UNTIL_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Resolves once the process has exited (at once if it has). */
export function exited(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
  });
}

/** Signals the process (SIGTERM unless told) and waits for its exit. */
export async function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode === null && p.signalCode === null) p.kill(signal);
  await exited(p);
}
