// GET /streaming/channelsz (STAN-REFERENCE §6.4): subs, channel, offset, limit.

import type { FastifyInstance } from 'fastify';
import { boolParam, page, param, type Query } from '../query.js';
import { sendJson } from '../reply.js';
import { channelszSnapshot, channelzSnapshot } from '../snapshot/channelsz.js';
import { DEFAULT_LIST_LIMIT } from '../snapshot/clientsz.js';
import type { RouteOptions } from './options.js';

export async function channelszRoute(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.get('/streaming/channelsz', (req, reply) => {
    const q = req.query as Query;
    const subs = boolParam(q, 'subs');
    const name = param(q, 'channel');
    if (name !== undefined) return sendJson(req, reply, channelzSnapshot(ctx, name, subs));
    return sendJson(req, reply, channelszSnapshot(ctx, { subs, ...page(q, DEFAULT_LIST_LIMIT) }));
  });
}
