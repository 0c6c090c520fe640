// A member of a fault-tolerance group (--ft_group; STAN-REFERENCE §8.1),
// as the Go server's server/ft.go behaves: it starts in standby, listening
// to the group's heartbeat subject; when no heartbeat came for the missed
// window (1.25 s ±10 %) it tries the store's exclusive lock without
// waiting (Store.lock(): the OS lock of the file store's directory), going
// back to waiting when another server holds it. With the lock it is the
// active server: it sends a heartbeat every second (±10 %), then recovers
// the store and serves (`activate`). An active server that hears another
// active one that became active earlier aborts (split brain guard).
//
// Only a NATS transport, the store's lock and a clock are needed: the
// group works the same behind -ns and on an embedded server whose routes
// reach the other members. Time comes from the injected clock, so tests
// run the windows on a fake one.

import type { Logger } from '../log/logger.js';
import type { Clock, TimerHandle } from './clock.js';
import { decodeFtHeartbeat, encodeFtHeartbeat, ftSubject } from './ft-heartbeat.js';
import type { NatsTransport, TransportSub } from './transport.js';

/** The Go server's heartbeat interval and missed window. */
export const FT_HB_INTERVAL_MS = 1000;
export const FT_HB_MISSED_MS = 1250;

export type FtState = 'FT_STANDBY' | 'FT_ACTIVE' | 'FAILED';

export interface FtOptions {
  group: string;
  clusterId: string;
  /** This process's server ID (as /streaming/serverz shows it). */
  serverId: string;
  /** Before jitter; FT_HB_INTERVAL_MS and FT_HB_MISSED_MS unless a test shortens them. */
  hbIntervalMs?: number;
  missedMs?: number;
}

export interface FtDeps {
  transport: NatsTransport;
  /** Store.lock(): true once this process holds the datastore. */
  lock(): Promise<boolean>;
  /** Recovers the store and starts serving; a rejection is fatal. */
  activate(): Promise<void>;
  /** A fatal error: the process must end (Go panics or calls Fatalf). `code` is Go's exit code for it. */
  fatal(err: Error, code: number): void;
  log: Logger;
  clock: Clock;
  /** [0, 1), for the jitter. */
  random?: () => number;
}

/** Go's ftGetRandomInterval: the interval plus or minus up to 10 %, drawn once. */
export function jittered(ms: number, random: () => number): number {
  const tenPercent = Math.trunc(ms * 0.1);
  if (tenPercent <= 0) return ms;
  const r = Math.floor(random() * tenPercent);
  // Go: rand.Intn(2) == 1 adds.
  return random() < 0.5 ? ms - r : ms + r;
}

/**
 * Go's util.BackoffTimeCheck(1 s, x2, 1 min): a repeated log line is
 * printed first at once, then after 1 s, 2 s, 4 s... at most each minute.
 */
class LogBackoff {
  #next = 0;
  #gap = 1000;
  constructor(private readonly clock: Clock) {}
  ok(): boolean {
    const now = this.clock.now();
    if (now < this.#next) return false;
    this.#next = now + this.#gap;
    this.#gap = Math.min(this.#gap * 2, 60_000);
    return true;
  }
}

export class FtMember {
  state: FtState = 'FT_STANDBY';
  readonly subject: string;
  readonly hbIntervalMs: number;
  readonly missedMs: number;
  /** Unix ns of the activation (0n while standby). */
  activatedNs = 0n;
  #sub: TransportSub | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  readonly #lockLog: LogBackoff;
  readonly #sendLog: LogBackoff;

  constructor(
    readonly opts: FtOptions,
    private readonly deps: FtDeps,
  ) {
    const hb = opts.hbIntervalMs ?? FT_HB_INTERVAL_MS;
    const missed = opts.missedMs ?? FT_HB_MISSED_MS;
    if (missed < hb * 1.1) {
      throw new Error(
        `ft: the missed heartbeat interval needs to be at least 10% of the heartbeat interval (hb=${hb}ms missed hb=${missed}ms`,
      );
    }
    const random = deps.random ?? Math.random;
    this.hbIntervalMs = jittered(hb, random);
    this.missedMs = jittered(missed, random);
    this.subject = ftSubject(opts.clusterId, opts.group);
    this.#lockLog = new LogBackoff(deps.clock);
    this.#sendLog = new LogBackoff(deps.clock);
  }

