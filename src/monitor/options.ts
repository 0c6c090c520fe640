// Which monitoring listeners the command line and the -c file ask for
// (STAN-REFERENCE §6, §7): -m/--http_port and -ms/--https_port over the
// file's http/https/http_port/monitor_port/https_port, bound to the file's
// `http:`/`https:` host, else to the server's address (-a). As in
// nats-server, port 0 means off and -1 any free port, HTTP and HTTPS
// together are refused, and HTTPS uses the server's TLS certificate.

import type { ParsedFlags } from '../config/flag-table.js';
import type { NatsConfigOptions } from '../nats/config-options.js';
import type { NatsOptions } from '../nats/options.js';
import type { MonitorOptions } from './index.js';

/** nats-server's RANDOM_PORT. */
const RANDOM_PORT = -1;
const MAX_PORT = 65535;

export class MonitorConfigError extends Error {
  override name = 'MonitorConfigError';
}

function port(flags: ParsedFlags, key: 'httpPort' | 'httpsPort', fromFile: number | undefined): number {
  if (!flags.set.has(key)) return fromFile ?? 0;
  const p = flags.values[key] as number;
  if (p < RANDOM_PORT || p > MAX_PORT) {
    const flag = flags.given.get(key) ?? key;
    throw new MonitorConfigError(`invalid value "${p}" for flag ${flag}: expected a port number from 0 to 65535 (0 for none, -1 for any free port)`);
  }
  return p;
}

/** Undefined when monitoring is off; throws MonitorConfigError for settings that cannot work. */
export function monitorOptionsFrom(flags: ParsedFlags, file: NatsConfigOptions | undefined, nats: NatsOptions): MonitorOptions | undefined {
  const http = port(flags, 'httpPort', file?.httpPort);
  const https = port(flags, 'httpsPort', file?.httpsPort);
  if (http === 0 && https === 0) return undefined;
  if (http !== 0 && https !== 0) throw new MonitorConfigError(`can't specify both HTTP (${http}) and HTTPs (${https}) ports`);
  const host = file?.httpHost ?? nats.host;
  if (http !== 0) return { host, httpPort: http === RANDOM_PORT ? 0 : http };
  if (nats.tls === undefined) throw new MonitorConfigError('TLS cert and key required for HTTPS');
  return { host, httpsPort: https === RANDOM_PORT ? 0 : https, tls: { cert: nats.tls.cert, key: nats.tls.key } };
}
