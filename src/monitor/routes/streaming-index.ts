// GET /streaming (STAN-REFERENCE §6.5): the Go server's small HTML index
// of the streaming endpoints.

import type { FastifyInstance } from 'fastify';
import type { RouteOptions } from './options.js';

const INDEX = `<html lang="en">
  <head>
    <title>NATS Streaming monitoring</title>
    <style type="text/css">
      body { font-family: ui-sans-serif, system-ui, sans-serif; font-size: 18px; margin-left: 32px; }
      a { display: block; padding-bottom: 6px; }
    </style>
  </head>
  <body>
    <h1>NATS Streaming</h1>
    <a href="/streaming/serverz">server</a>
    <a href="/streaming/storez">store</a>
    <a href="/streaming/clientsz">clients</a>
    <a href="/streaming/channelsz">channels</a>
    <a href="/">dashboard</a>
  </body>
</html>
`;

export async function streamingIndexRoute(app: FastifyInstance, _opts: RouteOptions): Promise<void> {
  app.get('/streaming', (_req, reply) => reply.type('text/html; charset=utf-8').send(INDEX));
}
