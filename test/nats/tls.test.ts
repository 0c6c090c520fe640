// TLS for client connections (STAN-REFERENCE §1.2, §1.7): the server sends
// INFO in the clear (tls_required, tls_verify), then expects the client's
// TLS handshake; TLS 1.2 and newer only; client certificates when verify is
// set. Driven with the real clients — nats.js v2 (`nats`) and v3
// (`@nats-io/transport-node`), which take `tls: { caFile, certFile,
// keyFile }` and upgrade as soon as INFO says tls_required — and with raw
// sockets for the protocol side. Certificates come from test/helpers/certs.ts
// (the openssl CLI); without openssl the tests are skipped with a note.
//
// Client behaviours pinned here:
//   - both clients always start TLS when INFO has tls_required, whatever
//     their options; `tls: null` (the documented way to turn TLS off) makes
//     both fail before the handshake with a TypeError ("Cannot destructure
//     property 'certFile' of 'this.options.tls' as it is null"), wrapped in a
//     NatsError (v2, code TLS) or a ConnectionError (v3);
//   - a client that does not trust the CA fails with Node's
//     SELF_SIGNED_CERT_IN_CHAIN error;
//   - refused for lack of a client certificate (TLS 1.3), the client sees
//     ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED.

import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as v2 from 'nats';
import * as v3 from '@nats-io/transport-node';
import { DEFAULT_TLS_TIMEOUT_MS, type TlsOptions } from '../../src/nats/options.js';
import type { NatsServer } from '../../src/nats/server.js';
import { certs, skipReason, type CertPaths } from '../helpers/certs.js';
import { RawClient, startServer } from '../helpers/nats.js';
import { until } from '../helpers/wait.js';

interface Msg {
  subject: string;
  data: Uint8Array;
}
interface Conn {
  subscribe(subject: string, opts?: { max?: number }): AsyncIterable<Msg>;
  publish(subject: string, data?: Uint8Array): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  isClosed(): boolean;
  readonly info?: Record<string, unknown>;
}

const CLIENTS = [
  { name: 'nats.js v2', connect: (o: Record<string, unknown>) => v2.connect(o as v2.ConnectionOptions) as unknown as Promise<Conn> },
  { name: 'nats.js v3', connect: (o: Record<string, unknown>) => v3.connect(o as v3.ConnectionOptions) as unknown as Promise<Conn> },
];

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function tlsOptions(c: CertPaths, verify: boolean): TlsOptions {
  return { cert: c.serverCert, key: c.serverKey, ca: c.caCert, verify, timeoutMs: DEFAULT_TLS_TIMEOUT_MS };
}

/** connect() must fail; returns the error. */
async function mustFail(p: Promise<Conn>, what: string): Promise<Error & { code?: string }> {
  let conn: Conn;
  try {
    conn = await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  await conn.close();
  assert.unreachable(`${what}: connected`);
  throw new Error('unreachable');
}

/** Waits until the server has no connections left (refused ones are gone). */
async function drained(s: NatsServer): Promise<void> {
  await until(() => s.clients.size === 0, 'no connection left on the server');
}

/**
 * A raw TCP connection that reads the plaintext INFO line, then starts TLS
 * with `opts`. Resolves to the TLS socket once the handshake is done.
 */
async function rawTls(port: number, opts: ConnectionOptions): Promise<{ info: Record<string, unknown>; tls: TLSSocket }> {
  const sock: Socket = netConnect(port, '127.0.0.1');
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      sock.pause();
      if (end + 2 !== buf.length) reject(new Error(`bytes after INFO before the handshake: ${JSON.stringify(buf)}`));
      resolve(buf.slice(0, end));
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.once('close', () => reject(new Error(`closed before INFO; got ${JSON.stringify(buf)}`)));
  });
  const m = /^INFO (.*) $/.exec(line);
  if (!m) throw new Error(`not an INFO line: ${JSON.stringify(line)}`);
  const info = JSON.parse(m[1]!) as Record<string, unknown>;
  sock.removeAllListeners('close');
  sock.removeAllListeners('error');
  const tls = await new Promise<TLSSocket>((resolve, reject) => {
    const t = tlsConnect({ socket: sock, servername: 'localhost', ...opts }, () => resolve(t));
    t.once('error', (err) => {
      sock.destroy();
      reject(err);
    });
  });
  return { info, tls };
}

