// /healthz (STAN-REFERENCE §6.6): `{"status":"ok"}` once the servers run;
// `unavailable` with the reason (HTTP 503) while the streaming server is
// not up.

import type { MonitorContext } from '../context.js';

export interface Healthz {
  status: 'ok' | 'unavailable';
  error?: string;
}

export function healthzSnapshot(ctx: MonitorContext): Healthz {
  if (ctx.sources.stan === undefined) return { status: 'unavailable', error: 'the streaming server is not running' };
  return { status: 'ok' };
}
