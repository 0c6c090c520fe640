// Subscriptionz (STAN-REFERENCE §6.4): one streaming subscription as
// /streaming/clientsz?subs=1 and /streaming/channelsz?subs=1 show it, and
// the order a channel lists its subscriptions in.

import type { Channel, StanSub } from '../../streaming/model.js';

export interface Subscriptionz {
  client_id: string;
  inbox: string;
  ack_inbox: string;
  durable_name?: string;
  queue_name?: string;
  is_durable: boolean;
  is_offline: boolean;
  max_inflight: number;
  /** Seconds. */
  ack_wait: number;
  last_sent: number;
  pending_count: number;
  is_stalled: boolean;
}

export function subscriptionz(sub: StanSub): Subscriptionz {
  const st = sub.state;
  const offline = sub.client === undefined;
  return {
    // An offline durable queue group (shadow) keeps the client ID it last had.
    client_id: st.clientId !== '' ? st.clientId : sub.lastClientId,
    inbox: st.inbox,
    ack_inbox: st.ackInbox,
    ...(st.durableName !== '' ? { durable_name: st.durableName } : {}),
    ...(st.qGroup !== '' ? { queue_name: st.qGroup } : {}),
    is_durable: st.isDurable,
    is_offline: offline,
    max_inflight: st.maxInFlight,
    ack_wait: st.ackWaitInSecs,
    last_sent: st.lastSent,
    pending_count: sub.pending.size,
    is_stalled: sub.stalled,
  };
}

/**
 * A channel's subscriptions in the Go server's order: plain ones (online
 * durables included), offline durables, then each queue group's members
 * followed by its shadow, if it has one.
 */
export function channelSubs(c: Channel): StanSub[] {
  const out = [...c.plain];
  for (const d of c.durables.values()) if (d.client === undefined) out.push(d);
  for (const g of c.queues.values()) {
    out.push(...g.members);
    if (g.shadow !== undefined) out.push(g.shadow);
  }
  return out;
}
