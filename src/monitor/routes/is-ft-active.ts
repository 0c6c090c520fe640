// GET /streaming/isFTActive (STAN-REFERENCE §6.5): 200 with an empty body
// on the active server of an FT group, 204 otherwise.

import type { FastifyInstance } from 'fastify';
import { isFtActive } from '../snapshot/serverz.js';
import type { RouteOptions } from './options.js';

export async function isFtActiveRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/streaming/isFTActive', (_req, reply) => reply.code(isFtActive(ctx) ? 200 : 204).send());
}
