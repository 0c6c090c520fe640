// GET /connz (STAN-REFERENCE §6.6): sort, auth, subs (or subs=detail),
// offset, limit, cid, state=open|closed|all (any = all).

import type { FastifyInstance } from 'fastify';
import { boolParam, enumParam, page, param, uintParam, type Query } from '../query.js';
import { sendJson } from '../reply.js';
import { connzSnapshot, DEFAULT_CONN_LIMIT, SORT_OPTIONS, type ConnzOptions } from '../snapshot/connz.js';
import type { RouteOptions } from './options.js';

const STATES = ['open', 'closed', 'all', 'any'] as const;

function options(q: Query): ConnzOptions {
  const state = enumParam(q, 'state', STATES) ?? 'open';
  const subs = param(q, 'subs')?.toLowerCase() === 'detail' ? 'detail' : boolParam(q, 'subs');
  return {
    sort: enumParam(q, 'sort', SORT_OPTIONS) ?? 'cid',
    auth: boolParam(q, 'auth'),
    subs,
    ...page(q, DEFAULT_CONN_LIMIT),
    cid: uintParam(q, 'cid'),
    state: state === 'any' ? 'all' : state,
  };
}

export async function connzRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/connz', (req, reply) => sendJson(req, reply, connzSnapshot(ctx, options(req.query as Query))));
}
