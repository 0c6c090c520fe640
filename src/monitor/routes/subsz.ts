// GET /subsz and its alias /subscriptionsz (STAN-REFERENCE §6.6): subs,
// offset, limit, test=<literal subject>.

import type { FastifyInstance } from 'fastify';
import { boolParam, page, param, type Query } from '../query.js';
import { sendJson } from '../reply.js';
import { DEFAULT_SUB_LIMIT, subszSnapshot } from '../snapshot/subsz.js';
import type { RouteOptions } from './options.js';

export async function subszRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  for (const path of ['/subsz', '/subscriptionsz']) {
    app.get(path, (req, reply) => {
      const q = req.query as Query;
      return sendJson(req, reply, subszSnapshot(ctx, { subs: boolParam(q, 'subs'), ...page(q, DEFAULT_SUB_LIMIT), test: param(q, 'test') }));
    });
  }
}
