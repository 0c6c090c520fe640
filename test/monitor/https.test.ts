// The monitor over HTTPS (-ms, the server's certificate), both listeners
// at once through the API, and the TLS and user details /connz shows of a
// NATS server with TLS and authentication.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from 'nats';
import { startMonitor, MonitorStartError } from '../../src/monitor/index.js';
import type { NatsServer } from '../../src/nats/server.js';
import { certs, skipReason, type CertPaths } from '../helpers/certs.js';
import { startServer } from '../helpers/nats.js';
import { startStan, type StanFixture } from '../helpers/stan.js';

/** GET over HTTPS trusting the test CA. */
function httpsGet(port: number, path: string, ca: string): Promise<{ status: number; body: string; tls: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost', agent: false }, (res) => {
      const tls = (res.socket as TLSSocket).getProtocol() ?? '';
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, tls }));
    });
    req.on('error', reject);
    req.end();
  });
}

const paths = certs();

if (paths === null) {
  const skip = suite('monitor/https');
  console.log(`SKIP monitor/https: ${skipReason()}`);
  skip.skip('HTTPS tests need the openssl command to make test certificates', () => {});
  skip.run();
} else {
  const c: CertPaths = paths;
  const test = suite('monitor/https');
  let f: StanFixture;

  test.before(async () => {
    f = await startStan();
  });
  test.after(async () => {
    await f.stop();
  });

  test('-ms: the endpoints over HTTPS with the server certificate', async () => {
    const m = await startMonitor({ host: '127.0.0.1', httpsPort: 0, tls: { cert: c.serverCert, key: c.serverKey } }, { nats: f.nats, stan: f.stan, coreKind: 'native' });
    try {
      assert.is(m.httpPort, undefined);
      assert.is(m.port, m.httpsPort);
      const ca = readFileSync(c.caCert, 'utf8');
      const sz = await httpsGet(m.port, '/streaming/serverz', ca);
      assert.is(sz.status, 200);
      assert.match(sz.tls, /^TLSv1\.[23]$/);
      assert.is(JSON.parse(sz.body).cluster_id, 'test-cluster');
      const varz = JSON.parse((await httpsGet(m.port, '/varz', ca)).body);
      assert.equal([varz.http_port, varz.https_port], [0, m.port]);
      // Plain HTTP on the HTTPS port gets nothing useful.
      const plain = await fetch(`http://127.0.0.1:${m.port}/varz`).then((r) => r.status, () => -1);
      assert.ok(plain !== 200);
    } finally {
      await m.close();
    }
  });

  test('both listeners at once; HTTPS without a certificate is refused', async () => {
    const m = await startMonitor(
      { host: '127.0.0.1', httpPort: 0, httpsPort: 0, tls: { cert: c.serverCert, key: c.serverKey } },
      { nats: f.nats, stan: f.stan, coreKind: 'wasm' },
    );
    try {
      const varz = (await (await fetch(`http://127.0.0.1:${m.httpPort}/varz`)).json()) as Record<string, unknown>;
      assert.equal([varz.http_port, varz.https_port, varz.core], [m.httpPort, m.httpsPort, 'wasm']);
    } finally {
      await m.close();
    }
    try {
      await startMonitor({ host: '127.0.0.1', httpsPort: 0 }, { nats: f.nats, stan: f.stan, coreKind: 'native' });
      assert.unreachable('started without TLS');
    } catch (err) {
      assert.instance(err, MonitorStartError);
      assert.is((err as Error).message, 'TLS cert and key required for HTTPS');
    }
  });

  test('/connz of a TLS server with users: tls_version, tls_cipher_suite, authorized_user with auth=1', async () => {
    let s: NatsServer | undefined;
    let nc: NatsConnection | undefined;
    const m0 = { close: async () => {} };
    let m = m0;
    try {
      s = await startServer({
        tls: { cert: c.serverCert, key: c.serverKey, verify: false, timeoutMs: 2000 },
        auth: { user: 'ann', password: 'secret' },
      });
      nc = await connect({ servers: `127.0.0.1:${s.port}`, tls: { caFile: c.caCert }, user: 'ann', pass: 'secret', name: 'secure' });
      await nc.flush();
      const mon = await startMonitor({ host: '127.0.0.1', httpPort: 0 }, { nats: s, coreKind: 'native' });
      m = mon;
      const connz = (await (await fetch(`http://127.0.0.1:${mon.port}/connz`)).json()) as { connections: Record<string, unknown>[] };
      const conn = connz.connections[0]!;
      assert.match(String(conn.tls_version), /^1\.[23]$/);
      assert.match(String(conn.tls_cipher_suite), /^TLS_/);
      assert.ok(!('authorized_user' in conn), 'the user only with auth=1');
      const withAuth = (await (await fetch(`http://127.0.0.1:${mon.port}/connz?auth=1`)).json()) as { connections: Record<string, unknown>[] };
      assert.is(withAuth.connections[0]!.authorized_user, 'ann');
      const varz = (await (await fetch(`http://127.0.0.1:${mon.port}/varz`)).json()) as Record<string, unknown>;
      assert.equal([varz.auth_required, varz.tls_required, varz.tls_verify, varz.auth_timeout], [true, true, undefined, 3]);
      // No streaming server here: its endpoints say so with a 503.
      const sz = await fetch(`http://127.0.0.1:${mon.port}/streaming/serverz`);
      assert.is(sz.status, 503);
      assert.match(await sz.text(), /streaming server is not running/);
      assert.is((await fetch(`http://127.0.0.1:${mon.port}/healthz`)).status, 503);
    } finally {
      await m.close();
      await nc?.close();
      await s?.shutdown();
    }
  });

  test.run();
}
