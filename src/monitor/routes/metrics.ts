// GET /metrics: Prometheus text exposition (snapshot/metrics.ts).

import type { FastifyInstance } from 'fastify';
import { createMetricsRegistry } from '../snapshot/metrics.js';
import type { RouteOptions } from './options.js';

export async function metricsRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  const registry = createMetricsRegistry(ctx);
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
