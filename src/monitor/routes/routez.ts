// GET /routez (STAN-REFERENCE §6.6).

import type { FastifyInstance } from 'fastify';
import { sendJson } from '../reply.js';
import { routezSnapshot } from '../snapshot/routez.js';
import type { RouteOptions } from './options.js';

export async function routezRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/routez', (req, reply) => sendJson(req, reply, routezSnapshot(ctx)));
}
