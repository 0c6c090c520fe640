// Our servers as members of a cluster, for the route tests: each listens
// for clients and routes on free ports of 127.0.0.1 and solicits the
// routes given; reconnects are quick so tests need not wait long.

import { startServer } from './nats.js';
import type { NatsServer } from '../../src/nats/server.js';
import type { NatsOptions } from '../../src/nats/options.js';
import type { ClusterOptions } from '../../src/nats/route/options.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { until } from './wait.js';

export function startNode(
  routes: string[],
  cluster: Partial<ClusterOptions> = {},
  over: Partial<NatsOptions> = {},
  log: Logger = silentLogger,
): Promise<NatsServer> {
  return startServer(
    {
      ...over,
      cluster: {
        host: '127.0.0.1',
        port: 0,
        name: 'c1',
        routes,
        noAdvertise: false,
        connectRetries: 3,
        reconnectDelayMs: 50,
        reconnectMaxMs: 500,
        ...cluster,
      },
    },
    log,
  );
}

export function routeUrl(s: NatsServer | { routePort: number }, auth = ''): string {
  const port = 'routePort' in s ? s.routePort : s.cluster!.port;
  return `nats://${auth}127.0.0.1:${port}`;
}

/** Waits until each of our servers has `n` registered routes. */
export function meshed(servers: NatsServer[], n: number): Promise<void> {
  return until(() => servers.every((s) => s.cluster!.routes.size === n), `${n} routes on each server`);
}

/** A logger that keeps every line, `[LVL] text`, for tests that check log lines. */
export function captureLog(): Logger & { lines: string[]; has(re: RegExp): boolean } {
  const lines: string[] = [];
  const at = (lvl: string) => (m: string) => void lines.push(`[${lvl}] ${m}`);
  return {
    lines,
    has: (re: RegExp) => lines.some((l) => re.test(l)),
    info: at('INF'),
    warn: at('WRN'),
    error: at('ERR'),
    debug: at('DBG'),
    trace: at('TRC'),
    debugEnabled: true,
    traceEnabled: false,
  };
}

/** Resolves once the server monitored on `http` (a child process) has `n` routes in its /routez. */
export async function routesAt(http: number, n = 1, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = (await (await fetch(`http://127.0.0.1:${http}/routez`)).json()) as { num_routes: number };
    if (r.num_routes === n) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${n} route(s) at :${http} (has ${r.num_routes})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
