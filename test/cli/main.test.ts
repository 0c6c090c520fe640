// The nats-streaming-server command end to end (src/cli/main.ts through
// bin/nats-streaming-server.js): a child process per case, a real nats.js
// client over loopback, signals, exit codes and what reaches stdout/stderr
// (STAN-REFERENCE §7.1, §7.4).

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, NatsError, StringCodec } from 'nats';
import { usageText } from '../../src/cli/flags.js';
import { tlsHelpText } from '../../src/cli/help-tls.js';
import { BIN, ServerChild } from '../helpers/server-child.js';

const Run = ServerChild;

const sc = StringCodec();
let dir = '';

function conf(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function pubSub(port: number, creds: { user?: string; pass?: string } = {}): Promise<string> {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, ...creds });
  const sub = nc.subscribe('greet', { max: 1 });
  nc.publish('greet', sc.encode('hello'));
  let got = '';
  for await (const m of sub) got = sc.decode(m.data);
  await nc.close();
  return got;
}

async function refused(port: number, creds: { user?: string; pass?: string } = {}): Promise<void> {
  try {
    const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, ...creds });
    await nc.close();
  } catch (err) {
    assert.instance(err, NatsError);
    assert.is((err as NatsError).code, 'AUTHORIZATION_VIOLATION');
    return;
  }
  assert.unreachable('connected without the right credentials');
}

const run = suite('cli/main running');

run.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-cli-'));
});
run.after(() => rmSync(dir, { recursive: true, force: true }));

run('starts, serves a client, and exits 143 on SIGTERM (signal.go)', async () => {
  const r = new Run(['-p', '0', '-a', '127.0.0.1']);
  const port = await r.port();
  await r.waitFor(/\[INF\] Server is ready\n/);
  assert.is(await pubSub(port), 'hello');
  r.child.kill('SIGTERM');
  assert.equal(await r.exit(), { code: 143, signal: null });
  for (const line of ['[INF] Starting nats-server\n', '[INF]   Version:  2.9.24\n', '[INF]   Git:      [not set]\n',
    `[INF] Listening for client connections on 127.0.0.1:${port}\n`, '[INF] Trapped "terminated" signal\n',
    '[INF] Initiating Shutdown...\n', '[INF] Server Exiting..\n']) {
    assert.ok(r.stderr.includes(line), line);
  }
  assert.match(r.stderr, /\[INF\]   Core:     (native|wasm)\n/);
  assert.match(r.stderr, /^\[\d+\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] Starting nats-server$/m);
  assert.is(r.stdout, '');
});

run('exits 0 on SIGINT; -T=false drops the timestamps; -DV and -SD log debug lines, one saying --ack_subs is ignored', async () => {
  const r = new Run(['-p', '0', '-a', '127.0.0.1', '-T=false', '-DV', '-SD', '--ack_subs', '4']);
  await r.waitFor(/Server is ready\n/);
  assert.match(r.stderr, /^\[\d+\] \[INF\] Starting nats-server$/m);
  // Accepted as in the 0.4.0 docs, without effect (issue #11).
  assert.is(r.stderr.split('[DBG] STREAM: --ack_subs is accepted for compatibility and ignored\n').length, 2, r.stderr);
  r.child.kill('SIGINT');
  assert.equal(await r.exit(), { code: 0, signal: null });
  assert.ok(r.stderr.includes('[INF] Trapped "interrupt" signal\n'));
});

run('--user a --pass b requires those credentials', async () => {
  const r = new Run(['-p', '0', '-a', '127.0.0.1', '--user', 'a', '--pass', 'b']);
  const port = await r.port();
  await refused(port);
  await refused(port, { user: 'a', pass: 'wrong' });
  assert.is(await pubSub(port, { user: 'a', pass: 'b' }), 'hello');
  r.child.kill('SIGTERM');
  assert.is((await r.exit()).code, 143);
});

run('-c: the file sets the options, the command line overrides it', async () => {
  const file = conf('auth.conf', 'port: 4222\nhost: 0.0.0.0\nauthorization { user: fu, password: fp }\n');
  const r = new Run(['-c', file, '-p', '0', '-a', '127.0.0.1']);
  const port = await r.port();
  assert.ok(r.stderr.includes(`[INF] Using configuration file: ${file}\n`));
  assert.ok(r.stderr.includes(`Listening for client connections on 127.0.0.1:${port}\n`));
  await refused(port);
  assert.is(await pubSub(port, { user: 'fu', pass: 'fp' }), 'hello');
  r.child.kill('SIGTERM');
  assert.is((await r.exit()).code, 143);
});

