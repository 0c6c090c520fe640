// Test certificates for the TLS tests, made with the `openssl` command line
// tool once per process into a fresh temporary directory: a CA, a server
// certificate (CN localhost, SAN DNS:localhost and IP:127.0.0.1) and a
// client certificate, both signed by the CA, plus a self-signed client
// certificate the CA did not issue. EC P-256 keys keep it fast.
//
// certs() returns the PEM file paths, or null when openssl is not
// available (then skipReason() says why, for a clear skip note).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A self-signed client certificate that the CA did not issue. */
  rogueCert: string;
  rogueKey: string;
}

/** A self-contained openssl config, so the system's openssl.cnf does not matter. */
const OPENSSL_CNF = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

let cached: CertPaths | null | undefined;
let reason = '';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

function generate(): CertPaths {
  const dir = mkdtempSync(join(tmpdir(), 'stan-certs-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, OPENSSL_CNF);
  const p = (name: string) => join(dir, name);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // The CA: self-signed.
  openssl(
    ['req', '-config', cnf, '-x509', ...newKey, '-keyout', p('ca-key.pem'), '-out', p('ca.pem'), '-days', '3650',
      '-subj', '/CN=STAN Test CA', '-extensions', 'ca_ext'],
    dir,
  );
  // Leaf certificates: a request, then signed by the CA.
  const leaf = (name: string, cn: string, ext: string, serial: string) => {
    openssl(
      ['req', '-config', cnf, '-new', ...newKey, '-keyout', p(`${name}-key.pem`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`],
      dir,
    );
    openssl(
      ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-set_serial', serial,
        '-days', '3650', '-out', p(`${name}.pem`), '-extfile', cnf, '-extensions', ext],
      dir,
    );
  };
  leaf('server', 'localhost', 'server_ext', '2');
  leaf('client', 'stan-test-client', 'client_ext', '3');
  openssl(
    ['req', '-config', cnf, '-x509', ...newKey, '-keyout', p('rogue-key.pem'), '-out', p('rogue.pem'), '-days', '3650',
      '-subj', '/CN=stan-test-client', '-extensions', 'client_ext'],
    dir,
  );
  return {
    dir,
    caCert: p('ca.pem'),
    caKey: p('ca-key.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server-key.pem'),
    clientCert: p('client.pem'),
    clientKey: p('client-key.pem'),
    rogueCert: p('rogue.pem'),
    rogueKey: p('rogue-key.pem'),
  };
}

/** The test certificates (made on first call), or null if openssl is unavailable. */
export function certs(): CertPaths | null {
  if (cached !== undefined) return cached;
  try {
    execFileSync('openssl', ['version'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    reason = `the openssl command is not available (${(err as Error).message})`;
    cached = null;
    return cached;
  }
  try {
    cached = generate();
  } catch (err) {
    const e = err as Error & { stderr?: Buffer };
    reason = `openssl failed to make test certificates: ${e.message}${e.stderr ? `\n${e.stderr.toString()}` : ''}`;
    cached = null;
  }
  return cached;
}

/** Why certs() returned null ('' if it did not). */
export function skipReason(): string {
  return reason;
}
