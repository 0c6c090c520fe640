// When the FILE store tries a failed commit again (committer.ts), and what
// it logs: the first try after retryMs, each next one twice as long up to
// retryMaxMs; one ERR line when writes start failing and one per failed
// retry, one INF line when they succeed again (issue #18 item 3d: a full
// disk is recovered from without a restart, and the log says so).

import type { StoreLog } from './options.js';

/** When a failed store tries again: the first delay, doubled up to the last. */
export interface RetryPolicy {
  retryMs: number;
  retryMaxMs: number;
}

export class CommitRetry {
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  /** Retries made since writes started failing (0: not failing, or none yet). */
  #attempts = 0;
  #failedAt = 0;
  #stopped = false;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly log: StoreLog | undefined,
  ) {
    this.#delay = policy.retryMs;
  }

  /** A commit (the first, or a retry) failed with `err`: logged, and `retry` runs after the next delay. */
  failed(err: Error, retry: () => void): void {
    const delay = this.#delay;
    if (this.#attempts === 0) {
      this.#failedAt = Date.now();
      this.log?.error(`STREAM: file store: ${err.message}; no write is acknowledged until it succeeds again (retrying in ${delay} ms)`);
    } else {
      this.log?.error(`STREAM: file store: still failing after ${this.#attempts} retries: ${err.message} (retrying in ${delay} ms)`);
    }
    this.schedule(retry);
  }

  /** Runs `retry` after the next delay (once: a retry already scheduled stands). */
  schedule(retry: () => void): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.policy.retryMaxMs, delay * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) retry();
    }, delay);
    this.#timer.unref();
  }

  /** A retry starts. */
  attempt(): void {
    this.#attempts++;
  }

  /** The retry succeeded: logged, and the next failure starts the back-off again. */
  succeeded(failure: Error): void {
    this.log?.info(
      `STREAM: file store: writes succeed again after ${Math.round(Date.now() - this.#failedAt)} ms and ${this.#attempts} retries (${failure.message}): they are acknowledged again`,
    );
    this.#attempts = 0;
    this.#delay = this.policy.retryMs;
  }

  /** No more retries (the store is closing). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get stopped(): boolean {
    return this.#stopped;
  }
}
