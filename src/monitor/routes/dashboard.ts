// GET /: the live dashboard, one self-contained HTML page (dashboard/).

import type { FastifyInstance } from 'fastify';
import { dashboardPage } from '../dashboard/page.js';
import type { RouteOptions } from './options.js';

export async function dashboardRoute(app: FastifyInstance, _opts: RouteOptions): Promise<void> {
  const html = dashboardPage();
  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html));
}
