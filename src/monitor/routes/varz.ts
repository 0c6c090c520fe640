// GET /varz (STAN-REFERENCE §6.6).

import type { FastifyInstance } from 'fastify';
import type { RouteOptions } from './options.js';
import { sendJson } from '../reply.js';
import { varzSnapshot } from '../snapshot/varz.js';

export async function varzRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/varz', (req, reply) => sendJson(req, reply, varzSnapshot(ctx)));
}
