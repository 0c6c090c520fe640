// A NATS configuration file (-c) mapped to NATS server options
// (src/nats/config-options.ts; STAN-REFERENCE §7.5): every key and alias,
// each validation error with its file:line:col, unknown and not-yet
// supported keys, streaming keys left for the streaming layer, and the
// precedence defaults < file < command line (buildOptions in src/cli/main.ts).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildOptions } from '../../src/cli/main.js';
import { CliError, parseFlags } from '../../src/cli/flags.js';
import { parseConfig } from '../../src/config/index.js';
import { NatsConfigError, natsOptionsFromConfig, type NatsConfigOptions } from '../../src/nats/config-options.js';
import { defaultNatsOptions } from '../../src/nats/options.js';
import { failsWith } from '../helpers/config-errors.js';

const FILE = 'test.conf';

function read(text: string, variables?: Set<string>): NatsConfigOptions {
  return natsOptionsFromConfig(parseConfig(text, { file: FILE }), FILE, variables ? { variables } : {});
}

/** The options part only (without the bookkeeping fields). */
function options(text: string): Record<string, unknown> {
  const { streamingKeys: _k, sources: _s, ...rest } = read(text);
  return rest;
}

function fails(text: string, message: string): void {
  failsWith(read, text, NatsConfigError, message);
}

const keys = suite('nats/config-options keys');

const KEYS: [text: string, want: Record<string, unknown>][] = [
  ['listen: "127.0.0.1:4333"', { host: '127.0.0.1', port: 4333 }],
  ['listen: 127.0.0.1:4333', { host: '127.0.0.1', port: 4333 }],
  ['listen: 4333', { port: 4333 }],
  ['listen: ":4333"', { port: 4333 }],
  ['listen: "[::1]:4333"', { host: '::1', port: 4333 }],
  ['listen: "0.0.0.0:-1"', { host: '0.0.0.0', port: 0 }],
  ['host: 127.0.0.1', { host: '127.0.0.1' }],
  ['net: "::"', { host: '::' }],
  ['port: 4333', { port: 4333 }],
  ['port: -1', { port: 0 }],
  ['server_name: "nats-1"', { serverName: 'nats-1' }],
  ['max_connections: 100', { maxConnections: 100 }],
  ['max_conn: 100', { maxConnections: 100 }],
  ['max_payload: 64KB', { maxPayload: 65536 }],
  ['max_pending: 128MB', { maxPending: 134217728 }],
  ['max_control_line: 8192', { maxControlLine: 8192 }],
  ['max_subscriptions: 10', { maxSubscriptions: 10 }],
  ['max_subs: 0', { maxSubscriptions: 0 }],
  ['ping_interval: 30', { pingIntervalMs: 30_000 }],
  ['ping_interval: "1m30s"', { pingIntervalMs: 90_000 }],
  ['ping_interval: 500ms', { pingIntervalMs: 500 }],
  ['ping_max: 5', { pingMax: 5 }],
  ['write_deadline: "2s"', { writeDeadlineMs: 2000 }],
  ['write_deadline: 3', { writeDeadlineMs: 3000 }],
  ['no_header_support: true', { headers: false }],
  ['debug: true', { debug: true }],
  ['trace: on', { trace: true }],
  ['logtime: false', { logtime: false }],
  ['log_file: "/tmp/nats.log"', { logFile: '/tmp/nats.log' }],
  ['logfile: "/tmp/nats.log"', { logFile: '/tmp/nats.log' }],
  ['syslog: yes', { syslog: true }],
  ['remote_syslog: "udp://localhost:514"', { remoteSyslog: 'udp://localhost:514' }],
  ['pid_file: "/tmp/nats.pid"', { pidFile: '/tmp/nats.pid' }],
  ['pidfile: "/tmp/nats.pid"', { pidFile: '/tmp/nats.pid' }],
  ['http: 8222', { httpPort: 8222 }],
  ['http: "127.0.0.1:8222"', { httpHost: '127.0.0.1', httpPort: 8222 }],
  ['https: "0.0.0.0:8443"', { httpHost: '0.0.0.0', httpsPort: 8443 }],
  ['http_port: 8222', { httpPort: 8222 }],
  ['monitor_port: 8222', { httpPort: 8222 }],
  ['https_port: 8443', { httpsPort: 8443 }],
  ['authorization { user: a, password: b, timeout: 1.5 }', { auth: { user: 'a', password: 'b', timeoutMs: 1500 } }],
  ['authorization { token: "t0k" }', { auth: { token: 't0k' } }],
  ['authorization { users: [ {user: a, pass: b} ] }\nno_auth_user: a', { auth: { users: [{ user: 'a', password: 'b' }], noAuthUser: 'a' } }],
  ['tls { cert_file: c.pem, key_file: k.pem }', { tls: { cert: 'c.pem', key: 'k.pem', verify: false, timeoutMs: 2000 } }],
  [
    'tls { cert_file: c.pem, key_file: k.pem, ca_file: ca.pem, verify: true, timeout: 1.5 }',
    { tls: { cert: 'c.pem', key: 'k.pem', ca: 'ca.pem', verify: true, timeoutMs: 1500 } },
  ],
  ['tls { CERT_FILE: c.pem, Key_File: k.pem, timeout: "3s" }', { tls: { cert: 'c.pem', key: 'k.pem', verify: false, timeoutMs: 3000 } }],
];

