// /streaming/channelsz (STAN-REFERENCE §6.4): channel names sorted and
// paginated; with `subs=1` full Channelz entries with their subscriptions;
// or one channel by `channel=<name>` (404 if unknown).

import type { Channel } from '../../streaming/model.js';
import { type MonitorContext, NotFoundError, stanOf } from '../context.js';
import { goTime } from '../format.js';
import { pageBounds } from '../query.js';
import { stanServerId } from './serverz.js';
import { channelSubs, subscriptionz, type Subscriptionz } from './subscriptionz.js';

export interface ChannelszOptions {
  subs: boolean;
  offset: number;
  limit: number;
}

export interface Channelz {
  name: string;
  msgs: number;
  bytes: number;
  first_seq: number;
  last_seq: number;
  subs_count: number;
  subscriptions?: Subscriptionz[];
}

export interface Channelsz {
  cluster_id: string;
  server_id: string;
  now: string;
  offset: number;
  limit: number;
  count: number;
  total: number;
  names?: string[];
  channels?: Channelz[];
}

function channelz(c: Channel, subs: boolean): Channelz {
  const st = c.msgs.state();
  const out: Channelz = {
    name: c.name,
    msgs: st.msgs,
    bytes: st.bytes,
    first_seq: st.firstSeq,
    last_seq: st.lastSeq,
    subs_count: c.subs.size,
  };
  if (subs && c.subs.size > 0) out.subscriptions = channelSubs(c).map(subscriptionz);
  return out;
}

export function channelzSnapshot(ctx: MonitorContext, name: string, subs: boolean): Channelz {
  const c = stanOf(ctx).channels.get(name);
  if (c === undefined) throw new NotFoundError(`Channel ${name} not found`);
  return channelz(c, subs);
}

export function channelszSnapshot(ctx: MonitorContext, o: ChannelszOptions): Channelsz {
  const s = stanOf(ctx);
  const names = [...s.channels.values()].map((c) => c.name).sort();
  const [from, to] = pageBounds(o.offset, o.limit, names.length);
  const shown = names.slice(from, to);
  const out: Channelsz = {
    cluster_id: s.info.clusterId,
    server_id: stanServerId(s),
    now: goTime(Date.now()),
    offset: o.offset,
    limit: o.limit,
    count: shown.length,
    total: names.length,
  };
  if (o.subs) {
    if (shown.length > 0) out.channels = shown.map((n) => channelz(s.channels.get(n)!, true));
  } else if (shown.length > 0) {
    out.names = shown;
  }
  return out;
}
