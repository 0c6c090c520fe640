// TLS for client connections (--tls, --tlscert, --tlskey, --tlsverify,
// --tlscacert, the tls {} block): TLS 1.2 and newer, as nats-server.

import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { TlsOptions } from './options.js';

export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(`cannot read the TLS ${what} "${path}": ${(err as Error).message}`, { cause: err });
  }
}

export function secureContext(o: TlsOptions): SecureContext {
  const cert = read(o.cert, 'certificate');
  const key = read(o.key, 'key');
  const ca = o.ca ? read(o.ca, 'CA certificate') : undefined;
  try {
    return createSecureContext({ cert, key, ca, minVersion: 'TLSv1.2' });
  } catch (err) {
    throw new TlsConfigError(`bad TLS certificate or key (${o.cert}, ${o.key}): ${(err as Error).message}`, { cause: err });
  }
}
