// GET /healthz (STAN-REFERENCE §6.6): 200 `{"status":"ok"}`, else 503.

import type { FastifyInstance } from 'fastify';
import { sendJson } from '../reply.js';
import { healthzSnapshot } from '../snapshot/healthz.js';
import type { RouteOptions } from './options.js';

export async function healthzRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/healthz', (req, reply) => {
    const h = healthzSnapshot(ctx);
    return sendJson(req, reply, h, h.status === 'ok' ? 200 : 503);
  });
}
