// The monitoring HTTP(S) server (STAN-REFERENCE §6; issue 7): a fastify
// plugin that registers one route file per endpoint (routes/), each
// answering from read-only snapshots of the servers (snapshot/). The Go
// servers' endpoints keep their JSON shapes and query parameters; /metrics
// (Prometheus) and the dashboard at `/` are our additions.
//
// startMonitor() listens on the HTTP and/or HTTPS port; createMonitorApp()
// builds the app without listening, for inject() tests.

import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import { COUNTED_PATHS, type ListenInfo, type MonitorContext, type MonitorSources } from './context.js';
import { RateSampler } from './rates.js';
import { sendText } from './reply.js';
import { channelszRoute } from './routes/channelsz.js';
import { clientszRoute } from './routes/clientsz.js';
import { connzRoute } from './routes/connz.js';
import { dashboardRoute } from './routes/dashboard.js';
import { healthzRoute } from './routes/healthz.js';
import { isFtActiveRoute } from './routes/is-ft-active.js';
import { metricsRoute } from './routes/metrics.js';
import type { RouteOptions } from './routes/options.js';
import { ratesRoute } from './routes/rates.js';
import { routezRoute } from './routes/routez.js';
import { serverzRoute } from './routes/serverz.js';
import { storezRoute } from './routes/storez.js';
import { streamingIndexRoute } from './routes/streaming-index.js';
import { subszRoute } from './routes/subsz.js';
import { varzRoute } from './routes/varz.js';
import { ProcessSampler } from './snapshot/process.js';

export type { MonitorSources } from './context.js';

const ROUTES = [
  dashboardRoute,
  varzRoute,
  connzRoute,
  subszRoute,
  routezRoute,
  healthzRoute,
  streamingIndexRoute,
  serverzRoute,
  storezRoute,
  clientszRoute,
  channelszRoute,
  isFtActiveRoute,
  metricsRoute,
  ratesRoute,
];

export interface MonitorOptions {
  /** Address to bind (the server's -a). */
  host: string;
  /** HTTP port; 0 = any free port; undefined = no HTTP listener. */
  httpPort?: number | undefined;
  /** HTTPS port, likewise; needs `tls`. */
  httpsPort?: number | undefined;
  /** PEM files of the server certificate and key, for HTTPS. */
  tls?: { cert: string; key: string } | undefined;
}

export interface Monitor {
  /** The HTTP port bound, else the HTTPS one. */
  readonly port: number;
  readonly httpPort: number | undefined;
  readonly httpsPort: number | undefined;
  close(): Promise<void>;
}

export class MonitorStartError extends Error {
  override name = 'MonitorStartError';
}

export function createMonitorContext(sources: MonitorSources, listen: ListenInfo = { host: '', httpPort: 0, httpsPort: 0 }): MonitorContext {
  const requests = new Map<string, number>(COUNTED_PATHS.map((p) => [p, 0]));
  return { sources, listen, requests, proc: new ProcessSampler(), rates: new RateSampler(sources) };
}

/** The plugin: error handling, request counting, every route. */
export async function monitorPlugin(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500;
    return sendText(reply, status, err.message);
  });
  app.setNotFoundHandler((_req, reply) => sendText(reply, 404, '404 page not found'));
  app.addHook('onRequest', async (req) => {
    const path = req.routeOptions.url;
    const n = path === undefined ? undefined : ctx.requests.get(path);
    if (n !== undefined) ctx.requests.set(path!, n + 1);
  });
  for (const route of ROUTES) await app.register(route, { ctx });
}

function newApp(https?: { cert: Buffer; key: Buffer }): FastifyInstance {
  // forceCloseConnections: close() does not wait for idle keep-alive pollers.
  const base = { logger: false, forceCloseConnections: true } as const;
  return (https ? Fastify({ ...base, https }) : Fastify(base)) as unknown as FastifyInstance;
}

/** An app that does not listen (for inject()). */
export async function createMonitorApp(ctx: MonitorContext): Promise<FastifyInstance> {
  const app = newApp();
  await app.register(monitorPlugin, { ctx });
  await app.ready();
  return app;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new MonitorStartError(`cannot read the TLS ${what} "${path}" for HTTPS monitoring: ${(err as Error).message}`, { cause: err });
  }
}

async function listen(app: FastifyInstance, ctx: MonitorContext, host: string, port: number): Promise<number> {
  await app.register(monitorPlugin, { ctx });
  await app.listen({ host, port });
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** Starts the monitoring listener(s); `log` gets Go's "Starting http monitor on …" lines. */
export async function startMonitor(opts: MonitorOptions, sources: MonitorSources, log?: Logger): Promise<Monitor> {
  const listenInfo: ListenInfo = { host: opts.host, httpPort: opts.httpPort ?? 0, httpsPort: opts.httpsPort ?? 0 };
  const ctx = createMonitorContext(sources, listenInfo);
  const apps: FastifyInstance[] = [];
  const closeAll = async () => {
    ctx.rates.stop();
    await Promise.all(apps.map((a) => a.close()));
  };
  let httpPort: number | undefined;
  let httpsPort: number | undefined;
  try {
    if (opts.httpPort !== undefined) {
      const app = newApp();
      apps.push(app);
      httpPort = await listen(app, ctx, opts.host, opts.httpPort);
      listenInfo.httpPort = httpPort;
      log?.info(`Starting http monitor on ${hostPort(opts.host, httpPort)}`);
    }
    if (opts.httpsPort !== undefined) {
      if (opts.tls === undefined) throw new MonitorStartError('TLS cert and key required for HTTPS');
      const app = newApp({ cert: readPem(opts.tls.cert, 'certificate'), key: readPem(opts.tls.key, 'key') });
      apps.push(app);
      httpsPort = await listen(app, ctx, opts.host, opts.httpsPort);
      listenInfo.httpsPort = httpsPort;
      log?.info(`Starting https monitor on ${hostPort(opts.host, httpsPort)}`);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  ctx.rates.start();
  return { port: httpPort ?? httpsPort ?? 0, httpPort, httpsPort, close: closeAll };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
