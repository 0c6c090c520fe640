// /streaming/storez (STAN-REFERENCE §6.2): the store type, the limits in
// the Go struct's order (durations in nanoseconds) with each per-channel
// entry after inheritance, and the stored totals.

import { effectiveLimits } from '../../stores/limits.js';
import type { ChannelLimits } from '../../stores/store.js';
import { type MonitorContext, stanOf } from '../context.js';
import { goNanos, goTime } from '../format.js';
import { stanServerId, storeTotals } from './serverz.js';

export interface ChannelLimitsz {
  max_msgs: number;
  max_bytes: number;
  max_age: number;
  max_subscriptions: number;
  max_inactivity: number;
}

export interface Storez {
  cluster_id: string;
  server_id: string;
  now: string;
  type: string;
  limits: { max_channels: number } & ChannelLimitsz & { channels?: Record<string, ChannelLimitsz> };
  total_msgs: number;
  total_bytes: number;
}

function limitsz(l: ChannelLimits): ChannelLimitsz {
  return {
    max_msgs: l.maxMsgs,
    max_bytes: l.maxBytes,
    max_age: goNanos(l.maxAgeMs),
    max_subscriptions: l.maxSubscriptions,
    max_inactivity: goNanos(l.maxInactivityMs),
  };
}

export function storezSnapshot(ctx: MonitorContext): Storez {
  const s = stanOf(ctx);
  const l = s.opts.storeLimits;
  const limits: Storez['limits'] = { max_channels: l.maxChannels, ...limitsz(l) };
  if (l.perChannel.size > 0) {
    const names = [...l.perChannel.keys()].sort();
    limits.channels = Object.fromEntries(names.map((n) => [n, limitsz(effectiveLimits(l, n))]));
  }
  const totals = storeTotals(s);
  return {
    cluster_id: s.info.clusterId,
    server_id: stanServerId(s),
    now: goTime(Date.now()),
    type: s.store.type,
    limits,
    total_msgs: totals.msgs,
    total_bytes: totals.bytes,
  };
}
