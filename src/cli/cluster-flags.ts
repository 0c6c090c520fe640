// The cluster flags over the config file's `cluster {}` block (nats-server
// 2.9's ConfigureOptions and overrideCluster): --cluster (listen URL, with
// credentials that routes must present), --routes, --cluster_name,
// --cluster_advertise, --no_advertise, --connect_retries.

import type { NatsConfigOptions } from '../nats/config-options.js';
import type { ClusterOptions } from '../nats/route/options.js';
import type { ParsedFlags } from '../config/flag-table.js';
import { CliError } from './flags.js';

/** The cluster to join, or undefined for none; throws CliError. */
export function clusterOptionsFrom(flags: ParsedFlags, file: NatsConfigOptions): ClusterOptions | undefined {
  const v = flags.values;
  const given = (key: string): boolean => flags.set.has(key);
  let c: ClusterOptions | undefined = file.cluster ? { ...file.cluster } : undefined;
  if (given('clusterListen')) c = listenFlag(String(v.clusterListen ?? ''), flags.given.get('clusterListen')!, c);
  if (given('routes')) {
    const text = String(v.routes ?? '');
    if (text !== '' && c === undefined) throw new CliError('solicited routes require cluster capabilities, e.g. --cluster');
    if (c !== undefined) c.routes = text === '' ? [] : text.split(',').map((u) => routeFlag(u.trim()));
  }
  if (c === undefined) return undefined;
  if (given('clusterName')) c.name = String(v.clusterName) || undefined;
  if (given('clusterAdvertise')) c.advertise = String(v.clusterAdvertise) || undefined;
  if (given('clusterNoAdvertise')) c.noAdvertise = v.clusterNoAdvertise === true;
  if (given('clusterConnectRetries')) {
    const n = v.clusterConnectRetries as number;
    if (n < 0) throw new CliError(`invalid value "${n}" for flag ${flags.given.get('clusterConnectRetries')}: expected a non-negative number`);
    c.connectRetries = n;
  }
  return c;
}

/** `--cluster nats://[user:pass@]host:port` (port -1: any free port); "" turns clustering off. */
function listenFlag(text: string, flag: string, base: ClusterOptions | undefined): ClusterOptions | undefined {
  if (text === '') return undefined;
  const random = text.endsWith(':-1');
  let url: URL;
  try {
    url = new URL(random ? `${text.slice(0, -3)}:0` : text);
  } catch {
    throw new CliError(`invalid value "${text}" for flag ${flag}: expected a URL such as nats://0.0.0.0:6222`);
  }
  if (url.hostname === '' || (url.port === '' && !random && !/:0$/.test(text))) {
    throw new CliError(`invalid value "${text}" for flag ${flag}: expected a URL with a host and a port`);
  }
  const c: ClusterOptions = base ?? { host: '', port: 0, routes: [], noAdvertise: false, connectRetries: 0 };
  c.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  c.port = Number(url.port || 0);
  if (url.username !== '' || url.password !== '') {
    if (url.password === '') throw new CliError('expected cluster password to be set');
    c.user = decodeURIComponent(url.username);
    c.password = decodeURIComponent(url.password);
  } else {
    // As nats-server: the flag without credentials clears the file's.
    delete c.user;
    delete c.password;
  }
  return c;
}

function routeFlag(u: string): string {
  try {
    new URL(u);
  } catch {
    throw new CliError(`error parsing route url [${JSON.stringify(u)}]`);
  }
  return u;
}
