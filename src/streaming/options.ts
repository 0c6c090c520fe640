// Options of the streaming layer (STAN-REFERENCE §7.2), with the Go
// server's defaults. Filled from the command line and -sc files (src/cli,
// src/config); read here.

import type { ParsedFlags } from '../config/flag-table.js';
import { limitsErrorAt, type StanConfig, type StanSettings, stanOptionsFrom } from '../config/stan-options.js';
import { validateLimits } from '../stores/limits.js';
import { DEFAULT_STORE_LIMITS, StoreError } from '../stores/store.js';
import { PARTITIONS_REPLY_WAIT_MS } from './partitions.js';

/** The options configuration sets (StanSettings, documented there), and the layer's own. */
export interface StanOptions extends StanSettings {
  /** How long the duplicate-client probe waits for the old client, ms. */
  dupClientProbeMs: number;
  /** Partitioning: how long the start-up check waits for one more server's reply, ms. */
  partitionsReplyWaitMs: number;
}

export const DEFAULT_CLUSTER_ID = 'test-cluster';
export const DEFAULT_DISCOVER_PREFIX = '_STAN.discover';
/** The Go server's duplicate-client probe wait (500 ms). */
export const DUP_CLIENT_PROBE_MS = 500;

export function defaultStanOptions(): StanOptions {
  return {
    clusterId: DEFAULT_CLUSTER_ID,
    discoverPrefix: DEFAULT_DISCOVER_PREFIX,
    hbIntervalMs: 30_000,
    hbTimeoutMs: 10_000,
    hbFailCount: 10,
    replaceDurable: false,
    ioBatchSize: 1024,
    partitioning: false,
    storeLimits: { ...DEFAULT_STORE_LIMITS, perChannel: new Map() },
    dupClientProbeMs: DUP_CLIENT_PROBE_MS,
    partitionsReplyWaitMs: PARTITIONS_REPLY_WAIT_MS,
  };
}

/**
 * The options of a server started (or reloaded) with this command line and
 * -sc file, over the defaults, with the store limits checked by the store's
 * rules. Throws StoreError, or StanConfigError when the file's per-channel
 * limits break a rule.
 */
export function stanOptions(cmdline: ParsedFlags, file?: StanConfig): StanOptions {
  const o = stanOptionsFrom(defaultStanOptions(), cmdline, file);
  try {
    validateLimits(o.storeLimits);
  } catch (err) {
    if (err instanceof StoreError) limitsErrorAt(file, o.storeLimits, err.message);
    throw err;
  }
  return o;
}
