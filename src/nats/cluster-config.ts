// The `cluster {}` block of a NATS configuration file (nats-server 2.9's
// parseCluster, STAN-REFERENCE §7.5): listen/host/port, name,
// authorization { user, password, timeout }, routes (credentials in the
// URL), advertise, no_advertise, connect_retries and permissions
// { import, export }. Each problem is a NatsConfigError at file:line:col;
// what nats-server has but this server does not (cluster TLS, pool_size...)
// is refused, never ignored.

import { authFromConfig, permissionsFromConfig } from './auth-config.js';
import { bool, expected, fail, type Field, type FieldCtx, fields, fromAuthError, int, isMap, listen, port, str } from './config-fields.js';
import type { ClusterOptions, RoutePermissions } from './route/options.js';

const CLUSTER_KEYS: Record<string, readonly string[]> = {
  name: ['name'],
  listen: ['listen'],
  host: ['host', 'net'],
  port: ['port'],
  authorization: ['authorization'],
  routes: ['routes'],
  advertise: ['advertise', 'cluster_advertise'],
  noAdvertise: ['no_advertise'],
  connectRetries: ['connect_retries'],
  permissions: ['permissions'],
};

const CLUSTER_NOT_SUPPORTED_YET = ['tls', 'pool_size', 'accounts', 'compression', 'ping_interval', 'ping_max'];

/** A route URL as nats-server's parseURL takes it: `nats://[user:pass@]host:port`. */
export function routeUrl(ctx: FieldCtx, f: Field, u: unknown): string {
  if (typeof u !== 'string') expected(ctx, f, 'a list of route URLs such as "nats://host:6222"');
  const text = u.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    fail(ctx, f, `error parsing route url [${JSON.stringify(text)}]`, err);
  }
  if (url.hostname === '' || url.port === '') fail(ctx, f, `route url ${JSON.stringify(text)} needs a host and a port`);
  return text;
}

export function clusterFromConfig(ctx: FieldCtx, f: Field): ClusterOptions {
  if (!isMap(f.value)) expected(ctx, f, 'a map to define cluster');
  const out: ClusterOptions = { host: '0.0.0.0', port: 0, routes: [], noAdvertise: false, connectRetries: 0 };
  let gotPort = false;
  const given = fields(ctx, f.value, f.key, CLUSTER_KEYS, CLUSTER_NOT_SUPPORTED_YET);
  if (given.has('listen') && (given.has('host') || given.has('port'))) {
    // The later of the two, in the file's order.
    const [first, second] = [...given.values()].filter((g) => ['listen', 'host', 'net', 'port'].includes(g.key.split('.').pop()!.toLowerCase()));
    fail(ctx, second!, `${JSON.stringify(first!.key)} is given too; use one of them`);
  }
  for (const [name, g] of given) {
    switch (name) {
      case 'name': {
        const n = str(ctx, g);
        if (/\s/.test(n)) fail(ctx, g, `cluster name cannot contain spaces, got ${JSON.stringify(n)}`);
        if (n !== '') out.name = n;
        break;
      }
      case 'listen': {
        const hp = listen(ctx, g);
        if (hp.host) out.host = hp.host;
        out.port = hp.port;
        gotPort = true;
        break;
      }
      case 'host':
        out.host = str(ctx, g);
        break;
      case 'port':
        out.port = port(ctx, g);
        gotPort = true;
        break;
      case 'authorization':
        authorization(ctx, g, out);
        break;
      case 'routes': {
        const list = typeof g.value === 'string' ? [g.value] : g.value;
        if (!Array.isArray(list)) expected(ctx, g, 'a list of route URLs');
        out.routes = [...new Set(list.map((u) => routeUrl(ctx, g, u)))];
        break;
      }
      case 'advertise':
        out.advertise = str(ctx, g);
        break;
      case 'noAdvertise':
        out.noAdvertise = bool(ctx, g);
        break;
      case 'connectRetries':
        out.connectRetries = int(ctx, g, 0, 1_000_000, 'a non-negative number of retries');
        break;
      case 'permissions':
        out.permissions = permissions(ctx, g);
        break;
    }
  }
  if (!gotPort) fail(ctx, f, 'a cluster needs listen or port');
  return out;
}

function authorization(ctx: FieldCtx, f: Field, out: ClusterOptions): void {
  if (!isMap(f.value)) expected(ctx, f, 'a map { user, password, timeout }');
  let auth;
  try {
    auth = authFromConfig(f.value, f.key);
  } catch (err) {
    fromAuthError(ctx, err, f.pos);
  }
  if (auth.users !== undefined) fail(ctx, f, 'Cluster authorization does not allow multiple users');
  if (auth.token !== undefined) fail(ctx, f, 'Cluster authorization does not support tokens');
  if (auth.user !== undefined) out.user = auth.user;
  if (auth.password !== undefined) out.password = auth.password;
  if (auth.timeoutMs !== undefined) out.authTimeoutMs = auth.timeoutMs;
}

function permissions(ctx: FieldCtx, f: Field): RoutePermissions {
  let p;
  try {
    p = permissionsFromConfig(f.value, f.key, f.pos);
  } catch (err) {
    fromAuthError(ctx, err, f.pos);
  }
  if (p.response !== undefined) fail(ctx, f, 'Cluster permissions do not support dynamic responses');
  const out: RoutePermissions = {};
  if (p.publish) out.import = p.publish;
  if (p.subscribe) out.export = p.subscribe;
  return out;
}
