// GET /dashboard/rates.json: the traffic totals sampled once a second over
// the last minutes (rates.ts), from which the dashboard charts rates.

import type { FastifyInstance } from 'fastify';
import { RATE_INTERVAL_MS } from '../rates.js';
import { sendJson } from '../reply.js';
import type { RouteOptions } from './options.js';

export async function ratesRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/dashboard/rates.json', (req, reply) =>
    sendJson(req, reply, { interval_ms: RATE_INTERVAL_MS, samples: ctx.rates.samples() }),
  );
}
