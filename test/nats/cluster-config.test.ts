// The `cluster {}` block of a NATS configuration file
// (src/nats/cluster-config.ts): every key and alias, errors at
// file:line:col, keys refused as not supported yet.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/index.js';
import { NatsConfigError, natsOptionsFromConfig } from '../../src/nats/config-options.js';
import { failsWith } from '../helpers/config-errors.js';

const FILE = 'test.conf';
const read = (text: string) => natsOptionsFromConfig(parseConfig(text, { file: FILE }), FILE).cluster;

const fails = (text: string, message: string) => failsWith(read, text, NatsConfigError, message);

const test = suite('nats/cluster-config');

test('a full block', () => {
  const c = read(`cluster {
  name: east
  listen: "127.0.0.1:6222"
  authorization { user: ruser, password: "T0p", timeout: 3 }
  routes: ["nats://ruser:T0p@127.0.0.1:6223", "nats://127.0.0.1:6224", "nats://127.0.0.1:6224"]
  advertise: "10.0.0.1:6222"
  no_advertise: true
  connect_retries: 5
  permissions { import: ["a.>"], export { allow: ["b.>"], deny: ["b.secret"] } }
}`);
  assert.equal(c, {
    host: '127.0.0.1',
    port: 6222,
    routes: ['nats://ruser:T0p@127.0.0.1:6223', 'nats://127.0.0.1:6224'],
    noAdvertise: true,
    connectRetries: 5,
    name: 'east',
    user: 'ruser',
    password: 'T0p',
    authTimeoutMs: 3000,
    advertise: '10.0.0.1:6222',
    permissions: { import: { allow: ['a.>'] }, export: { allow: ['b.>'], deny: ['b.secret'] } },
  });
});

test('host and port, cluster_advertise alias, random port', () => {
  assert.equal(read('cluster { host: 127.0.0.2, port: -1, cluster_advertise: "x:1" }'), {
    host: '127.0.0.2', port: 0, routes: [], noAdvertise: false, connectRetries: 0, advertise: 'x:1',
  });
});

test('errors name the place', () => {
  fails('cluster: 5', 'test.conf:1:1: cluster: expected a map to define cluster, got 5');
  fails('cluster {\n  name: a\n}', 'test.conf:1:1: cluster: a cluster needs listen or port');
  fails('cluster {\n  port: 1\n  routes: ["::nope"]\n}', 'test.conf:3:3: cluster.routes: error parsing route url ["::nope"]');
  fails('cluster {\n  port: 1\n  tls: {}\n}', 'test.conf:3:3: cluster.tls: not supported yet');
  fails('cluster {\n  port: 1\n  listen: 2\n}', 'test.conf:3:3: cluster.listen: "cluster.port" is given too; use one of them');
  fails('cluster {\n  port: 1\n  authorization { token: x }\n}', 'test.conf:3:3: cluster.authorization: Cluster authorization does not support tokens');
  fails('cluster {\n  port: 1\n  permissions { import: "a", allow_responses: true }\n}', 'test.conf:3:3: cluster.permissions: Cluster permissions do not support dynamic responses');
  fails('cluster {\n  port: 1\n  connect_retries: -1\n}', 'test.conf:3:3: cluster.connect_retries: expected a non-negative number of retries, got -1');
  fails('cluster {\n  port: 1\n  rutes: []\n}', 'test.conf:3:3: cluster.rutes: unknown key (did you mean "routes"?)');
});

test.run();
