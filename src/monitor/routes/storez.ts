// GET /streaming/storez (STAN-REFERENCE §6.2).

import type { FastifyInstance } from 'fastify';
import { sendJson } from '../reply.js';
import { storezSnapshot } from '../snapshot/storez.js';
import type { RouteOptions } from './options.js';

export async function storezRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/streaming/storez', (req, reply) => sendJson(req, reply, storezSnapshot(ctx)));
}
