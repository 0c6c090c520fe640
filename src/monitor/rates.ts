// Message-rate history for the dashboard: once a second, the streaming
// and core NATS traffic totals, kept for the last few minutes so that a
// page opened now can chart the minutes before it. Sampling reads a few
// counters per channel; the timer does not keep the process alive.

import type { MonitorSources } from './context.js';

/** Sampling period. */
export const RATE_INTERVAL_MS = 1000;
/** Samples kept: five minutes. */
export const RATE_SAMPLES = 300;

export interface RateSample {
  /** ms since the epoch. */
  t: number;
  /** Streaming: PubMsgs received, MsgProtos sent, and their bytes. */
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  /** Core NATS: messages from and to socket clients. */
  nats_in_msgs: number;
  nats_out_msgs: number;
}

export class RateSampler {
  readonly #samples: RateSample[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly sources: MonitorSources) {}

  start(): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), RATE_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Oldest first. */
  samples(): readonly RateSample[] {
    return this.#samples;
  }

  sample(): void {
    const s: RateSample = { t: Date.now(), in_msgs: 0, out_msgs: 0, in_bytes: 0, out_bytes: 0, nats_in_msgs: 0, nats_out_msgs: 0 };
    const { stan, nats } = this.sources;
    if (stan !== undefined) {
      for (const c of stan.channels.values()) {
        s.in_msgs += c.inMsgs;
        s.in_bytes += c.inBytes;
      }
      s.out_msgs = stan.delivery.outMsgs;
      s.out_bytes = stan.delivery.outBytes;
    }
    if (nats !== undefined) {
      s.nats_in_msgs = nats.closedInMsgs;
      s.nats_out_msgs = nats.closedOutMsgs;
      for (const c of nats.clients.values()) {
        s.nats_in_msgs += c.inMsgs;
        s.nats_out_msgs += c.outMsgs;
      }
    }
    if (this.#samples.length >= RATE_SAMPLES) this.#samples.shift();
    this.#samples.push(s);
  }
}
