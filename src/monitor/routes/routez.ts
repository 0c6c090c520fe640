// GET /routez (STAN-REFERENCE §6.6): subs=1 (or subs=detail) lists each
// route's subscriptions.

import type { FastifyInstance } from 'fastify';
import { boolParam, param, type Query } from '../query.js';
import { sendJson } from '../reply.js';
import { routezSnapshot } from '../snapshot/routez.js';
import type { RouteOptions } from './options.js';

export async function routezRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/routez', (req, reply) => {
    const q = req.query as Query;
    const subs = param(q, 'subs')?.toLowerCase() === 'detail' || boolParam(q, 'subs');
    sendJson(req, reply, routezSnapshot(ctx, subs));
  });
}
