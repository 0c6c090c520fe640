// The cluster flags (src/cli/cluster-flags.ts) over the config file's
// cluster block, as nats-server 2.9's ConfigureOptions: --cluster with and
// without credentials, -1 for a free port, "" to turn it off, --routes and
// its check, and the other cluster flags.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildOptions } from '../../src/cli/main.js';
import { CliError, parseFlags } from '../../src/cli/flags.js';
import { parseConfig } from '../../src/config/index.js';
import { natsOptionsFromConfig } from '../../src/nats/config-options.js';

const test = suite('cli/cluster-flags');

const cluster = (argv: string[], file = '') =>
  buildOptions(parseFlags(argv), natsOptionsFromConfig(parseConfig(file, { file: 'f.conf' }), 'f.conf')).nats.cluster;

test('--cluster and --routes', () => {
  assert.equal(cluster(['--cluster', 'nats://127.0.0.1:6222', '--routes', 'nats://a:1, nats://u:p@b:2']), {
    host: '127.0.0.1', port: 6222, routes: ['nats://a:1', 'nats://u:p@b:2'], noAdvertise: false, connectRetries: 0,
  });
  assert.is(cluster(['--cluster', 'nats://0.0.0.0:-1'])!.port, 0);
  assert.is(cluster([]), undefined);
});

test('credentials in --cluster are what routes must present; without, the file ones are cleared', () => {
  const c = cluster(['--cluster', 'nats://ru:rp@127.0.0.1:6222']);
  assert.is(c!.user, 'ru');
  assert.is(c!.password, 'rp');
  const file = 'cluster { port: 1, authorization { user: a, password: b } }';
  assert.is(cluster([], file)!.user, 'a');
  assert.is(cluster(['--cluster', 'nats://127.0.0.1:5'], file)!.user, undefined);
  assert.throws(() => cluster(['--cluster', 'nats://ru@127.0.0.1:6222']), (e: Error) => e instanceof CliError && e.message === 'expected cluster password to be set');
});

test('other flags override the file', () => {
  const c = cluster(['--cluster_name', 'x', '--no_advertise', '--cluster_advertise', 'h:9', '--connect_retries', '4', '--routes', ''],
    'cluster { port: 7, name: y, routes: ["nats://r:1"] }');
  assert.equal(c, { host: '0.0.0.0', port: 7, routes: [], noAdvertise: true, connectRetries: 4, name: 'x', advertise: 'h:9' });
  assert.is(cluster(['--cluster', ''], 'cluster { port: 7 }'), undefined);
});

test('routes need a cluster', () => {
  assert.throws(() => cluster(['--routes', 'nats://a:1']), (e: Error) => e instanceof CliError && /require cluster capabilities/.test(e.message));
});

test.run();
