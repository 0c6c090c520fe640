// TLS for client connections (--tls, --tlscert, --tlskey, --tlsverify,
// --tlscacert, the tls {} block): TLS 1.2 and newer, as nats-server.
// Handshakes run in a tls.Server that never listens: the plaintext INFO is
// written first, then the socket is handed to it, and it verifies client
// certificates (a bare TLSSocket would not).

import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions as TlsServerOptions } from 'node:tls';
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

/**
 * Options of the tls.Server that runs the handshakes. Files are read, and
 * the key and certificates checked, here, so that a bad one stops startup.
 */
export function tlsServerOptions(o: TlsOptions): TlsServerOptions {
  const cert = read(o.cert, 'certificate');
  const key = read(o.key, 'key');
  const ca = o.ca ? read(o.ca, 'CA certificate') : undefined;
  try {
    createSecureContext({ cert, key, ca, minVersion: 'TLSv1.2' });
  } catch (err) {
    throw new TlsConfigError(`bad TLS certificate or key (${o.cert}, ${o.key}): ${(err as Error).message}`, { cause: err });
  }
  return {
    cert,
    key,
    ca,
    minVersion: 'TLSv1.2',
    requestCert: o.verify,
    rejectUnauthorized: o.verify,
    handshakeTimeout: o.timeoutMs,
  };
}