for (const [text, want] of KEYS) {
  keys(text.replace(/\n/g, ' '), () => assert.equal(options(text), want));
}

keys('keys are case-insensitive', () => {
  assert.equal(options('PORT: 1\nMax_Payload: 100\nServer_Name: x\nAuthorization { USER: a, PASS: b }'), {
    port: 1, maxPayload: 100, serverName: 'x', auth: { user: 'a', password: 'b' },
  });
});

keys('a zero limit means the default and is left out', () => {
  assert.equal(options('max_connections: 0\nmax_payload: 0\nmax_pending: 0\nmax_control_line: 0\nping_interval: 0\nping_max: 0\nwrite_deadline: "0s"'), {});
});

keys('sources name each key as written with its position', () => {
  const o = read('port: 1\n  HTTP_PORT: 8222');
  assert.equal(o.sources, { port: '"port" (test.conf:1:1)', httpPort: '"HTTP_PORT" (test.conf:2:3)' });
});

keys('variables used as $NAME are not options', () => {
  const o = read('PORT_NUMBER: 4333\nport: $PORT_NUMBER', new Set(['PORT_NUMBER']));
  assert.is(o.port, 4333);
  fails('PORT_NUMBER: 4333\nport: $PORT_NUMBER', 'test.conf:1:1: PORT_NUMBER: unknown key (did you mean "port"?)');
});

const streaming = suite('nats/config-options streaming keys');

streaming('a streaming block is skipped and listed', () => {
  const o = read('port: 1\nstreaming { cluster_id: x, store: file, bogus: 1 }');
  assert.equal(o.streamingKeys, ['streaming']);
  assert.is(o.port, 1);
});

streaming('without a streaming block, top-level streaming keys are skipped and listed', () => {
  const o = read('cluster_id: x\nStore: file\nstore_limits { max_msgs: 1 }\nuser: me\nhb_interval: "10s"\nport: 1');
  assert.equal(o.streamingKeys, ['cluster_id', 'Store', 'store_limits', 'user', 'hb_interval']);
});

streaming('with a streaming block, a top-level streaming key is an error', () => {
  fails('streaming { id: a }\n  store: file', 'test.conf:2:3: store: a streaming option outside the "streaming" block, which is then the only place read for streaming options; move it there');
  fails('streaming: 5', 'test.conf:1:1: streaming: expected a map of streaming options, got 5');
});

const errors = suite('nats/config-options errors');

