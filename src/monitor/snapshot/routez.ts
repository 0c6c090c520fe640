// /routez (STAN-REFERENCE §6.6): this server has no cluster routes, so the
// list is always empty, in nats-server's shape.

import { type MonitorContext, natsOf } from '../context.js';
import { goTime } from '../format.js';

export interface Routez {
  server_id: string;
  server_name: string;
  now: string;
  num_routes: number;
  routes: never[];
}

export function routezSnapshot(ctx: MonitorContext): Routez {
  const s = natsOf(ctx);
  return { server_id: s.id, server_name: s.opts.serverName ?? s.id, now: goTime(Date.now(), true), num_routes: 0, routes: [] };
}
