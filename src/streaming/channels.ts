// The channels of the server (STAN-REFERENCE §2.9): created on first use,
// names validated, case clashes refused with the Go server's text, and
// max_channels enforced.

import type { Store } from '../stores/store.js';
import { effectiveLimits } from '../stores/limits.js';
import type { ChannelLimits, StoreLimits } from '../stores/store.js';
import { errChannelCaseClash, StanErr, StanError } from './errors.js';
import { Channel } from './model.js';

export class Channels {
  readonly #all = new Map<string, Channel>();
  /** Lower-cased name -> name, for the case-clash rule. */
  readonly #lower = new Map<string, string>();
  /** Called for each channel created by a client (not for recovered ones). */
  onCreated: ((c: Channel) => void) | undefined;

  constructor(
    private readonly store: Store,
    public limits: StoreLimits,
  ) {}

  get size(): number {
    return this.#all.size;
  }

  get(name: string): Channel | undefined {
    return this.#all.get(name);
  }

  values(): IterableIterator<Channel> {
    return this.#all.values();
  }

  /** The channel, created if needed; throws StanError with the client-facing text. */
  lookupOrCreate(name: string): Channel {
    const c = this.#all.get(name);
    if (c !== undefined) return c;
    const lower = name.toLowerCase();
    const clash = this.#lower.get(lower);
    if (clash !== undefined) throw new StanError(errChannelCaseClash(name, clash));
    const max = this.limits.maxChannels;
    if (max > 0 && this.#all.size >= max) throw new StanError(StanErr.TOO_MANY_CHANNELS);
    const limits = this.limitsFor(name);
    const { msgs, subs } = this.store.createChannel(name, limits);
    const created = this.add(new Channel(name, msgs, subs, limits));
    this.onCreated?.(created);
    return created;
  }

  /** The effective limits of a channel name. */
  limitsFor(name: string): ChannelLimits {
    return effectiveLimits(this.limits, name);
  }

  /** Forgets a deleted channel. */
  remove(c: Channel): void {
    if (this.#all.get(c.name) !== c) return;
    this.#all.delete(c.name);
    this.#lower.delete(c.name.toLowerCase());
  }

  /** Registers a channel (created or recovered). */
  add(c: Channel): Channel {
    this.#all.set(c.name, c);
    this.#lower.set(c.name.toLowerCase(), c.name);
    return c;
  }
}