run('a port already in use exits 1 with the listen error', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  const r = new Run(['-p', String(port), '-a', '127.0.0.1']);
  assert.is((await r.exit()).code, 1);
  busy.close();
  assert.match(r.stderr, new RegExp(`\\[ERR\\] Error listening on port: 127\\.0\\.0\\.1:${port}, ".*EADDRINUSE.*"`));
});

const refuse = suite('cli/main refusing to start');

refuse.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stan-cli-'));
});
refuse.after(() => rmSync(dir, { recursive: true, force: true }));

async function refusedWith(args: string[], stderr: string | RegExp): Promise<void> {
  const r = new Run(args);
  assert.equal(await r.exit(), { code: 1, signal: null });
  if (typeof stderr === 'string') assert.is(r.stderr, stderr);
  else assert.match(r.stderr, stderr);
  assert.is(r.stdout, '');
}

refuse('a config syntax error prints file:line:col', async () => {
  const file = conf('bad.conf', 'port: 4222\nauthorization {\n  user = [\n');
  await refusedWith(['-c', file], new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: .+\n$`));
});

refuse('an invalid config value prints its position', async () => {
  const file = conf('value.conf', 'port: 4222\n  max_conn: -5\n');
  await refusedWith(['-c', file], `${file}:2:3: max_conn: expected a non-negative integer (0 for the default), got -5\n`);
});

refuse('a missing config file', async () => {
  await refusedWith(['-c', join(dir, 'nope.conf')], /^error opening config file '.*nope\.conf': .+\n$/);
});

refuse('unsupported flags, each named', async () => {
  await refusedWith(['-p', '0', '--cluster_node_id', 'a'], 'flag --cluster_node_id is not supported yet\n');
});

refuse('config settings for features that do not exist yet', async () => {
  const file = conf('later.conf', 'port: 0\nstreaming { id: x, credentials: "/x.creds" }\n');
  await refusedWith(['-c', file],
    `config key "credentials" (${file}:2:20) is not supported yet (NATS credentials files)\n`);
});

refuse('an unknown flag names the nearest one', async () => {
  await refusedWith(['--prot', '0'], 'flag provided but not defined: --prot (did you mean --port?)\n(nats-streaming-server -h lists the options)\n');
});

refuse('TLS flags without a certificate', async () => {
  await refusedWith(['--tls'], 'TLS Server certificate must be present and valid (--tlscert)\n');
});

const info = suite('cli/main help, version, check');

info('-h and --help print the usage text to stdout and exit 0', async () => {
  for (const flag of ['-h', '--help', 'help']) {
    const r = new Run([flag]);
    assert.equal(await r.exit(), { code: 0, signal: null });
    assert.fixture(r.stdout, usageText());
    assert.is(r.stderr, '');
  }
});

info('--help_tls prints how TLS is configured and exits 0', async () => {
  const r = new Run(['--help_tls']);
  assert.equal(await r.exit(), { code: 0, signal: null });
  assert.fixture(r.stdout, tlsHelpText());
  assert.match(r.stdout, /tls \{\n\s+cert_file:/);
  assert.match(r.stdout, /Protocol versions: TLSv1\.2, TLSv1\.3/);
});

info('-v prints the version line and exits 0', async () => {
  const r = new Run(['--version']);
  assert.equal(await r.exit(), { code: 0, signal: null });
  assert.match(r.stdout, /^nats-streaming-server version \d+\.\d+\.\d+\S*, nats-server: v2\.9\.24\n$/);
});

info('-t checks a config file and exits', async () => {
  dir = mkdtempSync(join(tmpdir(), 'stan-cli-'));
  const good = conf('good.conf', 'port: 4222\nmax_payload: 512KB\n');
  const ok = new Run(['-t', '-c', good]);
  assert.equal(await ok.exit(), { code: 0, signal: null });
  assert.is(ok.stderr, `nats-streaming-server: configuration file ${good} is valid\n`);
  const none = new Run(['-t']);
  assert.is((await none.exit()).code, 1);
  assert.is(none.stderr, 'must specify [-c, --config] option to check configuration file syntax\n');
  rmSync(dir, { recursive: true, force: true });
});

info('the bin script says what to do when dist/ is missing', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'stan-bin-'));
  mkdirSync(join(tmp, 'bin'));
  copyFileSync(BIN, join(tmp, 'bin', 'nats-streaming-server.js'));
  writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
  const r = new Run(['-h'], join(tmp, 'bin', 'nats-streaming-server.js'));
  assert.equal(await r.exit(), { code: 1, signal: null });
  assert.is(r.stderr, 'run `npm install` (or `npm run build`) first\n');
  rmSync(tmp, { recursive: true, force: true });
});

run.run();
refuse.run();
info.run();