  /** Standby: listens to the group's heartbeats and waits for them to stop. */
  start(): void {
    this.#sub = this.deps.transport.subscribe(this.subject, (_s, _r, data) => this.#onHeartbeat(data));
    this.deps.log.info('STREAM: Starting in standby mode');
    this.#armMissed();
  }

  /** Shutdown: no more timers, heartbeats or lock attempts. */
  stop(): void {
    this.#stopped = true;
    this.deps.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }

  #armMissed(): void {
    this.deps.clock.clearTimer(this.#timer);
    this.#timer = this.deps.clock.setTimer(() => void this.#tryLock(), this.missedMs);
  }

  #onHeartbeat(data: Uint8Array): void {
    if (this.#stopped) return;
    if (this.state === 'FT_STANDBY') {
      // Another server is active: wait a whole window again. While a lock
      // attempt runs there is no timer to re-arm (the attempt re-arms it).
      if (this.#timer !== undefined) this.#armMissed();
      return;
    }
    if (this.state !== 'FT_ACTIVE') return;
    const hb = decodeFtHeartbeat(data);
    if (hb === undefined || hb.serverId === this.opts.serverId) return;
    const claim = `ft: serverID ${JSON.stringify(hb.serverId)} claims to be active`;
    if (hb.activatedNs === undefined) {
      this.deps.log.error('STREAM: Error decoding activation time: Time.UnmarshalBinary: invalid length or version');
    } else if (hb.activatedNs < this.activatedNs) {
      // The other one was first: this one steps out, before it writes more.
      this.state = 'FAILED';
      this.stop();
      this.deps.fatal(new Error(`${claim}, aborting`), 2);
    } else {
      this.deps.log.error(`STREAM: ${claim}`);
    }
  }

  async #tryLock(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    let locked: boolean;
    try {
      locked = await this.deps.lock();
    } catch (err) {
      // Perhaps passing (an unreachable share, a database down): try again later.
      if (!this.#stopped) {
        this.deps.log.error(
          `STREAM: ft: error attempting to get the store lock: ft: fatal error getting the store lock: ${(err as Error).message}`,
        );
        this.#armMissed();
      }
      return;
    }
    if (this.#stopped) return;
    if (!locked) {
      if (this.#lockLog.ok()) this.deps.log.info('STREAM: ft: unable to get store lock at this time, going back to standby');
      this.#armMissed();
      return;
    }
    await this.#becomeActive();
  }

  async #becomeActive(): Promise<void> {
    const now = this.deps.clock.now();
    this.activatedNs = BigInt(Math.trunc(now)) * 1_000_000n;
    this.state = 'FT_ACTIVE';
    this.deps.log.info('STREAM: Server is active');
    // Heartbeats first: the standbys stop trying the lock while this one recovers.
    const hb = encodeFtHeartbeat(this.opts.serverId, this.activatedNs);
    this.#sendHeartbeat(hb);
    try {
      await this.deps.activate();
    } catch (err) {
      this.state = 'FAILED';
      this.stop();
      this.deps.fatal(err as Error, 1);
    }
  }

  #sendHeartbeat(hb: Uint8Array): void {
    if (this.#stopped) return;
    try {
      this.deps.transport.publish(this.subject, hb);
    } catch (err) {
      if (this.#sendLog.ok()) this.deps.log.error(`STREAM: Unable to send FT heartbeat: ${(err as Error).message}`);
    }
    this.#timer = this.deps.clock.setTimer(() => {
      this.#sendHeartbeat(hb);
      void this.#checkLock();
    }, this.hbIntervalMs);
  }

  /**
   * The active server still holds the store: the lock is asked again (the
   * file store locks a new lock file if someone removed it). Lost to
   * another server, this one stops at once, as the Go server's SQL store
   * panics when it loses its lock row.
   */
  async #checkLock(): Promise<void> {
    let held: boolean;
    try {
      held = await this.deps.lock();
    } catch (err) {
      if (this.#sendLog.ok()) this.deps.log.error(`STREAM: ft: error checking the store lock: ${(err as Error).message}`);
      return;
    }
    if (held || this.#stopped || this.state !== 'FT_ACTIVE') return;
    this.state = 'FAILED';
    this.stop();
    this.deps.fatal(new Error('lost store lock, aborting'), 2);
  }
}
