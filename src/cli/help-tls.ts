// `--help_tls`: how TLS is configured, in the layout of nats-server's
// PrintTLSHelpAndDie, listing what this server accepts in the tls block.

import { getCiphers } from 'node:tls';

/** The protocol versions client connections may use (TLS 1.2 and newer, as nats-server). */
const VERSIONS = ['TLSv1.2', 'TLSv1.3'];

export function tlsHelpText(): string {
  const ciphers = getCiphers()
    .filter((c) => c.includes('gcm') || c.includes('chacha20'))
    .map((c) => `    ${c.toUpperCase()}`);
  return `TLS configuration is specified in the tls section of a configuration file:

e.g.

    tls {
        cert_file:      "./certs/server-cert.pem"
        key_file:       "./certs/server-key.pem"
        ca_file:        "./certs/ca.pem"
        verify:         true
        timeout:        2
    }

or on the command line: --tls --tlscert FILE --tlskey FILE [--tlsverify --tlscacert FILE]

Protocol versions: ${VERSIONS.join(', ')}

Available cipher suites include (the platform's OpenSSL names):
${ciphers.join('\n')}
`;
}