const ERRORS: [text: string, message: string][] = [
  ['prot: 4222', 'test.conf:1:1: prot: unknown key (did you mean "port"?)'],
  ['\n  max_payloads: 1', 'test.conf:2:3: max_payloads: unknown key (did you mean "max_payload"?)'],
  ['port: "abc"', 'test.conf:1:1: port: expected a port number from 0 to 65535 (or -1 for any free port), got "abc"'],
  ['port: 70000', 'test.conf:1:1: port: expected a port number from 0 to 65535 (or -1 for any free port), got 70000'],
  ['port: -2', 'test.conf:1:1: port: expected a port number from 0 to 65535 (or -1 for any free port), got -2'],
  ['listen: "nohostport"', 'test.conf:1:1: listen: expected a port or "host:port", got "nohostport"'],
  ['listen: "a:b:1"', 'test.conf:1:1: listen: expected a port or "host:port", got "a:b:1"'],
  ['listen: "h:x"', 'test.conf:1:1: listen: expected a port or "host:port", got "h:x"'],
  ['listen: "h:99999"', 'test.conf:1:1: listen: expected a port number from 0 to 65535 (or -1 for any free port), got 99999'],
  ['listen: true', 'test.conf:1:1: listen: expected a port or "host:port", got true'],
  ['host: 5', 'test.conf:1:1: host: expected a string, got 5'],
  ['server_name: "my server"', 'test.conf:1:1: server_name: server name can not contain spaces, got "my server"'],
  ['max_connections: -1', 'test.conf:1:1: max_connections: expected a non-negative integer (0 for the default), got -1'],
  ['max_conn: 1.5', 'test.conf:1:1: max_conn: expected a non-negative integer (0 for the default), got 1.5'],
  ['max_payload: 3GB', 'test.conf:1:1: max_payload: expected a non-negative integer up to 2147483647 (0 for the default), got 3221225472'],
  ['max_control_line: "4k"', 'test.conf:1:1: max_control_line: expected a non-negative integer up to 2147483647 (0 for the default), got "4k"'],
  ['max_pending: 1MB\nmax_payload: 2MB', 'test.conf:2:1: max_payload: max_payload (2097152) cannot be higher than max_pending (1048576)'],
  ['max_pending: 512KB', 'test.conf:1:1: max_pending: max_payload (1048576) cannot be higher than max_pending (524288)'],
  ['max_subs: -1', 'test.conf:1:1: max_subs: expected a non-negative integer (0 for unlimited), got -1'],
  ['ping_interval: "5x"', 'test.conf:1:1: ping_interval: expected a duration such as "2m" or "10s", or a number of seconds, got "5x" (time: unknown unit "x" in duration "5x")'],
  ['ping_interval: "-1s"', 'test.conf:1:1: ping_interval: expected a duration such as "2m" or "10s", or a number of seconds, not negative, got "-1s"'],
  ['write_deadline: true', 'test.conf:1:1: write_deadline: expected a duration such as "2m" or "10s", or a number of seconds, got true'],
  ['ping_max: -3', 'test.conf:1:1: ping_max: expected a non-negative integer (0 for the default), got -3'],
  ['debug: "yes"', 'test.conf:1:1: debug: expected true or false, got "yes"'],
  ['log_file: 5', 'test.conf:1:1: log_file: expected a string, got 5'],
  ['no_header_support: 1', 'test.conf:1:1: no_header_support: expected true or false, got 1'],
  ['http: [1]', 'test.conf:1:1: http: expected a port or "host:port", got [1]'],
  ['max_conn: 1\nmax_connections: 2', 'test.conf:2:1: max_connections: "max_conn" is given too; use one of them'],
  ['listen: 4222\nport: 4223', 'test.conf:2:1: port: "listen" is given too; use one of them'],
  ['http: 8222\nmonitor_port: 8223', 'test.conf:2:1: monitor_port: "http" is given too; use one of them'],
  ['tls: true', 'test.conf:1:1: tls: expected a map { cert_file, key_file, ca_file, verify, timeout }, got true'],
  ['tls { key_file: k }', 'test.conf:1:1: tls: cert_file is required'],
  ['tls { cert_file: c }', 'test.conf:1:1: tls: key_file is required'],
  ['tls {\n  cert_file: c, key_file: k\n  cert_fil: x }', 'test.conf:3:3: tls.cert_fil: unknown key (did you mean "cert_file"?)'],
  ['tls { cert_file: c, key_file: k, verify: "no" }', 'test.conf:1:34: tls.verify: expected true or false, got "no"'],
  ['tls { cert_file: c, key_file: k, timeout: -1 }', 'test.conf:1:34: tls.timeout: expected a non-negative number of seconds or a duration string, got -1'],
  ['tls { cert_file: 5, key_file: k }', 'test.conf:1:7: tls.cert_file: expected a string, got 5'],
  ['tls { cert_file: c, key_file: k, cipher_suites: [a] }', 'test.conf:1:34: tls.cipher_suites: not supported yet'],
  ['authorization: 5', 'test.conf:1:1: authorization: expected a map, got 5'],
  ['authorization {\n  users: 5\n}', 'test.conf:2:3: authorization.users: expected an array of user maps, got 5'],
  ['authorization { user: a, token: t }', 'test.conf:1:1: authorization: cannot have a user/pass and a token'],
  ['authorization { usr: a }', 'test.conf:1:17: authorization: unknown key "usr" (expected one of user, username, password, pass, token, timeout, users, permissions, default_permissions, default_permission)'],
  ['port: 1\nno_auth_user: bob', 'test.conf:2:1: no_auth_user: "bob" present, but users are not defined'],
];

for (const [text, message] of ERRORS) {
  errors(text.replace(/\n/g, ' '), () => fails(text, message));
}

errors('keys nats-server has but this server does not yet are refused by name', () => {
  for (const key of ['accounts', 'jetstream', 'leafnodes', 'leaf', 'gateway', 'websocket', 'ws', 'mqtt',
    'client_advertise', 'lame_duck_duration', 'system_account', 'operator', 'resolver', 'http_base_path', 'ocsp']) {
    fails(`port: 1\n${key}: {}`, `test.conf:2:1: ${key}: not supported yet`);
  }
  fails('JetStream { store_dir: /tmp }', 'test.conf:1:1: JetStream: not supported yet');
});

