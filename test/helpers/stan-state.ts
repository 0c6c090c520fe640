// The server's state as the tests assert on it: a channel's subscriptions
// as /streaming/channelsz?subs=1 reports them (last sent, pending count,
// stalled), read in process, so that a test can wait for "everything sent
// and acked" instead of waiting for messages not to arrive.

import { channelSubs, subscriptionz, type Subscriptionz } from '../../src/monitor/snapshot/subscriptionz.js';
import type { StanServer } from '../../src/streaming/server.js';
import { until } from './wait.js';

/** The channel's subscriptions in the monitoring format ([] for an unknown channel). */
export function subscriptionsOf(stan: StanServer, channel: string): Subscriptionz[] {
  const c = stan.channels.get(channel);
  return c === undefined ? [] : channelSubs(c).map(subscriptionz);
}

/**
 * Resolves once every subscription on the channel has been sent the last
 * message and has nothing pending: the server will deliver nothing more
 * until something new is published.
 */
export async function settled(stan: StanServer, channel: string, timeout = 5000): Promise<void> {
  const done = () => {
    const last = stan.channels.get(channel)?.msgs.lastSeq ?? 0;
    return subscriptionsOf(stan, channel).every((s) => s.last_sent === last && s.pending_count === 0);
  };
  await until(done, `${channel}: every subscription sent everything and acked (${JSON.stringify(subscriptionsOf(stan, channel))})`, timeout);
}
