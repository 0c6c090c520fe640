// GET /streaming/clientsz (STAN-REFERENCE §6.3): subs, client, offset, limit.

import type { FastifyInstance } from 'fastify';
import { boolParam, page, param, type Query } from '../query.js';
import { sendJson } from '../reply.js';
import { clientszSnapshot, clientzSnapshot, DEFAULT_LIST_LIMIT } from '../snapshot/clientsz.js';
import type { RouteOptions } from './options.js';

export async function clientszRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/streaming/clientsz', (req, reply) => {
    const q = req.query as Query;
    const subs = boolParam(q, 'subs');
    const id = param(q, 'client');
    if (id !== undefined) return sendJson(req, reply, clientzSnapshot(ctx, id, subs));
    return sendJson(req, reply, clientszSnapshot(ctx, { subs, ...page(q, DEFAULT_LIST_LIMIT) }));
  });
}