/** Sends CONNECT+PING over an established TLS socket and waits for the PONG. */
async function pingOver(tls: TLSSocket): Promise<string> {
  tls.write('CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n');
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no PONG; got ${JSON.stringify(buf)}`)), 2000);
    tls.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('PONG\r\n')) {
        clearTimeout(timer);
        resolve(buf);
      }
    });
    tls.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`closed; got ${JSON.stringify(buf)}`));
    });
  });
}

const paths = certs();

if (paths === null) {
  const skip = suite('nats/tls');
  console.log(`SKIP nats/tls: ${skipReason()}`);
  skip.skip('TLS tests need the openssl command to make test certificates', () => {});
  skip.run();
} else {
  const c = paths;

  for (const client of CLIENTS) {
    const test = suite(`nats/tls [${client.name}]`);
    let plain: NatsServer; // tls, no client certificates
    let verify: NatsServer; // tls with verify
    const conns: Conn[] = [];
    const open = async (s: NatsServer, o: Record<string, unknown>) => {
      const conn = await client.connect({ servers: `127.0.0.1:${s.port}`, reconnect: false, timeout: 3000, ...o });
      conns.push(conn);
      return conn;
    };
    const roundTrip = async (conn: Conn, subject: string) => {
      const sub = conn.subscribe(subject, { max: 1 });
      conn.publish(subject, enc(`over tls`));
      const got: string[] = [];
      for await (const m of sub) got.push(`${m.subject}:${dec(m.data)}`);
      assert.equal(got, [`${subject}:over tls`]);
    };

    test.before(async () => {
      plain = await startServer({ tls: tlsOptions(c, false) });
      verify = await startServer({ tls: tlsOptions(c, true) });
    });
    test.after.each(async () => {
      for (const conn of conns.splice(0)) if (!conn.isClosed()) await conn.close();
    });
    test.after(async () => {
      await plain.shutdown();
      await verify.shutdown();
    });

    test('a client trusting the CA connects over TLS and pub/subs', async () => {
      const conn = await open(plain, { tls: { caFile: c.caCert } });
      assert.is(conn.info?.['tls_required'], true);
      assert.is(conn.info?.['tls_verify'], undefined);
      await roundTrip(conn, 'tls.plain');
      // By host name as well (the certificate has DNS:localhost and IP:127.0.0.1).
      const byName = await open(plain, { servers: `localhost:${plain.port}`, tls: { caFile: c.caCert } });
      await roundTrip(byName, 'tls.byname');
      // A client certificate is accepted when none is required.
      const withCert = await open(plain, { tls: { caFile: c.caCert, certFile: c.clientCert, keyFile: c.clientKey } });
      await roundTrip(withCert, 'tls.withcert');
    });

    test('a client with TLS turned off (tls: null) does not get in', async () => {
      const err = await mustFail(client.connect({ servers: `127.0.0.1:${plain.port}`, reconnect: false, tls: null }), 'tls: null');
      assert.match(err.message, /certFile|tls/i);
      await drained(plain);
    });

    test('a client that does not trust the CA fails the handshake', async () => {
      const err = await mustFail(client.connect({ servers: `127.0.0.1:${plain.port}`, reconnect: false }), 'no CA');
      assert.is(err.code, 'SELF_SIGNED_CERT_IN_CHAIN', `${err.name}: ${err.message}`);
      await drained(plain);
    });

    test('with verify: a client with a certificate from the CA connects', async () => {
      const conn = await open(verify, { tls: { caFile: c.caCert, certFile: c.clientCert, keyFile: c.clientKey } });
      assert.is(conn.info?.['tls_required'], true);
      assert.is(conn.info?.['tls_verify'], true);
      await roundTrip(conn, 'tls.verify');
    });

    test('with verify: a client without a certificate is refused', async () => {
      const err = await mustFail(
        client.connect({ servers: `127.0.0.1:${verify.port}`, reconnect: false, tls: { caFile: c.caCert } }),
        'no client certificate',
      );
      assert.ok(
        err.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || err.code === 'ECONNRESET' || /certificate/i.test(err.message),
        `${err.name} ${err.code}: ${err.message}`,
      );
      await drained(verify);
    });

    test('with verify: a client certificate the CA did not issue is refused', async () => {
      const err = await mustFail(
        client.connect({
          servers: `127.0.0.1:${verify.port}`,
          reconnect: false,
          tls: { caFile: c.caCert, certFile: c.rogueCert, keyFile: c.rogueKey },
        }),
        'a self-signed client certificate the CA did not issue',
      );
      // Refused in the handshake or right after it (TLS 1.3 clients finish first): either way an error.
      assert.instance(err, Error);
      await drained(verify);
    });

    test.run();
  }

  // -------------------------------------------------------------------------
  // The protocol side.

  const raw = suite('nats/tls raw protocol');
  let plain: NatsServer;
  let verify: NatsServer;
  const opened: { destroy(): void }[] = [];
  raw.before(async () => {
    plain = await startServer({ tls: tlsOptions(c, false) });
    verify = await startServer({ tls: tlsOptions(c, true) });
  });
  raw.after.each(() => {
    for (const s of opened.splice(0)) s.destroy();
  });
  raw.after(async () => {
    await plain.shutdown();
    await verify.shutdown();
  });

  raw('INFO comes in the clear: tls_required, and tls_verify only with verify', async () => {
    const [a, infoA] = await RawClient.info(plain.port);
    opened.push(a.socket);
    assert.is(infoA['tls_required'], true);
    assert.not.ok('tls_verify' in infoA);
    assert.not.ok('tls_available' in infoA);
    const [b, infoB] = await RawClient.info(verify.port);
    opened.push(b.socket);
    assert.is(infoB['tls_required'], true);
    assert.is(infoB['tls_verify'], true);
    // Without TLS configured, neither key is there.
    const none = await startServer();
    try {
      const [n, info] = await RawClient.info(none.port);
      n.close();
      assert.not.ok('tls_required' in info);
      assert.not.ok('tls_verify' in info);
    } finally {
      await none.shutdown();
    }
  });

  raw('TLS 1.2 and 1.3 handshakes work; the protocol then runs over TLS without a second INFO', async () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const { info, tls } = await rawTls(plain.port, { ca: readCa(c), minVersion: version, maxVersion: version });
      opened.push(tls);
      assert.is(info['tls_required'], true);
      assert.is(tls.getProtocol(), version);
      assert.is(await pingOver(tls), 'PONG\r\n', `${version}: just the PONG`);
    }
  });

  raw('TLS 1.1 and older are refused', async () => {
    for (const version of ['TLSv1.1', 'TLSv1'] as const) {
      // Let the client side do old TLS at all (OpenSSL 3 refuses it at the default security level),
      // so that it is the server that says no.
      const err = await rawTls(plain.port, {
        ca: readCa(c),
        minVersion: 'TLSv1',
        maxVersion: version,
        ciphers: 'DEFAULT:@SECLEVEL=0',
      }).then(
        ({ tls }) => {
          tls.destroy();
          return undefined;
        },
        (e: Error & { code?: string }) => e,
      );
      assert.ok(err !== undefined, `${version}: handshake succeeded`);
      // The server's protocol_version alert (not a client-side refusal).
      assert.is(err.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', `${version}: ${err.message}`);
    }
    await drained(plain);
  });

  raw('with verify, a client certificate the CA did not issue gets no service', async () => {
    const outcome = await rawTls(verify.port, {
      ca: readCa(c),
      cert: readFileSync(c.rogueCert),
      key: readFileSync(c.rogueKey),
    }).then(
      async ({ tls }) => {
        opened.push(tls);
        // TLS 1.3: the client finishes its side before the server has judged its certificate.
        return pingOver(tls).then(
          (got) => `served: ${JSON.stringify(got)}`,
          (e: Error) => `refused after the handshake (${e.message})`,
        );
      },
      (e: Error & { code?: string }) => `refused in the handshake (${e.code})`,
    );
    assert.match(outcome, /^refused/, outcome);
  });

  raw('a plaintext client that sends CONNECT instead of a handshake is disconnected', async () => {
    const [rc, info] = await RawClient.info(plain.port);
    opened.push(rc.socket);
    assert.is(info['tls_required'], true);
    rc.send('CONNECT {"verbose":false}\r\nPING\r\n');
    const left = await rc.closedBy(3000);
    assert.not.match(left, /PONG/, 'no PONG in the clear');
    await drained(plain);
  });

  raw('a client that never starts the handshake is dropped after the TLS timeout', async () => {
    const s = await startServer({ tls: { ...tlsOptions(c, false), timeoutMs: 200 } });
    try {
      const [rc] = await RawClient.info(s.port);
      opened.push(rc.socket);
      const started = Date.now();
      await rc.closedBy(5000);
      const took = Date.now() - started;
      assert.ok(took >= 100, `dropped after ${took} ms, not before the 200 ms TLS timeout`);
    } finally {
      await s.shutdown();
    }
  });

  raw.run();
}

function readCa(c: CertPaths): string {
  return readFileSync(c.caCert, 'utf8');
}