const precedence = suite('nats/config-options precedence (defaults < file < command line)');

/** The NATS logging levels of the logger options (they carry more fields). */
function levels(log: { debug?: boolean; trace?: boolean; logtime?: boolean }) {
  return { debug: log.debug, trace: log.trace, logtime: log.logtime };
}

precedence('defaults, then the file, then the flags', () => {
  const none = buildOptions(parseFlags([]));
  assert.equal(none.nats, defaultNatsOptions());
  assert.equal(levels(none.log), { debug: false, trace: false, logtime: true });

  const file = read('port: 5000\nhost: 127.0.0.1\nmax_payload: 2KB\ndebug: true\nlogtime: false\nserver_name: f');
  const fromFile = buildOptions(parseFlags([]), file);
  assert.equal([fromFile.nats.port, fromFile.nats.host, fromFile.nats.maxPayload], [5000, '127.0.0.1', 2048]);
  assert.equal(levels(fromFile.log), { debug: true, trace: false, logtime: false });

  const both = buildOptions(parseFlags(['-p', '6000', '-D=false', '-T', '--name', 'cli']), file);
  assert.equal([both.nats.port, both.nats.host, both.nats.maxPayload, both.nats.serverName], [6000, '127.0.0.1', 2048, 'cli']);
  assert.equal(levels(both.log), { debug: false, trace: false, logtime: true });
  assert.is(buildOptions(parseFlags(['-p', '-1'])).nats.port, 0);
});

precedence('-DV, -DVV and -VV win over -D and -V, and can turn both off', () => {
  assert.equal(levels(buildOptions(parseFlags(['-DV'])).log), { debug: true, trace: true, logtime: true });
  assert.equal(levels(buildOptions(parseFlags(['-D', '-V', '-DV=false'])).log), { debug: false, trace: false, logtime: true });
  assert.equal(levels(buildOptions(parseFlags(['-VV'])).log), { debug: false, trace: true, logtime: true });
  assert.equal(levels(buildOptions(parseFlags(['-DVV'])).log), { debug: true, trace: true, logtime: true });
});

precedence('--user, --pass and --auth replace the file credentials, and must fit the rest', () => {
  const file = read('authorization { user: a, password: b, timeout: 3 }');
  assert.equal(buildOptions(parseFlags(['--user', 'x', '--pass', 'y']), file).nats.auth, { user: 'x', password: 'y', timeoutMs: 3000 });
  assert.equal(buildOptions(parseFlags(['--auth', 't'])).nats.auth, { token: 't' });
  assert.throws(
    () => buildOptions(parseFlags(['--auth', 't']), file),
    (e: Error) => e instanceof CliError && e.message === '--user, --pass and --auth do not fit the configuration: authorization: cannot have a user/pass and a token',
  );
  assert.throws(() => buildOptions(parseFlags(['--user', 'x']), read('authorization { users: [{user: a}] }')), /users array/);
});

precedence('TLS flags replace the file TLS settings; --tls=false turns TLS off', () => {
  const file = read('tls { cert_file: c, key_file: k, verify: true, timeout: 5 }');
  assert.equal(buildOptions(parseFlags([]), file).nats.tls, { cert: 'c', key: 'k', verify: true, timeoutMs: 5000 });
  assert.is(buildOptions(parseFlags(['--tls=false', '--tlscert', 'x']), file).nats.tls, undefined);
  assert.equal(buildOptions(parseFlags(['--tlscert', 'c2', '--tlskey', 'k2', '--tlscacert', 'ca']), file).nats.tls, {
    cert: 'c2', key: 'k2', ca: 'ca', verify: false, timeoutMs: 5000,
  });
  assert.equal(buildOptions(parseFlags(['--tlsverify', '--tlscert', 'c', '--tlskey', 'k'])).nats.tls, {
    cert: 'c', key: 'k', verify: true, timeoutMs: 2000,
  });
  assert.throws(() => buildOptions(parseFlags(['--tls', '--tlskey', 'k'])), /TLS Server certificate must be present and valid \(--tlscert\)/);
  assert.throws(() => buildOptions(parseFlags(['--tls', '--tlscert', 'c'])), /TLS Server private key must be present and valid \(--tlskey\)/);
});

precedence('a port flag out of range is refused', () => {
  assert.throws(() => buildOptions(parseFlags(['-p', '70000'])), (e: Error) =>
    e.message === 'invalid value "70000" for flag -p: expected a port number from 0 to 65535 (or -1 for any free port)');
});

keys.run();
streaming.run();
errors.run();
precedence.run();
