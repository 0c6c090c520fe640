// The shape of the store limits (STAN-REFERENCE §2.9, §7.3): plain data that
// the option schema (src/config) builds from flags and files and the stores
// (src/stores) enforce. It sits below both so that neither imports the other.

/** The per-channel limits (§7.3); 0 means unlimited. */
export interface ChannelLimits {
  maxSubscriptions: number;
  maxMsgs: number;
  maxBytes: number;
  /** Milliseconds. */
  maxAgeMs: number;
  /** Milliseconds. */
  maxInactivityMs: number;
}

export interface StoreLimits extends ChannelLimits {
  maxChannels: number;
  /** Per-channel overrides, keyed by channel name or wildcard pattern; missing fields inherit. */
  perChannel: Map<string, Partial<ChannelLimits>>;
}
