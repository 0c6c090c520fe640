// /streaming/clientsz (STAN-REFERENCE §6.3): registered clients sorted by
// ID and paginated, or one client by `client=<id>` (404 if unknown); with
// `subs=1` each client's subscriptions, keyed by channel.

import type { StanClient } from '../../streaming/model.js';
import { type MonitorContext, NotFoundError, stanOf } from '../context.js';
import { goTime } from '../format.js';
import { pageBounds } from '../query.js';
import { stanServerId } from './serverz.js';
import { subscriptionz, type Subscriptionz } from './subscriptionz.js';

/** The Go server's defaultMonitorListLimit. */
export const DEFAULT_LIST_LIMIT = 1024;

export interface ClientszOptions {
  subs: boolean;
  offset: number;
  limit: number;
}

export interface Clientz {
  id: string;
  hb_inbox: string;
  subs_count: number;
  subscriptions?: Record<string, Subscriptionz[]>;
}

export interface Clientsz {
  cluster_id: string;
  server_id: string;
  now: string;
  offset: number;
  limit: number;
  count: number;
  total: number;
  clients: Clientz[];
}

function clientz(c: StanClient, subs: boolean): Clientz {
  const out: Clientz = { id: c.id, hb_inbox: c.info.hbInbox, subs_count: c.subs.size };
  if (subs && c.subs.size > 0) {
    const byChannel: Record<string, Subscriptionz[]> = {};
    for (const sub of c.subs) (byChannel[sub.channel.name] ??= []).push(subscriptionz(sub));
    out.subscriptions = byChannel;
  }
  return out;
}

export function clientzSnapshot(ctx: MonitorContext, id: string, subs: boolean): Clientz {
  const c = stanOf(ctx).clients.get(id);
  if (c === undefined) throw new NotFoundError(`Client ${id} not found`);
  return clientz(c, subs);
}

export function clientszSnapshot(ctx: MonitorContext, o: ClientszOptions): Clientsz {
  const s = stanOf(ctx);
  const all = [...s.clients.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const [from, to] = pageBounds(o.offset, o.limit, all.length);
  const clients = all.slice(from, to).map((c) => clientz(c, o.subs));
  return {
    cluster_id: s.info.clusterId,
    server_id: stanServerId(s),
    now: goTime(Date.now()),
    offset: o.offset,
    limit: o.limit,
    count: clients.length,
    total: all.length,
    clients,
  };
}
