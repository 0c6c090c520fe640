// What index.ts hands every route plugin.

import type { MonitorContext } from '../context.js';

export interface RouteOptions {
  ctx: MonitorContext;
}
