// GET /streaming/serverz (STAN-REFERENCE §6.1).

import type { FastifyInstance } from 'fastify';
import { sendJson } from '../reply.js';
import { serverzSnapshot } from '../snapshot/serverz.js';
import type { RouteOptions } from './options.js';

export async function serverzRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/streaming/serverz', (req, reply) => sendJson(req, reply, serverzSnapshot(ctx)));
}
