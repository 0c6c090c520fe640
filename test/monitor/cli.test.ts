// Monitoring from the command line (bin/nats-streaming-server.js): -m and
// -ms (with --tlscert/--tlskey), the -c file's http/https/http_port keys,
// bound to the -a address, Go's "Starting http monitor" line, and the
// settings refused at startup.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { certs } from '../helpers/certs.js';
import { ServerChild } from '../helpers/server-child.js';

/** Every server started, killed at the end whatever happened. */
const runs: ServerChild[] = [];
function run(args: string[]): ServerChild {
  const r = new ServerChild(args);
  runs.push(r);
  return r;
}

/** The streaming layer logs "STREAM: Streaming Server is ready" first; this is the last line of startup. */
const READY = /\[INF\] Server is ready\n/;

let dir = '';
const test = suite('monitor/cli');

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-monitor-cli-'));
});
test.after(() => {
  for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('-m -1: an HTTP monitor on a free port of the -a address, up before "Server is ready", closed at shutdown', async () => {
  const r = run(['-a', '127.0.0.1', '-p', '-1', '-m', '-1']);
  const [, host, port] = await r.waitFor(/Starting http monitor on ([\d.]+):(\d+)\n/);
  assert.is(host, '127.0.0.1');
  await r.waitFor(READY);
  assert.ok(r.stderr.indexOf('Starting http monitor') < r.stderr.search(READY));
  const varz = (await (await fetch(`http://127.0.0.1:${port}/varz`)).json()) as Record<string, unknown>;
  assert.equal([varz.http_host, varz.http_port, varz.https_port], ['127.0.0.1', Number(port), 0]);
  const sz = (await (await fetch(`http://127.0.0.1:${port}/streaming/serverz`)).json()) as Record<string, unknown>;
  assert.is(sz.state, 'STANDALONE');
  assert.is((await r.stop()).code, 0);
  const after = await fetch(`http://127.0.0.1:${port}/varz`).then(() => 'answered', () => 'refused');
  assert.is(after, 'refused');
});

test('the -c file: http: "host:port" (-1 = any port); -m on the command line wins', async () => {
  const conf = join(dir, 'http.conf');
  writeFileSync(conf, 'listen: "127.0.0.1:-1"\nhttp: "127.0.0.1:-1"\n');
  const r = run(['-c', conf]);
  const [, port] = await r.waitFor(/Starting http monitor on 127\.0\.0\.1:(\d+)\n/);
  await r.waitFor(READY);
  assert.is((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  assert.is((await r.stop()).code, 0);

  writeFileSync(conf, 'port: -1\nhost: 127.0.0.1\nhttp_port: 1\n');
  const over = run(['-c', conf, '-m', '-1']);
  const [, p2] = await over.waitFor(/Starting http monitor on 127\.0\.0\.1:(\d+)\n/);
  assert.is.not(p2, '1');
  await over.waitFor(READY);
  assert.is((await over.stop()).code, 0);
});

test('-ms with the server certificate', async () => {
  const c = certs();
  if (c === null) {
    console.log('SKIP -ms: openssl is not available to make test certificates');
    return;
  }
  const r = run(['-a', '127.0.0.1', '-p', '-1', '-ms', '-1', '--tlscert', c.serverCert, '--tlskey', c.serverKey]);
  const [, port] = await r.waitFor(/Starting https monitor on 127\.0\.0\.1:(\d+)\n/);
  await r.waitFor(READY);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path: '/streaming/storez', ca: readFileSync(c.caCert), servername: 'localhost' }, (res) => {
      let b = '';
      res.setEncoding('utf8').on('data', (d: string) => (b += d));
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
    req.end();
  });
  assert.is(JSON.parse(body).type, 'MEMORY');
  assert.is((await r.stop()).code, 0);
});

test('refused: both ports, -ms without a certificate, a bad port, a port in use', async () => {
  const refused = async (args: string[], text: string | RegExp) => {
    const r = run(['-a', '127.0.0.1', '-p', '-1', ...args]);
    const { code } = await r.exited;
    assert.is(code, 1, args.join(' '));
    if (typeof text === 'string') assert.ok(r.stderr.endsWith(text), `${args.join(' ')}: ${r.stderr}`);
    else assert.match(r.stderr, text);
  };
  await refused(['-m', '8222', '-ms', '8443'], "can't specify both HTTP (8222) and HTTPs (8443) ports\n");
  await refused(['-ms', '8443'], 'TLS cert and key required for HTTPS\n');
  await refused(['-m', '70000'], 'invalid value "70000" for flag -m: expected a port number from 0 to 65535 (0 for none, -1 for any free port)\n');
  const taken = run(['-a', '127.0.0.1', '-p', '-1', '-m', '-1']);
  const [, port] = await taken.waitFor(/Starting http monitor on 127\.0\.0\.1:(\d+)\n/);
  await taken.waitFor(READY);
  await refused(['-m', port!], /can't listen to the monitor port: .*EADDRINUSE/);
  assert.is((await taken.stop()).code, 0);
});

test.run();
